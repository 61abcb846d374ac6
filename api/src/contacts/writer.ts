import type pg from 'pg';
import type { Contact as ContactRow, Prisma } from '../generated/prisma/client.ts';
import { AppError } from '../errors/problem.ts';
import { contentHash, type ClearableField, type NormalizedContact } from './normalize.ts';
import { sourceTimeOf } from '../normalize/field-order.ts';
import { mergeContact, storedFields } from './merge.ts';
import { outsideUnitsOfWork, withinUnitOfWork } from '../db/unit-of-work.ts';
import { inTransaction } from '../db/transaction.ts';

/** stale: every field the write carried is older than what Tajo holds; nothing changed. */
export type WriteResult = 'created' | 'updated' | 'unchanged' | 'stale';

/**
 * How a write treats an existing contact with the same external ID:
 * upsert merges into it (or revives a soft-deleted one); create only revives a soft-deleted one;
 * update only merges into a live one and never inserts.
 */
export type WriteMode = 'upsert' | 'create' | 'update';

export interface ContactWrite {
  workspaceId: string;
  requestId: string;
  /** The fields the record carries, normalized. */
  contact: NormalizedContact;
  /** Fields the record gave as null, to clear. */
  cleared?: readonly ClearableField[];
  /** The record named no source: the workspace's default names a new contact's source only. */
  sourceDefaulted?: boolean;
  /** When the write arrived (ISO-8601): its source time when the record has no sourceUpdatedAt. Now by default. */
  arrivedAt?: string;
  /** The record as received, kept with the version for audit. */
  payload: unknown;
}

export interface WriteOutcome {
  id: string | null;
  status: WriteResult;
  /** Fields the write carried that Tajo holds at a newer source time, so kept. */
  skipped?: string[];
  /** The contact after the write, when asked for (null when there is none). */
  row?: ContactRow | null;
}

type IndexedWrite = ContactWrite & { index: number };

/** Where statements run: a pool, a pooled client inside a transaction, or a Prisma transaction. */
export interface SqlExecutor {
  query<Row>(text: string, values: unknown[]): Promise<{ rows: Row[] }>;
}

/** Runs the writer's statements inside a Prisma interactive transaction, so they commit with its other writes. */
export const prismaExecutor = (tx: Prisma.TransactionClient): SqlExecutor => ({
  query: async <Row>(text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe<Row[]>(text, ...values) }),
});

/**
 * What a write sends to the statement: the contact as it stands after the merge, and the version it was merged
 * into (null: a new contact, inserted only if none exists; -1: only look the contact up).
 */
interface Planned {
  write: IndexedWrite;
  status: WriteResult;
  skipped: string[];
  merged: NormalizedContact;
  /** Of the merged content. */
  contentHash: string;
  fieldTimes: Record<string, string>;
  expectedVersion: number | null;
  /** The stored contact's ID, when merged into one. */
  id: string | null;
  /** A new version: content changed, so it is recorded and queued for activation. */
  bump: boolean;
}

/** The statement's input columns: name, type, value of a planned write. */
const INPUT: [string, string, (p: Planned) => unknown][] = [
  ['idx', 'int', (p) => p.write.index],
  ['workspace_id', 'uuid', (p) => p.write.workspaceId],
  ['request_id', 'text', (p) => p.write.requestId],
  ['external_id', 'text', (p) => p.merged.externalId],
  ['id', 'uuid', (p) => p.id],
  ['expected_version', 'int', (p) => p.expectedVersion],
  ['bump', 'boolean', (p) => p.bump],
  ['source', 'text', (p) => p.merged.source],
  ['source_id', 'text', (p) => p.merged.sourceId ?? null],
  ['email', 'text', (p) => p.merged.email ?? null],
  ['phone', 'text', (p) => p.merged.phone ?? null],
  ['first_name', 'text', (p) => p.merged.firstName ?? null],
  ['last_name', 'text', (p) => p.merged.lastName ?? null],
  ['locale', 'text', (p) => p.merged.locale ?? null],
  ['lifetime_value_minor', 'bigint', (p) => p.merged.lifetimeValue?.amountMinor ?? null],
  ['lifetime_value_currency', 'text', (p) => p.merged.lifetimeValue?.currency ?? null],
  ['consent', 'jsonb', (p) => p.merged.consent],
  ['attributes', 'jsonb', (p) => p.merged.attributes],
  ['source_created_at', 'timestamptz', (p) => p.merged.sourceCreatedAt ?? null],
  ['source_updated_at', 'timestamptz', (p) => p.merged.sourceUpdatedAt ?? null],
  ['field_times', 'jsonb', (p) => p.fieldTimes],
  ['content_hash', 'text', (p) => p.contentHash],
  ['payload', 'jsonb', (p) => p.write.payload ?? null],
  ['normalized', 'jsonb', (p) => p.write.contact],
];

/** The contact columns a write sets. */
const WRITTEN = [
  'source', 'source_id', 'email', 'phone', 'first_name', 'last_name', 'locale',
  'lifetime_value_minor', 'lifetime_value_currency', 'consent', 'attributes',
  'source_created_at', 'source_updated_at', 'field_times', 'content_hash',
];

/** Every contact column, as the Prisma model names it, for reading a contact whole. */
const CONTACT_FIELDS: [string, keyof ContactRow][] = [
  ['id', 'id'], ['workspace_id', 'workspaceId'], ['external_id', 'externalId'], ['source', 'source'],
  ['source_id', 'sourceId'], ['email', 'email'], ['phone', 'phone'], ['first_name', 'firstName'],
  ['last_name', 'lastName'], ['locale', 'locale'], ['lifetime_value_minor', 'lifetimeValueMinor'],
  ['lifetime_value_currency', 'lifetimeValueCurrency'], ['consent', 'consent'], ['attributes', 'attributes'],
  ['source_created_at', 'sourceCreatedAt'], ['source_updated_at', 'sourceUpdatedAt'], ['content_hash', 'contentHash'],
  ['field_times', 'fieldTimes'], ['version', 'version'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'],
  ['deleted_at', 'deletedAt'],
];

/** What the database adds to a written contact's content. */
const ROW_META = [['version', 'version'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt']] as const;

const RETURNED = 'c.id, c.workspace_id, c.external_id, c.version, c.created_at, c.updated_at';

/**
 * One statement for any number of contacts, each already merged in Node with what the statement will find:
 * new contacts are inserted unless one appeared meanwhile; known ones are updated only if still at the version
 * they were merged into (so a concurrent write is never overwritten: the write is merged again). Each change
 * records a version and queues its activation, so the outbox row commits with the change or not at all. A write
 * that did not land comes back with the contact as the statement found it (deleted ones included), to merge into.
 * (Unnamed on purpose: embedded PGlite serves every connection from one session, where two connections' named
 * statements would collide.)
 */
const WRITE_STATEMENT = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${INPUT.map(([column, type]) => `${column} ${type}`).join(', ')})
  ),
  inserted AS (
    INSERT INTO contacts AS c (workspace_id, external_id, ${WRITTEN.join(', ')})
    SELECT workspace_id, external_id, ${WRITTEN.join(', ')} FROM input WHERE expected_version IS NULL
    ON CONFLICT (workspace_id, external_id) DO NOTHING
    RETURNING ${RETURNED}, true AS bump, true AS inserted
  ),
  updated AS (
    UPDATE contacts AS c SET ${WRITTEN.map((column) => `${column} = i.${column}`).join(', ')},
      version = c.version + i.bump::int, updated_at = CASE WHEN i.bump THEN now() ELSE c.updated_at END, deleted_at = NULL
    FROM input i
    -- By ID, from a list: joined plainly, a table without statistics was read whole.
    WHERE c.id = ANY(ARRAY(SELECT id FROM input WHERE id IS NOT NULL)) AND c.id = i.id AND c.version = i.expected_version
    RETURNING ${RETURNED}, i.bump, false AS inserted
  ),
  written AS (SELECT * FROM inserted UNION ALL SELECT * FROM updated),
  versions AS (
    INSERT INTO contact_versions (contact_id, workspace_id, version, payload, normalized, request_id)
    SELECT w.id, w.workspace_id, w.version, i.payload, i.normalized, i.request_id
    FROM written w JOIN input i USING (workspace_id, external_id) WHERE w.bump
  ),
  queued AS (
    INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
    SELECT w.workspace_id, 'contact', w.id, 'upsert', w.version FROM written w WHERE w.bump
  )
  SELECT i.idx, w.id::text AS "writtenId", ${ROW_META.map(([column, field]) => `w.${column} AS "${field}"`).join(', ')},
    existing.*
  FROM input i
  LEFT JOIN written w USING (workspace_id, external_id)
  -- A lookup by key per input row (LIMIT 1 keeps it one): joined plainly, a table without
  -- statistics yet (a new database, a first backfill) was read whole by every statement.
  LEFT JOIN LATERAL (
    SELECT c.id::text AS "rowId", ${CONTACT_FIELDS.map(([column, field]) => `c.${column} AS "stored_${field}"`).join(', ')}
    FROM contacts c
    WHERE w.id IS NULL AND c.workspace_id = i.workspace_id AND c.external_id = i.external_id
    LIMIT 1
  ) existing ON true`;

type StoredColumns = { [K in keyof ContactRow as `stored_${K}`]?: K extends 'lifetimeValueMinor' ? string | null : ContactRow[K] };

interface ResultRow extends StoredColumns, Partial<Pick<ContactRow, 'version' | 'createdAt' | 'updatedAt'>> {
  idx: number;
  writtenId: string | null;
  rowId: string | null;
}

/** The stored contact a result row found, if any (pg returns int8 as a string). */
function storedRow(result: StoredColumns & { rowId: string | null }): ContactRow | undefined {
  if (!result.rowId) return undefined;
  const row: Record<string, unknown> = {};
  for (const [, field] of CONTACT_FIELDS) row[field] = result[`stored_${field}`];
  const minor = result.stored_lifetimeValueMinor;
  return { ...(row as unknown as ContactRow), lifetimeValueMinor: minor == null ? null : BigInt(minor) };
}

/** The contact as stored after a write whose merged content it holds, with what the database added. */
function writtenRow(planned: Planned, id: string, result: ResultRow): ContactRow {
  const { merged } = planned;
  return {
    id,
    workspaceId: planned.write.workspaceId,
    externalId: merged.externalId,
    source: merged.source,
    sourceId: merged.sourceId ?? null,
    email: merged.email ?? null,
    phone: merged.phone ?? null,
    firstName: merged.firstName ?? null,
    lastName: merged.lastName ?? null,
    locale: merged.locale ?? null,
    lifetimeValueMinor: merged.lifetimeValue ? BigInt(merged.lifetimeValue.amountMinor) : null,
    lifetimeValueCurrency: merged.lifetimeValue?.currency ?? null,
    consent: merged.consent as ContactRow['consent'],
    attributes: merged.attributes,
    sourceCreatedAt: merged.sourceCreatedAt ? new Date(merged.sourceCreatedAt) : null,
    sourceUpdatedAt: merged.sourceUpdatedAt ? new Date(merged.sourceUpdatedAt) : null,
    fieldTimes: planned.fieldTimes,
    contentHash: planned.contentHash,
    version: result.version!,
    createdAt: result.createdAt!,
    updatedAt: result.updatedAt!,
    deletedAt: null,
  };
}

/**
 * What a write does given what is known of its contact (`known`: the stored row, deleted ones included;
 * undefined: not known yet). Either an outcome with nothing to write, or the write to send.
 */
function plan(write: IndexedWrite, known: ContactRow | undefined, mode: WriteMode): Planned | WriteOutcome {
  const change = {
    contact: write.contact,
    cleared: write.cleared ?? [],
    sourceDefaulted: write.sourceDefaulted ?? false,
    time: sourceTimeOf(write.contact, write.arrivedAt ?? new Date().toISOString()),
  };
  const live = known && known.deletedAt === null ? known : undefined;
  if (!live) {
    // A contact to create: new, or reviving a soft-deleted one (from scratch: deletion forgets its fields).
    if (mode === 'update') {
      return known ? { id: null, status: 'unchanged', row: null } : { ...fresh(write, change), status: 'unchanged', expectedVersion: -1, bump: false };
    }
    // Reviving by upsert updates the contact; by create, it creates it anew.
    const status = known && mode === 'upsert' ? 'updated' : 'created';
    return { ...fresh(write, change), status, expectedVersion: known?.version ?? null, id: known?.id ?? null };
  }
  if (mode === 'create') return { id: live.id, status: 'unchanged', row: live };
  const sourceUpdatedAt = live.sourceUpdatedAt?.toISOString();
  const merge = mergeContact({ fields: storedFields(live), sourceUpdatedAt }, change);
  const status: WriteResult = merge.changed.length > 0 ? 'updated' : merge.skipped.length > 0 ? 'stale' : 'unchanged';
  const skipped = merge.skipped;
  // Times that moved forward are stored (so older values stay out) without a new version.
  if (merge.changed.length === 0 && !merge.advanced && merge.contact.sourceUpdatedAt === sourceUpdatedAt) {
    return { id: live.id, status, ...(skipped.length > 0 ? { skipped } : {}), row: live };
  }
  return {
    write,
    status,
    skipped,
    merged: merge.contact,
    contentHash: contentHash(merge.contact),
    fieldTimes: merge.fields.times,
    expectedVersion: live.version,
    id: live.id,
    bump: merge.changed.length > 0,
  };
}

function fresh(write: IndexedWrite, change: Parameters<typeof mergeContact>[1]): Planned {
  const merge = mergeContact(null, change);
  return {
    write,
    status: 'created',
    skipped: [],
    merged: merge.contact,
    contentHash: contentHash(merge.contact),
    fieldTimes: merge.fields.times,
    expectedVersion: null,
    id: null,
    bump: true,
  };
}

const isPlanned = (value: Planned | WriteOutcome): value is Planned => 'merged' in value;

/** A write merged into a contact that changes under it more often than this in a row is refused (it never was seen). */
const MAX_ATTEMPTS = 25;

/** The whole group as one JSON document (one native serialization instead of per-element escaping). */
function inputDocument(planned: readonly Planned[]): string {
  return JSON.stringify(
    planned.map((p) => {
      const row: Record<string, unknown> = {};
      for (const [column, , pick] of INPUT) row[column] = pick(p);
      return row;
    }),
  );
}

/**
 * Read-modify-write of one contact under its row lock: `change` builds the write from the
 * current state, and concurrent changes of the same contact wait for each other instead of
 * overwriting each other. Resolves null when the contact does not exist (or is deleted).
 */
export async function changeContact(
  sql: pg.Pool,
  workspaceId: string,
  id: string,
  change: (current: ContactRow) => ContactWrite,
): Promise<WriteOutcome | null> {
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<StoredColumns & { rowId: string | null }>(SELECT_CONTACT, [workspaceId, id]);
    const current = rows[0] ? storedRow(rows[0]) : undefined;
    if (!current) {
      await client.query('ROLLBACK');
      return null;
    }
    const write = { ...change(current), index: 0 };
    const outcomes: WriteOutcome[] = [];
    await writeRound(client, [write], 'update', true, new Map([[identityOf(write), current]]), outcomes);
    await client.query('COMMIT');
    return outcomes[0]!;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const SELECT_CONTACT = `SELECT id::text AS "rowId", ${CONTACT_FIELDS.map(([column, field]) => `${column} AS "stored_${field}"`).join(', ')}
  FROM contacts WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`;

/**
 * Writes contacts; the outcome of writes[i] is at index i. Writes sharing a contact are applied
 * in order, one round per occurrence (in one transaction), so each gets its own result and version.
 */
export async function writeContacts(
  sql: pg.Pool,
  writes: readonly ContactWrite[],
  mode: WriteMode,
  options: { withRows?: boolean; within?: SqlExecutor } = {},
): Promise<WriteOutcome[]> {
  const withRows = options.withRows ?? false;
  const rounds: IndexedWrite[][] = [];
  const occurrences = new Map<string, number>();
  writes.forEach((write, index) => {
    const identity = identityOf(write);
    const round = occurrences.get(identity) ?? 0;
    occurrences.set(identity, round + 1);
    (rounds[round] ??= []).push({ ...write, index });
  });
  const run = async (client: SqlExecutor) => {
    const outcomes: WriteOutcome[] = new Array(writes.length);
    // A later round merges into what the earlier one wrote, known from its answer.
    const known = new Map<string, ContactRow>();
    for (const round of rounds) await writeRound(client, round, mode, withRows, known, outcomes);
    return outcomes;
  };
  // Inside a caller's transaction, the rounds commit (or roll back) with the rest of it.
  if (options.within) return run(options.within);
  if (rounds.length <= 1) return run(sql);
  return inTransaction(sql, run);
}

/** A contact's key across workspaces: one group may write the same external ID in two of them. */
const identityOf = (write: ContactWrite) => `${write.workspaceId}\u0000${write.contact.externalId}`;

/**
 * Writes contacts of distinct identities into `outcomes` (by write index). A contact not known yet is first
 * written as new; one that exists comes back from that statement and is merged and written again, as is one that
 * changed between the merge and the write. `known` holds the contacts as last seen, by identity (and is updated).
 */
async function writeRound(
  client: SqlExecutor,
  round: IndexedWrite[],
  mode: WriteMode,
  withRows: boolean,
  known: Map<string, ContactRow>,
  outcomes: WriteOutcome[],
): Promise<void> {
  let pending = round;
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    if (attempt > MAX_ATTEMPTS) {
      throw new AppError('conflict', 'The contact kept changing while this write was merged into it; retry the request.');
    }
    const toSend: Planned[] = [];
    for (const write of pending) {
      const planned = plan(write, known.get(identityOf(write)), mode);
      if (isPlanned(planned)) toSend.push(planned);
      else outcomes[write.index] = withRows ? planned : withoutRow(planned);
    }
    if (toSend.length === 0) break;
    // A fixed lock order keeps concurrent statements that share contacts from deadlocking.
    toSend.sort((a, b) => compare(a.write.workspaceId, b.write.workspaceId) || compare(a.merged.externalId, b.merged.externalId));
    const { rows } = await client.query<ResultRow>(WRITE_STATEMENT, [inputDocument(toSend)]);
    const byIndex = new Map(toSend.map((planned) => [planned.write.index, planned]));
    pending = [];
    for (const result of rows) {
      const planned = byIndex.get(result.idx)!;
      const { write } = planned;
      if (result.writtenId !== null) {
        const row = writtenRow(planned, result.writtenId, result);
        known.set(identityOf(write), row);
        const skipped = planned.skipped.length > 0 ? { skipped: planned.skipped } : {};
        outcomes[write.index] = { id: result.writtenId, status: planned.status, ...skipped, ...(withRows ? { row } : {}) };
        continue;
      }
      // Not written: merge again into the contact as found (or, when the statement's snapshot predates a
      // contact committed while it waited, look again).
      const stored = storedRow(result);
      if (stored) known.set(identityOf(write), stored);
      else known.delete(identityOf(write));
      if (planned.expectedVersion === -1 && !stored) outcomes[write.index] = { id: null, status: 'unchanged', ...(withRows ? { row: null } : {}) };
      else pending.push(write);
    }
  }
}

function withoutRow({ row: _row, ...outcome }: WriteOutcome): WriteOutcome {
  return outcome;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Waiting {
  /** Arrival order across modes, so no mode waits behind a steady stream of another. */
  seq: number;
  write: ContactWrite;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit for single-record writes. Concurrent requests each wait for their own commit,
 * but share one statement and one commit: under load one round trip serves many requests,
 * instead of every request paying for its own. A request alone is written at once.
 *
 * One group in flight by default: while it commits, arrivals gather into the next, larger
 * group, which costs both Node and PostgreSQL less per row. Measured on the 2-core bench
 * machine at 50 concurrent upserts: a commit per request, about 1,300/s; ten groups in flight,
 * about 2,700/s (p99 32 ms); one, about 4,000/s (p99 21 ms). The price: a write that waits on a
 * row lock (the same contact in a large batch) holds up the group behind it for that long.
 */
export class CoalescingWriter {
  readonly #queues = new Map<WriteMode, Waiting[]>();
  #inFlight = 0;
  #arrivals = 0;

  constructor(
    private readonly sql: pg.Pool,
    /** Statements in flight at once; further writes wait and join the next one. */
    private readonly maxInFlight = 1,
    private readonly maxGroup = 500,
  ) {}

  /** Resolves after the write's commit, with the contact as it stands then. */
  write(write: ContactWrite, mode: WriteMode): Promise<WriteOutcome> {
    // A request's unit of work commits when the request ends: its write belongs to that
    // transaction, and cannot share a statement (and a commit) with other requests'.
    if (withinUnitOfWork(this.sql)) return writeContacts(this.sql, [write], mode, { withRows: true }).then(([outcome]) => outcome!);
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(mode) ?? [];
      queue.push({ seq: this.#arrivals++, write, resolve, reject });
      this.#queues.set(mode, queue);
      // The drain writes for every caller: it must not run in the context of the one that started it.
      if (queue.length === 1) outsideUnitsOfWork(() => setImmediate(() => this.#drain()));
    });
  }

  #drain() {
    while (this.#inFlight < this.maxInFlight) {
      let next: [WriteMode, Waiting[]] | undefined;
      for (const entry of this.#queues) {
        if (entry[1].length > 0 && (!next || entry[1][0]!.seq < next[1][0]!.seq)) next = entry;
      }
      if (!next) return;
      const [mode, queue] = next;
      const group = queue.splice(0, this.maxGroup);
      this.#inFlight += 1;
      void this.#flush(group, mode).finally(() => {
        this.#inFlight -= 1;
        this.#drain();
      });
    }
  }

  async #flush(group: Waiting[], mode: WriteMode) {
    try {
      const outcomes = await writeContacts(this.sql, group.map((waiting) => waiting.write), mode, { withRows: true });
      group.forEach((waiting, i) => waiting.resolve(outcomes[i]!));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One bad write must not fail its neighbours: write each alone, in order, each with its own answer.
      for (const waiting of group) await this.#flush([waiting], mode);
    }
  }
}
