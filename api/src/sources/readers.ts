import type { Source as SourceRow } from '../generated/prisma/client.ts';
import type { WorkatoConnections } from './connections.ts';
import type { RowResource, WorkatoRow } from '../workato/types.ts';
import { sourceSettings } from './settings.ts';

/** One record as a source delivered it: Workato's ID for it, its payload and its time. */
export interface IncomingRecord {
  objectId: string;
  payload: Record<string, unknown>;
  time?: string | undefined;
}

/**
 * A position in a source. Topics: the last message taken (its ID and time). Paged resources: the
 * page to read next (a page number or continuation token), null at the start.
 */
export type SourceCursor = { messageId: string; time: string } | { page: string | null };

/** Where a job starts (or is replayed from): a message ID or a time for topics, a page for resources; null for the beginning. */
export type StartPoint = { messageId: string } | { time: string } | { page: string } | null;

export interface ReadRequest {
  cursor: SourceCursor | null;
  startFrom: StartPoint;
  /** Wait for new data (long polling) when there is none yet. */
  wait: boolean;
  /** A topic backfill takes messages published before this time and leaves the rest to incremental. */
  boundary?: Date | null;
  signal?: AbortSignal;
}

export interface ReadResult {
  records: IncomingRecord[];
  /** The position after these records: where the next read starts. */
  cursor: SourceCursor | null;
  /** Nothing more to read now (a topic caught up, or past the boundary; the last page of a resource). */
  exhausted: boolean;
}

/** Reads a source page by page, whatever its kind. */
export interface SourceReader {
  read(request: ReadRequest): Promise<ReadResult>;
  /** The canonical record behind a webhook hint; null when Workato has none. */
  fetch(objectId: string, signal?: AbortSignal): Promise<IncomingRecord | null>;
}

export function readerFor(source: SourceRow, connections: WorkatoConnections): SourceReader {
  const settings = sourceSettings(source);
  switch (settings.kind) {
    case 'event_stream':
      return new TopicReader(connections, source, settings.eventStream);
    case 'developer_api':
      return new ResourceReader(connections, source, settings.developerApi);
    case 'mcp':
      return new McpReader(connections, source, settings.mcp);
  }
}

class TopicReader implements SourceReader {
  constructor(
    private readonly connections: WorkatoConnections,
    private readonly source: SourceRow,
    private readonly config: { topicId: string; batchSize: number; longPollSeconds: number },
  ) {}

  async read({ cursor, startFrom, wait, boundary, signal }: ReadRequest): Promise<ReadResult> {
    const after = cursor && 'messageId' in cursor ? cursor.messageId : startFrom && 'messageId' in startFrom ? startFrom.messageId : undefined;
    const since = after === undefined && startFrom && 'time' in startFrom ? startFrom.time : undefined;
    const messages = await this.connections.client(this.source).consume(
      this.config.topicId,
      {
        ...(after !== undefined ? { afterMessageId: after } : {}),
        ...(since !== undefined ? { sinceTime: since } : {}),
        batchSize: this.config.batchSize,
        timeoutSecs: wait ? this.config.longPollSeconds : 0,
      },
      signal,
    );
    // Messages from the boundary on belong to the incremental job: the backfill stops before them.
    const kept = boundary ? messages.filter((message) => Date.parse(message.time) < boundary.getTime()) : messages;
    const last = kept.at(-1);
    return {
      records: kept.map((message) => ({ objectId: message.messageId, payload: message.payload, time: message.time })),
      cursor: last ? { messageId: last.messageId, time: last.time } : cursor,
      exhausted: kept.length < messages.length || messages.length < this.config.batchSize,
    };
  }

  fetch(): Promise<IncomingRecord | null> {
    // Event Streams cannot read one message by ID; such sources take no hints (the API refuses them).
    throw new Error('an Event Streams source cannot refetch a record');
  }
}

const fromRow = (row: WorkatoRow): IncomingRecord => ({ objectId: row.id, payload: row.data, time: row.updatedAt ?? row.createdAt });

class ResourceReader implements SourceReader {
  constructor(
    private readonly connections: WorkatoConnections,
    private readonly source: SourceRow,
    private readonly config: { resource: RowResource; pageSize: number },
  ) {}

  async read({ cursor, startFrom, signal }: ReadRequest): Promise<ReadResult> {
    const page = cursor && 'page' in cursor ? cursor.page : startFrom && 'page' in startFrom ? startFrom.page : null;
    const result = await this.connections.client(this.source).listRows(this.config.resource, { cursor: page, pageSize: this.config.pageSize }, signal);
    return { records: result.rows.map(fromRow), cursor: { page: result.nextCursor }, exhausted: result.nextCursor === null };
  }

  async fetch(objectId: string, signal?: AbortSignal) {
    const row = await this.connections.client(this.source).getRow(this.config.resource, objectId, signal);
    return row ? fromRow(row) : null;
  }
}

/** An MCP tool's record: `{ id, data, updated_at }` as Workato's record tools answer, or a flat object with an `id`. */
function fromToolRecord(value: unknown): IncomingRecord | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const item = value as Record<string, unknown>;
  const id = item.id ?? item.record_id;
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  const data = typeof item.data === 'object' && item.data !== null && !Array.isArray(item.data) ? (item.data as Record<string, unknown>) : item;
  const time = item.updated_at ?? item.updatedAt ?? item.created_at;
  return { objectId: String(id), payload: data, time: typeof time === 'string' ? time : undefined };
}

class McpReader implements SourceReader {
  constructor(
    private readonly connections: WorkatoConnections,
    private readonly source: SourceRow,
    private readonly config: { fetchTool: string; idArgument: string; listTool?: string | undefined; arguments: Record<string, unknown>; pageSize: number },
  ) {}

  async read({ cursor, startFrom, signal }: ReadRequest): Promise<ReadResult> {
    if (!this.config.listTool) throw new Error(`the MCP source has no list tool to read pages with; set mcp.listTool`);
    const page = Number((cursor && 'page' in cursor ? cursor.page : startFrom && 'page' in startFrom ? startFrom.page : null) ?? '1');
    const client = this.connections.mcp(this.source);
    try {
      const result = await client.callTool(this.config.listTool, { ...this.config.arguments, page, per_page: this.config.pageSize }, signal);
      const items = Array.isArray(result) ? result : ((result as { records?: unknown[]; items?: unknown[] } | null)?.records ?? (result as { items?: unknown[] } | null)?.items ?? []);
      const records = items.map(fromToolRecord).filter((record): record is IncomingRecord => record !== null);
      const full = items.length >= this.config.pageSize;
      return { records, cursor: { page: full ? String(page + 1) : null }, exhausted: !full };
    } finally {
      await client.close();
    }
  }

  async fetch(objectId: string, signal?: AbortSignal) {
    const client = this.connections.mcp(this.source);
    try {
      return fromToolRecord(await client.callTool(this.config.fetchTool, { ...this.config.arguments, [this.config.idArgument]: objectId }, signal));
    } finally {
      await client.close();
    }
  }
}
