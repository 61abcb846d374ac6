import type pg from 'pg';
import type { Contact as ContactRow, Prisma } from '../generated/prisma/client.ts';
import { contentHash, type NormalizedContact } from './normalize.ts';

export type WriteResult = 'created' | 'updated' | 'unchanged';

/**
 * How a write treats an existing contact with the same external ID:
 * upsert writes when content differs (or revives a soft-deleted one); create only revives a
 * soft-deleted one; update only changes a live one and never inserts.
 */
export type WriteMode = 'upsert' | 'create' | 'update';

export interface ContactWrite {
  workspaceId: string;
  requestId: string;
  contact: NormalizedContact;
  /** The record as received, kept with the version for audit. */
  payload: unknown;
}

export interface WriteOutcome {
  id: string | null;
  status: WriteResult;
  /** The contact after the write, when asked for (null when there is none). */
  row?: ContactRow | null;
}

type IndexedWrite = ContactWrite & { index: number; contentHash: string };

const indexed = (write: ContactWrite, index: number): IndexedWrite => ({ ...write, index, contentHash: contentHash(write.contact) });

/** Where statements run: a pool, a pooled client inside a transaction, or a Prisma transaction. */
export interface SqlExecutor {
  query<Row>(text: string, values: unknown[]): Promise<{ rows: Row[] }>;
}

/** Runs the writer's statements inside a Prisma interactive transaction, so they commit with its other writes. */
export const prismaExecutor = (tx: Prisma.TransactionClient): SqlExecutor => ({
  query: async <Row>(text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe<Row[]>(text, ...values) }),
});

/** The statement's input columns: name, type, value of a write. */
const INPUT: [string, string, (write: IndexedWrite, contact: NormalizedContact) => unknown][] = [
  ['idx', 'int', (w) => w.index],
  ['workspace_id', 'uuid', (w) => w.workspaceId],
  ['request_id', 'text', (w) => w.requestId],
  ['external_id', 'text', (_, c) => c.externalId],
  ['source', 'text', (_, c) => c.source],
  ['source_id', 'text', (_, c) => c.sourceId ?? null],
  ['email', 'text', (_, c) => c.email ?? null],
  ['phone', 'text', (_, c) => c.phone ?? null],
  ['first_name', 'text', (_, c) => c.firstName ?? null],
  ['last_name', 'text', (_, c) => c.lastName ?? null],
  ['locale', 'text', (_, c) => c.locale ?? null],
  ['lifetime_value_minor', 'bigint', (_, c) => c.lifetimeValue?.amountMinor ?? null],
  ['lifetime_value_currency', 'text', (_, c) => c.lifetimeValue?.currency ?? null],
  ['consent', 'jsonb', (_, c) => c.consent],
  ['attributes', 'jsonb', (_, c) => c.attributes],
  ['source_created_at', 'timestamptz', (_, c) => c.sourceCreatedAt ?? null],
  ['source_updated_at', 'timestamptz', (_, c) => c.sourceUpdatedAt ?? null],
  ['content_hash', 'text', (w) => w.contentHash],
  ['payload', 'jsonb', (w) => w.payload ?? null],
  ['normalized', 'jsonb', (_, c) => c],
];

/** The contact columns a write sets. */
const WRITTEN = [
  'source', 'source_id', 'email', 'phone', 'first_name', 'last_name', 'locale',
  'lifetime_value_minor', 'lifetime_value_currency', 'consent', 'attributes',
  'source_created_at', 'source_updated_at', 'content_hash',
];

/** Every contact column, as the Prisma model names it, for reading a contact whole. */
const CONTACT_FIELDS: [string, keyof ContactRow][] = [
  ['id', 'id'], ['workspace_id', 'workspaceId'], ['external_id', 'externalId'], ['source', 'source'],
  ['source_id', 'sourceId'], ['email', 'email'], ['phone', 'phone'], ['first_name', 'firstName'],
  ['last_name', 'lastName'], ['locale', 'locale'], ['lifetime_value_minor', 'lifetimeValueMinor'],
  ['lifetime_value_currency', 'lifetimeValueCurrency'], ['consent', 'consent'], ['attributes', 'attributes'],
  ['source_created_at', 'sourceCreatedAt'], ['source_updated_at', 'sourceUpdatedAt'], ['content_hash', 'contentHash'],
  ['version', 'version'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'], ['deleted_at', 'deletedAt'],
];

/** What the database adds to a written contact's content, and the hash that tells whose content it is. */
const ROW_META = [['version', 'version'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'], ['content_hash', 'contentHash']] as const;

/** What the statement reads of the rows it wrote. */
const RETURNED = 'c.id, c.workspace_id, c.external_id, c.version, c.created_at, c.updated_at, c.content_hash';

const assign = (from: string) => WRITTEN.map((column) => `${column} = ${from}.${column}`).join(', ');

function writtenRows(mode: WriteMode): string {
  if (mode === 'update') {
    return `UPDATE contacts AS c SET ${assign('i')}, version = c.version + 1, updated_at = now()
      FROM input i
      WHERE c.workspace_id = i.workspace_id AND c.external_id = i.external_id AND c.deleted_at IS NULL
        AND c.content_hash <> i.content_hash
      RETURNING ${RETURNED}, false AS inserted`;
  }
  // In create mode the conflict branch only revives a soft-deleted contact: that is a creation too.
  const condition = mode === 'upsert' ? 'c.content_hash <> EXCLUDED.content_hash OR c.deleted_at IS NOT NULL' : 'c.deleted_at IS NOT NULL';
  const inserted = mode === 'create' ? 'true' : '(c.xmax = 0)';
  return `INSERT INTO contacts AS c (workspace_id, external_id, ${WRITTEN.join(', ')})
      SELECT workspace_id, external_id, ${WRITTEN.join(', ')} FROM input
      ON CONFLICT (workspace_id, external_id) DO UPDATE SET
        ${assign('EXCLUDED')}, version = c.version + 1, updated_at = now(), deleted_at = NULL
      WHERE ${condition}
      RETURNING ${RETURNED}, ${inserted} AS inserted`;
}

/**
 * One statement for any number of contacts: upserts them, records a version for each change and
 * queues its activation, so the outbox row commits with the change or not at all. Rows that did
 * not change come back with `inserted` null. (Unnamed on purpose: embedded PGlite serves every
 * connection from one session, where two connections' named statements would collide.)
 */
function upsertStatement(mode: WriteMode, withRows: boolean): string {
  const key = `${mode}:${withRows}`;
  const cached = STATEMENTS.get(key);
  if (cached) return cached;
  // After the write, a changed contact is in `w`; an unchanged one is still as `existing` had it.
  // Its content is then the input's (written, or equal by content hash), so only what the database
  // adds comes back: parsing whole rows cost more than the rest of the write. Where the hash says
  // otherwise, the contact is read whole afterwards (see storedContact).
  const rowColumns = withRows
    ? ROW_META.map(([column, field]) => `, COALESCE(w.${column}, existing.${column}) AS "${field}"`).join('')
    : '';
  const text = `
    WITH input AS (
      SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(${INPUT.map(([column, type]) => `${column} ${type}`).join(', ')})
    ),
    written AS (${writtenRows(mode)}),
    versions AS (
      INSERT INTO contact_versions (contact_id, workspace_id, version, payload, normalized, request_id)
      SELECT w.id, w.workspace_id, w.version, i.payload, i.normalized, i.request_id
      FROM written w JOIN input i USING (workspace_id, external_id)
    ),
    queued AS (
      INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
      SELECT w.workspace_id, 'contact', w.id, 'upsert', w.version FROM written w
    )
    SELECT i.idx, COALESCE(w.id, existing.id)::text AS "rowId", w.inserted${rowColumns}
    FROM input i
    LEFT JOIN written w USING (workspace_id, external_id)
    -- A lookup by key per input row (LIMIT 1 keeps it one): joined plainly, a table without
    -- statistics yet (a new database, a first backfill) was read whole by every statement.
    LEFT JOIN LATERAL (
      SELECT id, ${ROW_META.map(([column]) => column).join(', ')} FROM contacts c
      WHERE c.workspace_id = i.workspace_id AND c.external_id = i.external_id AND c.deleted_at IS NULL
      LIMIT 1
    ) existing ON true`;
  STATEMENTS.set(key, text);
  return text;
}

const STATEMENTS = new Map<string, string>();

/** The whole group as one JSON document (one native serialization instead of per-element escaping). */
function inputDocument(writes: readonly IndexedWrite[]): string {
  return JSON.stringify(
    writes.map((write) => {
      const row: Record<string, unknown> = {};
      for (const [column, , pick] of INPUT) row[column] = pick(write, write.contact);
      return row;
    }),
  );
}

interface ResultRow extends Partial<Pick<ContactRow, 'version' | 'createdAt' | 'updatedAt' | 'contentHash'>> {
  idx: number;
  rowId: string | null;
  inserted: boolean | null;
}

type StoredRow = Partial<Omit<ContactRow, 'lifetimeValueMinor'>> & {
  rowId: string | null;
  /** pg returns int8 as a string. */
  lifetimeValueMinor?: string | null;
};

function toRow(stored: StoredRow): ContactRow | null {
  if (!stored.rowId) return null;
  const { rowId: _rowId, lifetimeValueMinor, ...fields } = stored;
  return { ...(fields as Omit<ContactRow, 'lifetimeValueMinor'>), lifetimeValueMinor: lifetimeValueMinor == null ? null : BigInt(lifetimeValueMinor) };
}

/** The contact as stored after a write whose content it holds, with what the database added. */
function writtenRow(write: IndexedWrite, id: string, result: ResultRow): ContactRow {
  const { contact } = write;
  return {
    id,
    workspaceId: write.workspaceId,
    externalId: contact.externalId,
    source: contact.source,
    sourceId: contact.sourceId ?? null,
    email: contact.email ?? null,
    phone: contact.phone ?? null,
    firstName: contact.firstName ?? null,
    lastName: contact.lastName ?? null,
    locale: contact.locale ?? null,
    lifetimeValueMinor: contact.lifetimeValue ? BigInt(contact.lifetimeValue.amountMinor) : null,
    lifetimeValueCurrency: contact.lifetimeValue?.currency ?? null,
    consent: contact.consent as ContactRow['consent'],
    attributes: contact.attributes,
    sourceCreatedAt: contact.sourceCreatedAt ? new Date(contact.sourceCreatedAt) : null,
    sourceUpdatedAt: contact.sourceUpdatedAt ? new Date(contact.sourceUpdatedAt) : null,
    contentHash: write.contentHash,
    version: result.version!,
    createdAt: result.createdAt!,
    updatedAt: result.updatedAt!,
    deletedAt: null,
  };
}

const CONTACT_COLUMNS = `id::text AS "rowId", ${CONTACT_FIELDS.map(([column, field]) => `${column} AS "${field}"`).join(', ')}`;
const SELECT_CONTACT = `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND id = $2 AND deleted_at IS NULL FOR UPDATE`;
const SELECT_BY_EXTERNAL_ID = `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE workspace_id = $1 AND external_id = $2 AND deleted_at IS NULL`;

/**
 * A live contact the statement did not write, whose content is not the write's: in create mode,
 * the contact that was already there; in any mode, one committed while the statement waited for
 * its lock, which the statement's snapshot (`existing`) predates. Read anew, as it stands now.
 */
async function storedContact(client: SqlExecutor, write: IndexedWrite): Promise<ContactRow | null> {
  const { rows } = await client.query<StoredRow>(SELECT_BY_EXTERNAL_ID, [write.workspaceId, write.contact.externalId]);
  return rows[0] ? toRow(rows[0]) : null;
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
    const { rows } = await client.query<StoredRow>(SELECT_CONTACT, [workspaceId, id]);
    const current = rows[0] ? toRow(rows[0]) : null;
    if (!current) {
      await client.query('ROLLBACK');
      return null;
    }
    const [outcome] = await runRounds(client, [[indexed(change(current), 0)]], 'update', true, 1);
    await client.query('COMMIT');
    return outcome!;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

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
    const identity = `${write.workspaceId}\u0000${write.contact.externalId}`;
    const round = occurrences.get(identity) ?? 0;
    occurrences.set(identity, round + 1);
    (rounds[round] ??= []).push(indexed(write, index));
  });
  // Inside a caller's transaction, the rounds commit (or roll back) with the rest of it.
  if (options.within) return runRounds(options.within, rounds, mode, withRows, writes.length);
  if (rounds.length <= 1) return runRounds(sql, rounds, mode, withRows, writes.length);
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    const outcomes = await runRounds(client, rounds, mode, withRows, writes.length);
    await client.query('COMMIT');
    return outcomes;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function runRounds(
  client: SqlExecutor,
  rounds: IndexedWrite[][],
  mode: WriteMode,
  withRows: boolean,
  count: number,
): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = Array.from({ length: count }, () => ({ id: null, status: 'unchanged' }));
  const text = upsertStatement(mode, withRows);
  for (const round of rounds) {
    // A fixed lock order keeps concurrent statements that share contacts from deadlocking.
    round.sort((a, b) => compare(a.workspaceId, b.workspaceId) || compare(a.contact.externalId, b.contact.externalId));
    const { rows } = await client.query<ResultRow>(text, [inputDocument(round)]);
    const byIndex = new Map(round.map((write) => [write.index, write]));
    for (const row of rows) {
      const write = byIndex.get(row.idx)!;
      const status = row.inserted === null ? 'unchanged' : row.inserted ? 'created' : 'updated';
      const { rowId } = row;
      if (rowId !== null && (!withRows || row.contentHash === write.contentHash)) {
        outcomes[row.idx] = { id: rowId, status, ...(withRows ? { row: writtenRow(write, rowId, row) } : {}) };
      } else {
        // Not written (a written row is returned with the input's hash): read it as it stands.
        const stored = await storedContact(client, write);
        outcomes[row.idx] = { id: stored?.id ?? null, status, ...(withRows ? { row: stored } : {}) };
      }
    }
  }
  return outcomes;
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
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(mode) ?? [];
      queue.push({ seq: this.#arrivals++, write, resolve, reject });
      this.#queues.set(mode, queue);
      if (queue.length === 1) setImmediate(() => this.#drain());
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
