import { Prisma, type Contact as ContactRow } from '../generated/prisma/client.ts';
import type { Db } from '../db/client.ts';
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
}

/** Columns a write sets, in the order of the unnest() input below. */
const WRITTEN_COLUMNS = [
  'source', 'source_id', 'email', 'phone', 'first_name', 'last_name', 'locale',
  'lifetime_value_minor', 'lifetime_value_currency', 'consent', 'attributes',
  'source_created_at', 'source_updated_at', 'content_hash',
] as const;

const columnList = Prisma.raw(WRITTEN_COLUMNS.join(', '));
const assignFrom = (alias: string) => Prisma.raw(WRITTEN_COLUMNS.map((column) => `${column} = ${alias}.${column}`).join(', '));

function writtenRows(mode: WriteMode): Prisma.Sql {
  if (mode === 'update') {
    return Prisma.sql`
      UPDATE contacts AS c SET ${assignFrom('i')}, version = c.version + 1, updated_at = now()
      FROM input i
      WHERE c.workspace_id = i.workspace_id AND c.external_id = i.external_id
        AND c.deleted_at IS NULL AND c.content_hash <> i.content_hash
      RETURNING c.id, c.workspace_id, c.external_id, c.version, false AS inserted`;
  }
  const condition =
    mode === 'upsert'
      ? Prisma.sql`c.content_hash <> EXCLUDED.content_hash OR c.deleted_at IS NOT NULL`
      : Prisma.sql`c.deleted_at IS NOT NULL`;
  return Prisma.sql`
    INSERT INTO contacts AS c (workspace_id, external_id, ${columnList})
    SELECT workspace_id, external_id, ${columnList} FROM input
    ON CONFLICT (workspace_id, external_id) DO UPDATE SET
      ${assignFrom('EXCLUDED')}, version = c.version + 1, updated_at = now(), deleted_at = NULL
    WHERE ${condition}
    RETURNING c.id, c.workspace_id, c.external_id, c.version, (c.xmax = 0) AS inserted`;
}

/**
 * One statement for any number of contacts: upserts them, records a version for each change and
 * queues its activation, so the outbox row commits with the change or not at all. Rows that
 * did not change come back with `inserted` null.
 */
function upsertStatement(writes: readonly (ContactWrite & { index: number })[], mode: WriteMode): Prisma.Sql {
  const column = <T>(pick: (write: ContactWrite & { index: number }, contact: NormalizedContact) => T) =>
    writes.map((write) => pick(write, write.contact));
  return Prisma.sql`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((w) => w.index)}::int[],
        ${column((w) => w.workspaceId)}::uuid[],
        ${column((w) => w.requestId)}::text[],
        ${column((_, c) => c.externalId)}::text[],
        ${column((_, c) => c.source)}::text[],
        ${column((_, c) => c.sourceId ?? null)}::text[],
        ${column((_, c) => c.email ?? null)}::text[],
        ${column((_, c) => c.phone ?? null)}::text[],
        ${column((_, c) => c.firstName ?? null)}::text[],
        ${column((_, c) => c.lastName ?? null)}::text[],
        ${column((_, c) => c.locale ?? null)}::text[],
        ${column((_, c) => (c.lifetimeValue ? String(c.lifetimeValue.amountMinor) : null))}::bigint[],
        ${column((_, c) => c.lifetimeValue?.currency ?? null)}::text[],
        ${column((_, c) => JSON.stringify(c.consent))}::jsonb[],
        ${column((_, c) => JSON.stringify(c.attributes))}::jsonb[],
        ${column((_, c) => c.sourceCreatedAt ?? null)}::timestamptz[],
        ${column((_, c) => c.sourceUpdatedAt ?? null)}::timestamptz[],
        ${column((_, c) => contentHash(c))}::text[],
        ${column((w) => JSON.stringify(w.payload ?? null))}::jsonb[],
        ${column((_, c) => JSON.stringify(c))}::jsonb[]
      ) AS t(idx, workspace_id, request_id, external_id, source, source_id, email, phone, first_name, last_name,
             locale, lifetime_value_minor, lifetime_value_currency, consent, attributes,
             source_created_at, source_updated_at, content_hash, payload, normalized)
    ),
    written AS (${writtenRows(mode)}
    ),
    versions AS (
      INSERT INTO contact_versions (contact_id, workspace_id, version, payload, normalized, request_id)
      SELECT w.id, w.workspace_id, w.version, i.payload, i.normalized, i.request_id
      FROM written w JOIN input i USING (workspace_id, external_id)
    ),
    queued AS (
      INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
      SELECT w.workspace_id, 'contact', w.id, 'upsert', w.version FROM written w
    )
    SELECT i.idx, COALESCE(w.id, existing.id)::text AS id, w.inserted
    FROM input i
    LEFT JOIN written w USING (workspace_id, external_id)
    LEFT JOIN contacts existing ON existing.workspace_id = i.workspace_id AND existing.external_id = i.external_id`;
}

interface WrittenRow {
  idx: number;
  id: string | null;
  inserted: boolean | null;
}

/**
 * Writes contacts; the outcome of writes[i] is at index i. Writes sharing a contact are applied
 * in order, one round per occurrence, so each gets its own result and version.
 */
export async function writeContacts(db: Db, writes: readonly ContactWrite[], mode: WriteMode): Promise<WriteOutcome[]> {
  const rounds: (ContactWrite & { index: number })[][] = [];
  const occurrences = new Map<string, number>();
  writes.forEach((write, index) => {
    const identity = `${write.workspaceId}\u0000${write.contact.externalId}`;
    const round = occurrences.get(identity) ?? 0;
    occurrences.set(identity, round + 1);
    (rounds[round] ??= []).push({ ...write, index });
  });
  const outcomes: WriteOutcome[] = writes.map(() => ({ id: null, status: 'unchanged' }));
  const run = async (client: Prisma.TransactionClient) => {
    for (const round of rounds) {
      // A fixed lock order keeps concurrent statements that share contacts from deadlocking.
      round.sort((a, b) => compare(a.workspaceId, b.workspaceId) || compare(a.contact.externalId, b.contact.externalId));
      for (const row of await client.$queryRaw<WrittenRow[]>(upsertStatement(round, mode))) {
        outcomes[row.idx] = { id: row.id, status: row.inserted === null ? 'unchanged' : row.inserted ? 'created' : 'updated' };
      }
    }
  };
  if (rounds.length === 1) await run(db);
  else if (rounds.length > 1) await db.$transaction(run);
  return outcomes;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A single write's outcome with the contact as it stands after the write (null if it does not exist). */
export interface WrittenContact extends WriteOutcome {
  row: ContactRow | null;
}

interface Waiting {
  write: ContactWrite;
  resolve(outcome: WrittenContact): void;
  reject(error: unknown): void;
}

/**
 * Group commit for single-record writes. Concurrent requests each wait for their own commit,
 * but share one statement and one commit: under load one round trip serves many requests,
 * instead of every request paying for its own (a commit per request caps this machine at about
 * 1,300 writes/s; a shared one at several thousand). A request alone is written at once.
 */
export class CoalescingWriter {
  readonly #queues = new Map<WriteMode, Waiting[]>();
  #inFlight = 0;

  constructor(
    private readonly db: Db,
    /** Statements in flight at once; further writes wait and join the next one. */
    private readonly maxInFlight: number,
    private readonly maxGroup = 500,
  ) {}

  write(write: ContactWrite, mode: WriteMode): Promise<WrittenContact> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(mode) ?? [];
      queue.push({ write, resolve, reject });
      this.#queues.set(mode, queue);
      if (queue.length === 1) setImmediate(() => this.#drain());
    });
  }

  #drain() {
    while (this.#inFlight < this.maxInFlight) {
      const next = [...this.#queues].find(([, queue]) => queue.length > 0);
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
      const outcomes = await writeContacts(this.db, group.map((waiting) => waiting.write), mode);
      // One read for the whole group, after its commit.
      const ids = outcomes.flatMap((outcome) => (outcome.id ? [outcome.id] : []));
      const rows = new Map((await this.db.contact.findMany({ where: { id: { in: ids } } })).map((row) => [row.id, row]));
      group.forEach((waiting, i) => {
        const outcome = outcomes[i]!;
        waiting.resolve({ ...outcome, row: (outcome.id && rows.get(outcome.id)) || null });
      });
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One bad write must not fail its neighbours: write each alone, each with its own answer.
      await Promise.all(group.map((waiting) => this.#flush([waiting], mode)));
    }
  }
}
