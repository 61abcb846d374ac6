import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Prisma} from '../generated/prisma/client.ts';
import { type Source as SourceRow } from '../generated/prisma/client.ts';
import type { WorkspaceSettings } from '../auth/service.ts';
import type { ContactService } from '../contacts/service.ts';
import { prismaExecutor } from '../contacts/writer.ts';
import type { EventService } from '../events/service.ts';
import type { DeadLetterService } from '../dead-letters/service.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { ObjectService, TypedRecord } from '../objects/service.ts';
import { CompiledMapping, type MappedRecord, type SourceMapping } from './mapping.ts';
import type { IncomingRecord } from './readers.ts';

/** Dead letters for records a source delivered that could not become Tajo records. */
export const SOURCE_RECORD_ENTITY = 'source_record';
/** A page's transaction holds row locks on its contacts; a slow one is given time rather than retried. */
const PAGE_TRANSACTION_TIMEOUT_MS = 60_000;

export interface PageCounts {
  recordsSeen: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Records read again whose every field Tajo already held at a newer source time. */
  stale: number;
  deadLettered: number;
  /** Custom object records, counted apart from contacts. */
  objects: { created: number; updated: number; unchanged: number; stale: number };
}

/**
 * The contact fields a mapping produced, with the source as the record's origin and, unless the mapping gave one,
 * the time Workato says the record was published or last updated as its source time (so a re-read is ordered).
 */
export function contactInputOf(mapped: MappedRecord, sourceName: string, time?: string): Record<string, unknown> | null {
  if (!mapped.contact) return null;
  const input: Record<string, unknown> = { source: sourceName, ...(mapped.sourceId !== null ? { sourceId: mapped.sourceId } : {}), ...mapped.contact };
  if (input.sourceUpdatedAt == null && time !== undefined) input.sourceUpdatedAt = time;
  return input;
}

interface Letter {
  objectId: string;
  reason: string;
  payload: unknown;
}

/**
 * Turns a page of a source's records into contacts, object records, events and dead letters, and
 * commits them in one transaction with whatever else the caller writes there (a sync job's cursor
 * and counters): a crash leaves either the whole page and its cursor, or neither.
 */
export class SourceIngest {
  readonly #mappings = new Map<string, CompiledMapping>();

  constructor(
    private readonly db: Db,
    private readonly contacts: ContactService,
    private readonly objects: ObjectService,
    private readonly events: EventService,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: Metrics,
  ) {}

  async ingest(
    source: SourceRow,
    settings: WorkspaceSettings,
    records: readonly IncomingRecord[],
    options: {
      syncJobId?: string | undefined;
      requestId: string;
      /** The caller's, bound to what the records came for (a sync job, a hint). */
      log: Logger;
      commit?: (tx: Prisma.TransactionClient, counts: PageCounts) => Promise<void>;
    },
  ): Promise<PageCounts> {
    const mapping = this.#mapping(source);
    const mapped = await Promise.all(records.map((record) => mapping.apply(record.payload, { objectId: record.objectId, time: record.time, source: source.name })));
    const letters: Letter[] = [];
    const contactInputs: { objectId: string; input: Record<string, unknown> }[] = [];
    const eventInputs: { objectId: string; input: Record<string, unknown> }[] = [];
    const objectInputs: { objectId: string; input: TypedRecord }[] = [];
    const kept = new Map<string, unknown>();
    mapped.forEach((result, index) => {
      const record = records[index]!;
      if (!result.ok) {
        letters.push({ objectId: record.objectId, reason: result.reason, payload: record.payload });
        return;
      }
      if (result.record.tajoOnly) kept.set(record.objectId, result.record.tajoOnly);
      const input = contactInputOf(result.record, source.name, record.time);
      if (input) contactInputs.push({ objectId: record.objectId, input });
      for (const event of result.record.events) eventInputs.push({ objectId: record.objectId, input: event });
      // A record's message time orders its object records too, unless the mapping gives them a sourceUpdatedAt.
      for (const object of result.record.objects) objectInputs.push({ objectId: record.objectId, input: { ...object, sourceUpdatedAt: record.time } });
      // A record kept in Tajo only (operational metadata, say) is mapped; one that yields nothing at all is not.
      if (!input && result.record.events.length === 0 && result.record.objects.length === 0 && !result.record.tajoOnly) {
        letters.push({ objectId: record.objectId, reason: 'the mapping made no contact, event, object or Tajo-only fields of this record', payload: record.payload });
      }
    });

    const ctx = { workspaceId: source.workspaceId, settings: { ...settings, sourceName: source.name }, requestId: options.requestId };
    const committed = await this.db.$transaction(
      async (tx) => {
        await storePayloads(tx, source, records, kept, options.syncJobId);
        const counts: PageCounts = {
          recordsSeen: records.length,
          created: 0,
          updated: 0,
          unchanged: 0,
          stale: 0,
          deadLettered: 0,
          objects: { created: 0, updated: 0, unchanged: 0, stale: 0 },
        };
        const contactOutcomes = await this.contacts.upsertMany(ctx, contactInputs.map(({ input }) => input), prismaExecutor(tx));
        contactOutcomes.forEach((outcome, index) => {
          if (outcome.status === 'rejected') {
            const { objectId, input } = contactInputs[index]!;
            letters.push({ objectId, reason: `the contact cannot be normalized: ${describeRejections(outcome.errors)}`, payload: input });
          } else counts[outcome.status] += 1;
        });
        // After the page's contacts: an association naming a contact by email finds one this page made.
        if (objectInputs.length > 0) {
          const outcomes = await this.objects.upsertTyped(tx, ctx, objectInputs.map(({ input }) => input));
          outcomes.forEach((outcome, index) => {
            if (outcome.status !== 'rejected') {
              counts.objects[outcome.status] += 1;
              return;
            }
            const { objectId, input } = objectInputs[index]!;
            letters.push({ objectId, reason: `the ${input.type.slice(0, 64)} object record cannot be stored: ${describeRejections(outcome.errors)}`, payload: { type: input.type, ...(input.record as object) } });
          });
        }
        if (eventInputs.length > 0) {
          const { outcomes } = await this.events.trackMany(ctx, eventInputs.map(({ input }) => input), tx);
          outcomes.forEach((outcome, index) => {
            if (outcome.status !== 'rejected') return;
            const { objectId, input } = eventInputs[index]!;
            letters.push({ objectId, reason: `the event cannot be tracked: ${describeRejections(outcome.errors)}`, payload: input });
          });
        }
        // One statement for the page's letters, written in a fixed order: concurrent pages failing the same records cannot deadlock.
        await this.deadLetters.recordMany(
          source.workspaceId,
          letters.map((letter) => ({
            entityType: SOURCE_RECORD_ENTITY,
            entityId: null,
            sourceObjectId: letter.objectId,
            ...(options.syncJobId ? { syncJobId: options.syncJobId } : {}),
            category: 'mapping',
            reason: letter.reason,
            request: { source: source.name, sourceId: source.id, mappingVersion: source.mappingVersion, objectId: letter.objectId, payload: letter.payload },
            response: null,
          })),
          tx,
        );
        counts.deadLettered = new Set(letters.map((letter) => letter.objectId)).size;
        await options.commit?.(tx, counts);
        return counts;
      },
      { timeout: PAGE_TRANSACTION_TIMEOUT_MS, maxWait: PAGE_TRANSACTION_TIMEOUT_MS },
    );
    // Once committed: a page rolled back (another run moved the cursor) is counted by the run that wins. Its dead letters count where they are written.
    this.metrics.count('received', committed.recordsSeen);
    this.metrics.count('normalized', committed.created + committed.updated + committed.objects.created + committed.objects.updated);
    this.metrics.count('unchanged', committed.unchanged + committed.objects.unchanged);
    this.metrics.count('stale', committed.stale + committed.objects.stale);
    // Counts only: the reasons quote the records; the dead letters keep them.
    if (committed.deadLettered > 0) options.log.warn({ category: 'mapping', deadLettered: committed.deadLettered, records: committed.recordsSeen }, 'records dead-lettered: the mapping could not make Tajo records of them');
    return committed;
  }

  /** Compiled once per mapping version, not once per page. */
  #mapping(source: SourceRow): CompiledMapping {
    const key = `${source.id}:${source.mappingVersion}`;
    let compiled = this.#mappings.get(key);
    if (!compiled) {
      compiled = new CompiledMapping(source.mapping as SourceMapping);
      this.#mappings.set(key, compiled);
    }
    return compiled;
  }
}

const describeRejections = (errors: { field: string; reason: string }[]) =>
  errors.map((error) => (error.field ? `${error.field}: ${error.reason}` : error.reason)).join('; ');

/** The latest payload of each record, for audit, previews and replays. */
async function storePayloads(tx: Prisma.TransactionClient, source: SourceRow, records: readonly IncomingRecord[], kept: Map<string, unknown>, syncJobId: string | undefined) {
  if (records.length === 0) return;
  // The last delivery of a record wins when a page carries it twice.
  const latest = new Map(records.map((record) => [record.objectId, record]));
  const rows = [...latest.values()].map((record) => ({
    object_id: record.objectId,
    payload: record.payload,
    tajo_only: kept.get(record.objectId) ?? null,
  }));
  await tx.$executeRawUnsafe(
    `INSERT INTO source_records (workspace_id, source_id, object_id, payload, tajo_only, sync_job_id)
     SELECT $1::uuid, $2::uuid, r.object_id, r.payload, r.tajo_only, $4::uuid
     FROM jsonb_to_recordset($3::jsonb) AS r(object_id text, payload jsonb, tajo_only jsonb)
     ON CONFLICT (source_id, object_id) DO UPDATE SET payload = EXCLUDED.payload, tajo_only = EXCLUDED.tajo_only,
       sync_job_id = EXCLUDED.sync_job_id, received_at = now()`,
    source.workspaceId,
    source.id,
    JSON.stringify(rows),
    syncJobId ?? null,
  );
}
