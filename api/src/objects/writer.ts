/**
 * The object record write path: each write merged in Node into the record as stored (see merge.ts), then one
 * statement per round that inserts new records and updates known ones only if still at the version merged into.
 */
import type { Prisma } from '../generated/prisma/client.ts';
import { AppError } from '../errors/problem.ts';
import type { Rejection } from '../contacts/normalize.ts';
import type { WriteResult } from '../contacts/writer.ts';
import { contentHash } from '../normalize/canonical.ts';
import { mergeRecord, type StoredAttributes } from './merge.ts';
import { missingRequired, type NormalizedObjectRecord, type ObjectTypeDefinition, type ObjectValue } from './normalize.ts';

/** Outbox entity type of a record: upsert | delete | erase (erase carries the external ID). */
export const OBJECT_RECORD_ENTITY = 'object_record';

/** One record to write, normalized, at its source time. */
export interface RecordWrite {
  record: NormalizedObjectRecord;
  /** Its source time: the record's sourceUpdatedAt, else when it arrived. */
  time: string;
  /** The record as received, kept with the version for audit. */
  payload: unknown;
}

export interface RecordWriteOutcome {
  status: WriteResult | 'rejected';
  /** The record's ID; null when rejected. */
  id: string | null;
  /** Attributes the write carried that Tajo holds at a newer source time, so kept ("attributes.<name>"). */
  skipped: string[];
  errors: Rejection[];
}

/** Where and by whom the records are written. */
export interface RecordTarget {
  workspaceId: string;
  typeId: string;
  definition: ObjectTypeDefinition;
  requestId: string;
}

/** A stored record as a write merges into it: deleted ones included, as a write revives them. */
interface StoredRecord extends StoredAttributes {
  id: string;
  version: number;
  deleted: boolean;
}

type IndexedWrite = RecordWrite & { index: number };

/** expectedVersion of a write that only looks its record up: no record has it, so nothing is written. */
const LOOK_UP_ONLY = -1;

/**
 * What a write sends to the statement: the record's attributes after the merge, and the version it was merged
 * into (null: a new record, inserted only if none exists; LOOK_UP_ONLY: the record must be found first).
 */
interface PlannedWrite {
  write: IndexedWrite;
  status: WriteResult;
  skipped: string[];
  attributes: Record<string, ObjectValue>;
  fieldTimes: Record<string, string>;
  expectedVersion: number | null;
  /** The stored record's ID, when merged into one. */
  id: string | null;
  /** A new version: content changed, so it is recorded and queued for activation. */
  bump: boolean;
}

/** The statement's input columns: name, type, value of a planned write. */
const INPUT: [string, string, (p: PlannedWrite) => unknown][] = [
  ['idx', 'int', (p) => p.write.index],
  ['external_id', 'text', (p) => p.write.record.externalId],
  ['id', 'uuid', (p) => p.id],
  ['expected_version', 'int', (p) => p.expectedVersion],
  ['bump', 'boolean', (p) => p.bump],
  ['attributes', 'jsonb', (p) => p.attributes],
  ['field_times', 'jsonb', (p) => p.fieldTimes],
  ['content_hash', 'text', (p) => contentHash({ externalId: p.write.record.externalId, attributes: p.attributes })],
  ['payload', 'jsonb', (p) => p.write.payload ?? null],
  ['normalized', 'jsonb', (p) => p.write.record],
];

/**
 * One statement for a round of records of one type ($2 workspace, $3 type, $4 request), each already merged with
 * what the statement will find: new records are inserted unless one appeared meanwhile; known ones (soft-deleted
 * ones revived) are updated only if still at the version they were merged into, so a concurrent write is never
 * overwritten: the write is merged again. Each change records a version and queues its activation, so the outbox
 * row commits with the change or not at all; a write that only moves source times forward does neither. A write
 * that did not land comes back with the record as the statement found it, to merge into.
 */
const WRITE_STATEMENT = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${INPUT.map(([column, type]) => `${column} ${type}`).join(', ')})
  ),
  inserted AS (
    INSERT INTO object_records AS r (workspace_id, object_type_id, external_id, attributes, field_times, content_hash)
    SELECT $2::uuid, $3::uuid, external_id, attributes, field_times, content_hash FROM input WHERE expected_version IS NULL
    ON CONFLICT (object_type_id, external_id) DO NOTHING
    RETURNING r.id, r.external_id, r.version, true AS bump
  ),
  updated AS (
    UPDATE object_records AS r SET attributes = i.attributes, field_times = i.field_times, content_hash = i.content_hash,
      version = r.version + i.bump::int, updated_at = CASE WHEN i.bump THEN now() ELSE r.updated_at END, deleted_at = NULL
    FROM input i
    -- By ID (found under this type), from a list: by type and external ID, every record of the type was read.
    WHERE r.id = ANY(ARRAY(SELECT id FROM input WHERE id IS NOT NULL)) AND r.id = i.id AND r.version = i.expected_version
    RETURNING r.id, r.external_id, r.version, i.bump
  ),
  written AS (SELECT * FROM inserted UNION ALL SELECT * FROM updated),
  versions AS (
    INSERT INTO object_record_versions (record_id, workspace_id, version, payload, normalized, request_id)
    SELECT w.id, $2::uuid, w.version, i.payload, i.normalized, $4 FROM written w JOIN input i USING (external_id) WHERE w.bump
  ),
  queued AS (
    INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
    SELECT $2::uuid, '${OBJECT_RECORD_ENTITY}', w.id, 'upsert', w.version FROM written w WHERE w.bump
  )
  SELECT i.idx, w.id::text AS "writtenId", w.version AS "writtenVersion", stored.*
  FROM input i
  LEFT JOIN written w USING (external_id)
  LEFT JOIN LATERAL (
    SELECT r.id::text AS "storedId", r.attributes AS "storedAttributes", r.field_times AS "storedFieldTimes",
      r.version AS "storedVersion", r.deleted_at IS NOT NULL AS "storedDeleted"
    FROM object_records r
    WHERE w.id IS NULL AND r.object_type_id = $3::uuid AND r.external_id = i.external_id
  ) stored ON true`;

interface ResultRow {
  idx: number;
  writtenId: string | null;
  writtenVersion: number | null;
  storedId: string | null;
  storedAttributes: Record<string, ObjectValue> | null;
  storedFieldTimes: Record<string, string> | null;
  storedVersion: number | null;
  storedDeleted: boolean | null;
}

/** A record that changes under a write more often than this in a row refuses it (it never was seen). */
const MAX_ATTEMPTS = 25;

const rejected = (errors: Rejection[]): RecordWriteOutcome => ({ status: 'rejected', id: null, skipped: [], errors });

/**
 * What a write does given what is known of its record (`known`: as stored, deleted ones included; undefined: not
 * known yet; `lookedUp`: looked for, and there is none). Either an outcome with nothing to write, or the write.
 */
function plan(write: IndexedWrite, known: StoredRecord | undefined, lookedUp: boolean, definition: ObjectTypeDefinition): PlannedWrite | RecordWriteOutcome {
  if (!known || known.deleted) {
    // A record to create: new, or reviving a soft-deleted one (from scratch: deletion forgets its attributes).
    const merge = mergeRecord(null, write.record, write.time);
    const missing = missingRequired(definition, merge.attributes);
    if (missing.length > 0) {
      // Left out of a write, a required attribute is fine when the record holds it: look for the record first.
      if (known || lookedUp) return rejected(missing);
      // Never written, so what it would write is moot.
      return { write, status: 'created', skipped: [], attributes: {}, fieldTimes: {}, expectedVersion: LOOK_UP_ONLY, id: null, bump: false };
    }
    // A revival answers updated: the record kept its ID and history.
    return { write, status: known ? 'updated' : 'created', skipped: [], attributes: merge.attributes, fieldTimes: merge.fields.times, expectedVersion: known?.version ?? null, id: known?.id ?? null, bump: true };
  }
  const merge = mergeRecord(known, write.record, write.time);
  const status: WriteResult = merge.changed.length > 0 ? 'updated' : merge.skipped.length > 0 ? 'stale' : 'unchanged';
  // Times that moved forward are stored (so older values stay out) without a new version.
  if (merge.changed.length === 0 && !merge.advanced) return { status, id: known.id, skipped: merge.skipped, errors: [] };
  return { write, status, skipped: merge.skipped, attributes: merge.attributes, fieldTimes: merge.fields.times, expectedVersion: known.version, id: known.id, bump: merge.changed.length > 0 };
}

const isPlanned = (value: PlannedWrite | RecordWriteOutcome): value is PlannedWrite => 'write' in value;

/**
 * Writes records of one type in the caller's transaction; the outcome of writes[i] is at index i. Writes sharing a
 * record are applied in order, one round per occurrence, so each gets its own result and version.
 */
export async function writeRecords(tx: Prisma.TransactionClient, target: RecordTarget, writes: readonly RecordWrite[]): Promise<RecordWriteOutcome[]> {
  const rounds: IndexedWrite[][] = [];
  const occurrences = new Map<string, number>();
  writes.forEach((write, index) => {
    const round = occurrences.get(write.record.externalId) ?? 0;
    occurrences.set(write.record.externalId, round + 1);
    (rounds[round] ??= []).push({ ...write, index });
  });
  const outcomes: RecordWriteOutcome[] = new Array(writes.length);
  // A later round merges into what the earlier one wrote, known from its answer.
  const known = new Map<string, StoredRecord>();
  for (const round of rounds) await writeRound(tx, target, round, known, outcomes);
  return outcomes;
}

/**
 * Writes records with distinct external IDs into `outcomes` (by write index). A record not known yet is first
 * written as new; one that exists comes back from that statement and is merged and written again, as is one that
 * changed between the merge and the write. `known` holds the records as last seen (and is updated).
 */
async function writeRound(tx: Prisma.TransactionClient, target: RecordTarget, round: IndexedWrite[], known: Map<string, StoredRecord>, outcomes: RecordWriteOutcome[]) {
  const lookedUp = new Set<string>();
  let pending = round;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > MAX_ATTEMPTS) throw new AppError('conflict', 'The object record kept changing while this write was merged into it; retry the request.');
    const toSend: PlannedWrite[] = [];
    for (const write of pending) {
      const { externalId } = write.record;
      const planned = plan(write, known.get(externalId), lookedUp.has(externalId), target.definition);
      if (isPlanned(planned)) toSend.push(planned);
      else outcomes[write.index] = planned;
    }
    if (toSend.length === 0) return;
    // A fixed lock order keeps concurrent statements that share records from deadlocking.
    toSend.sort((a, b) => compare(a.write.record.externalId, b.write.record.externalId));
    const rows = await tx.$queryRawUnsafe<ResultRow[]>(WRITE_STATEMENT, inputDocument(toSend), target.workspaceId, target.typeId, target.requestId);
    const byIndex = new Map(toSend.map((planned) => [planned.write.index, planned]));
    pending = [];
    for (const row of rows) {
      const planned = byIndex.get(row.idx)!;
      const { write } = planned;
      const { externalId } = write.record;
      if (row.writtenId !== null) {
        known.set(externalId, { id: row.writtenId, attributes: planned.attributes, fieldTimes: planned.fieldTimes, version: row.writtenVersion!, deleted: false });
        outcomes[write.index] = { status: planned.status, id: row.writtenId, skipped: planned.skipped, errors: [] };
        continue;
      }
      // Not written: merge again into the record as found (or, when the statement's snapshot predates a record
      // committed while it waited, look again).
      if (row.storedId !== null) {
        known.set(externalId, {
          id: row.storedId,
          attributes: row.storedAttributes!,
          fieldTimes: row.storedFieldTimes!,
          version: row.storedVersion!,
          deleted: row.storedDeleted!,
        });
      } else {
        known.delete(externalId);
        if (planned.expectedVersion === LOOK_UP_ONLY) lookedUp.add(externalId);
      }
      pending.push(write);
    }
  }
}

/** The round as one JSON document (one native serialization instead of per-element escaping). */
function inputDocument(planned: readonly PlannedWrite[]): string {
  return JSON.stringify(
    planned.map((p) => {
      const row: Record<string, unknown> = {};
      for (const [column, , pick] of INPUT) row[column] = pick(p);
      return row;
    }),
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
