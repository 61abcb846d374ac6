/**
 * What Tajo reads from Workato, behind small interfaces: the sync jobs, the smoke tests and the
 * webhook-hint refetches use only these, so the vendor (or its simulator) stays behind them.
 */

/** Workato's data centers; each has its own Developer API and Event Streams hosts. */
export const WORKATO_DATA_CENTERS = ['us', 'eu', 'jp', 'sg', 'au', 'trial'] as const;
export type WorkatoDataCenter = (typeof WORKATO_DATA_CENTERS)[number];

/** Base URLs of one data center (or of the simulator, which serves all of them on one port). */
export interface WorkatoEndpoints {
  /** Developer API, without the trailing `/api` (e.g. https://www.workato.com). */
  developerApi: string;
  /** Event Streams public API (e.g. https://event-streams.workato.com). */
  eventStreams: string;
  /** Data tables record API (e.g. https://data-tables.workato.com). */
  dataTables: string;
}

/** Failure categories, shared with problem+json types, logs and metrics. */
export type WorkatoFailureCategory = 'authentication' | 'permission' | 'not_found' | 'validation' | 'rate_limited' | 'vendor_unavailable';

/** One message of an Event Streams topic; its ID is the consumer's cursor. */
export interface EventStreamMessage {
  messageId: string;
  payload: Record<string, unknown>;
  /** RFC 3339 publication time. */
  time: string;
}

export interface ConsumeRequest {
  /** Messages after this one (exclusive). Not with sinceTime. */
  afterMessageId?: string;
  /** Messages published at or after this RFC 3339 time. Not with afterMessageId. */
  sinceTime?: string;
  /** At most 50 (Workato's ceiling). */
  batchSize?: number;
  /** Long polling: wait up to this many seconds (at most 60) when there is nothing yet. */
  timeoutSecs?: number;
}

/** A Developer API resource whose rows a source reads. */
export type RowResource =
  | { kind: 'lookup_table'; tableId: string }
  | { kind: 'data_table'; tableId: string }
  | { kind: 'recipes' }
  | { kind: 'jobs'; recipeId: string };

/** One row of a resource, as Tajo keeps it: Workato's own ID, its fields, its timestamps. */
export interface WorkatoRow {
  id: string;
  data: Record<string, unknown>;
  createdAt?: string | undefined;
  updatedAt?: string | undefined;
}

/**
 * A page request. `cursor` is what the previous page returned as `nextCursor` (null for the first):
 * a page number where Workato pages by offset (lookup tables, recipes), the last job's ID for jobs
 * (Workato pages them by offset_job_id), its continuation token where it has one (data tables).
 */
export interface PageRequest {
  cursor: string | null;
  pageSize: number;
}

export interface RowPage {
  rows: WorkatoRow[];
  /** Null when this was the last page. */
  nextCursor: string | null;
}

export interface WorkatoIdentity {
  id: string;
  name: string;
}

/** The Developer API and Event Streams of one Workato workspace, with one API-client token. */
export interface WorkatoClient {
  /** A harmless authenticated read (GET /api/users/me), for smoke tests. */
  whoAmI(signal?: AbortSignal): Promise<WorkatoIdentity>;
  consume(topicId: string, request: ConsumeRequest, signal?: AbortSignal): Promise<EventStreamMessage[]>;
  listRows(resource: RowResource, page: PageRequest, signal?: AbortSignal): Promise<RowPage>;
  /** One row by ID, or null when Workato has none. */
  getRow(resource: RowResource, id: string, signal?: AbortSignal): Promise<WorkatoRow | null>;
}

/** A Workato MCP server (Streamable HTTP). */
export interface WorkatoMcpClient {
  listTools(signal?: AbortSignal): Promise<string[]>;
  /** Calls a tool; resolves with its structured content, or its JSON text content parsed. */
  callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
  close(): Promise<void>;
}
