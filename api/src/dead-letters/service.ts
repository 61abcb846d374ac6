import type { Db } from '../db/client.ts';
import type { Prisma, DeadLetter as DeadLetterRow } from '../generated/prisma/client.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { EVENT_ENTITY, TRACK } from '../events/service.ts';
import { LIST_ENTITY, LIST_MEMBERSHIP_ENTITY, queueList, queueMembershipSync } from '../lists/service.ts';
import { MESSAGE_ENTITY, queueMessage } from '../messages/service.ts';
import { CAMPAIGN_DRAFT_ENTITY, queueCampaignDraft } from '../campaigns/service.ts';
import { OBJECT_ASSOCIATION_ENTITY, OBJECT_RECORD_ENTITY } from '../objects/service.ts';
import type { Metrics } from '../metrics/registry.ts';

/** The outbox's name for dead letters: their creation is announced to webhook subscribers, never activated. */
export const DEAD_LETTER_ENTITY = 'dead_letter';

export const DEAD_LETTER_CATEGORIES = ['mapping', 'validation', 'authentication', 'permission', 'rate_limited', 'vendor_unavailable'] as const;
export const DEAD_LETTER_STATUSES = ['open', 'retried', 'discarded'] as const;

export type DeadLetterCategory = (typeof DEAD_LETTER_CATEGORIES)[number];
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

type HandledStatus = Exclude<DeadLetterStatus, 'open'>;
/** What retry and discard answer: the letter handled by this request, or already (and nothing done). */
type HandledResult<To extends HandledStatus> = To | `already_${To}`;
export const RETRY_RESULTS = ['retried', 'already_retried'] as const satisfies HandledResult<'retried'>[];
export const DISCARD_RESULTS = ['discarded', 'already_discarded'] as const satisfies HandledResult<'discarded'>[];

export interface NewDeadLetter {
  workspaceId: string;
  entityType: string;
  entityId: string | null;
  sourceObjectId: string;
  syncJobId?: string;
  category: DeadLetterCategory;
  reason: string;
  request: object;
  response: unknown;
}

export interface DeadLetterSearch {
  category?: DeadLetterCategory | undefined;
  status?: DeadLetterStatus | undefined;
  since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export const toDeadLetter = (row: DeadLetterRow) => ({
  id: row.id,
  entityType: row.entityType,
  entityId: row.entityId,
  sourceObjectId: row.sourceObjectId,
  syncJobId: row.syncJobId,
  category: row.category as DeadLetterCategory,
  reason: row.reason,
  request: row.request,
  response: row.response,
  status: row.status as DeadLetterStatus,
  occurrences: row.occurrences,
  lastSeenAt: row.lastSeenAt.toISOString(),
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Queues a dead letter's record for activation again, with its current data; false when the record is gone. */
const REQUEUE: Record<string, (tx: Prisma.TransactionClient, workspaceId: string, entityId: string) => Promise<boolean>> = {
  async contact(tx, workspaceId, contactId) {
    const contact = await tx.contact.findFirst({ where: { id: contactId, workspaceId } });
    if (!contact) return false;
    // The state row says which version Brevo has: version 0 makes the worker send the current one,
    // while the email Brevo has stays known (an email change must keep Brevo's blocklist).
    await tx.brevoContactState.updateMany({ where: { contactId }, data: { version: 0 } });
    await tx.activationOutbox.create({
      data: { workspaceId, entityType: 'contact', entityId: contactId, operation: contact.deletedAt ? 'delete' : 'upsert', entityVersion: contact.version, replay: true },
    });
    return true;
  },
  async [LIST_ENTITY](tx, workspaceId, listId) {
    const list = await tx.list.findFirst({ where: { id: listId, workspaceId } });
    if (list) {
      await queueList(tx, list, 'upsert');
      return true;
    }
    // Gone from Tajo: what can still be retried is the deletion of its Brevo list.
    if (!(await tx.brevoListState.findFirst({ where: { listId, workspaceId } }))) return false;
    // The list is gone, and its version with it.
    await queueList(tx, { id: listId, workspaceId, version: 0 }, 'delete');
    return true;
  },
  async [LIST_MEMBERSHIP_ENTITY](tx, workspaceId, listId) {
    const list = await tx.list.findFirst({ where: { id: listId, workspaceId } });
    if (list) await queueMembershipSync(tx, workspaceId, list);
    return list !== null;
  },
  /**
   * A failed message is sent again only on this explicit request, still under its own ID as
   * Brevo's idempotency key; one queued or sent since is left alone (retrying twice sends once).
   */
  async [MESSAGE_ENTITY](tx, workspaceId, messageId) {
    const message = await tx.message.findFirst({ where: { id: messageId, workspaceId }, select: { status: true } });
    if (message?.status === 'failed') {
      await tx.message.update({ where: { id: messageId }, data: { status: 'queued', attemptedAt: null } });
      await queueMessage(tx, { id: messageId, workspaceId });
    }
    return message !== null;
  },
  /**
   * Sent again with its current data; what Brevo's type lacks is checked anew (an operator may
   * have added the attributes or created the type in Brevo since).
   */
  async [OBJECT_RECORD_ENTITY](tx, workspaceId, recordId) {
    const record = await tx.objectRecord.findFirst({ where: { id: recordId, workspaceId } });
    if (!record) return false;
    // The type's row first: object activation locks it before the record states (one order, no deadlock).
    await tx.brevoObjectTypeState.deleteMany({ where: { objectTypeId: record.objectTypeId } });
    await tx.brevoObjectState.deleteMany({ where: { recordId } });
    await tx.activationOutbox.create({
      data: { workspaceId, entityType: OBJECT_RECORD_ENTITY, entityId: recordId, operation: record.deletedAt ? 'delete' : 'upsert', entityVersion: record.version, replay: true },
    });
    return true;
  },
  /** Waits for its ends again, from now (its deadline counts from its last change). */
  async [OBJECT_ASSOCIATION_ENTITY](tx, workspaceId, associationId) {
    const association = await tx.objectAssociation.findFirst({ where: { id: associationId, workspaceId } });
    if (!association) return false;
    await tx.brevoObjectAssociationState.deleteMany({ where: { associationId } });
    if (!association.deletedAt) await tx.objectAssociation.update({ where: { id: associationId }, data: { updatedAt: new Date() } });
    await tx.activationOutbox.create({
      data: { workspaceId, entityType: OBJECT_ASSOCIATION_ENTITY, entityId: associationId, operation: association.deletedAt ? 'delete' : 'upsert', entityVersion: association.version, replay: true },
    });
    return true;
  },
  async [CAMPAIGN_DRAFT_ENTITY](tx, workspaceId, draftId) {
    const draft = await tx.campaignDraft.findFirst({ where: { id: draftId, workspaceId }, select: { status: true } });
    if (draft?.status === 'failed') {
      await tx.campaignDraft.update({ where: { id: draftId }, data: { status: 'queued' } });
      await queueCampaignDraft(tx, { id: draftId, workspaceId });
    }
    return draft !== null;
  },
  /** Forgetting a refused or in-doubt event's state lets the worker send it once more; an accepted one stays skipped. */
  async [EVENT_ENTITY](tx, workspaceId, eventId) {
    const event = await tx.event.findFirst({ where: { id: eventId, workspaceId }, select: { id: true } });
    if (!event) return false;
    await tx.brevoEventState.deleteMany({ where: { eventId, status: { in: ['rejected', 'in_doubt'] } } });
    await tx.activationOutbox.create({ data: { workspaceId, entityType: EVENT_ENTITY, entityId: eventId, operation: TRACK, entityVersion: 1, replay: true } });
    return true;
  },
};

/**
 * What makes two letters one: the same record (its Tajo ID; without one, its ID at the source,
 * qualified by the source a source record's request names, for two sources may share object IDs)
 * failing the same way (category and reason). Hashed, so that a long reason still fits an index
 * entry. An expression over dead_letters' columns; migration 20261206230000 keys older letters
 * with the same one.
 */
const DEDUP_KEY = `encode(sha256(convert_to(concat_ws(chr(31), entity_type,
  COALESCE(entity_id::text, COALESCE(request->>'sourceId', '') || ':' || COALESCE(source_object_id, '')),
  category, reason), 'UTF8')), 'hex')`;

const ROW_COLUMNS = `id, workspace_id AS "workspaceId", entity_type AS "entityType", entity_id AS "entityId",
  source_object_id AS "sourceObjectId", sync_job_id AS "syncJobId", category, reason, request, response, status,
  occurrences, last_seen_at AS "lastSeenAt", dedup_key AS "dedupKey", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Writes letters, each a new open letter or one more occurrence of the open letter with its key,
 * which then tells of its latest occurrence (request, answer, sync job): what an operator checks
 * is what happens now. The partial unique index on open letters' keys decides between the two
 * under concurrency (two workers, two pages of a sync), and a handled letter absorbs nothing.
 * Repeats within one call are folded first (one statement may not update a row twice), and rows
 * are written in key order, so concurrent calls lock shared letters in one order. New letters are
 * announced (dead_letter.created) by the same statement; repeats are no news to subscribers.
 */
const WRITE_LETTERS = `
WITH input AS (
  SELECT letter.*, ${DEDUP_KEY} AS dedup_key
  FROM jsonb_to_recordset($1::jsonb) AS letter(ord int, workspace_id uuid, entity_type text, entity_id uuid, source_object_id text,
    sync_job_id text, category text, reason text, request jsonb, response jsonb)
), folded AS (
  SELECT DISTINCT ON (workspace_id, dedup_key) *, count(*) OVER (PARTITION BY workspace_id, dedup_key)::int AS occurrences
  FROM input ORDER BY workspace_id, dedup_key, ord DESC
), written AS (
  INSERT INTO dead_letters (workspace_id, entity_type, entity_id, source_object_id, sync_job_id, category, reason, request, response, occurrences, dedup_key)
  SELECT workspace_id, entity_type, entity_id, source_object_id, sync_job_id, category, reason, request, response, occurrences, dedup_key
  FROM folded ORDER BY workspace_id, dedup_key
  ON CONFLICT (workspace_id, dedup_key) WHERE status = 'open' DO UPDATE SET
    occurrences = dead_letters.occurrences + EXCLUDED.occurrences, last_seen_at = now(), updated_at = now(),
    source_object_id = EXCLUDED.source_object_id, sync_job_id = EXCLUDED.sync_job_id, request = EXCLUDED.request, response = EXCLUDED.response
  RETURNING *
), outcomes AS (
  -- A letter that absorbed the write counts its earlier occurrences too.
  SELECT written.*, written.occurrences = folded.occurrences AS created, folded.occurrences AS added
  FROM written JOIN folded USING (workspace_id, dedup_key)
), announced AS (
  INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version)
  SELECT workspace_id, '${DEAD_LETTER_ENTITY}', id, 'create', 1 FROM outcomes WHERE created
)
SELECT ${ROW_COLUMNS}, created, added FROM outcomes`;

type Executor = Pick<Prisma.TransactionClient, '$queryRawUnsafe'>;

interface Written {
  row: DeadLetterRow;
  /** A new open letter, rather than more occurrences of one. */
  created: boolean;
}

/** Records Brevo refused for good, kept with the request and answer until retried or discarded. */
export class DeadLetterService {
  constructor(
    private readonly db: Db,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Records a letter, or counts it on the open letter that says the same of the same record; a
   * new one is announced (dead_letter.created). Pass a transaction to record it together with the
   * state it explains.
   */
  async record(letter: NewDeadLetter, tx?: Prisma.TransactionClient): Promise<DeadLetterRow> {
    const [written] = await this.#write(tx ?? this.db, [letter]);
    return written!.row;
  }

  /**
   * Records a letter as record() does; answers whether it is a new one (false: an open letter
   * says the same already, and counts it), so a job retried after it wrote its letters reports them once.
   */
  async recordUnlessOpen(letter: NewDeadLetter): Promise<boolean> {
    const [written] = await this.#write(this.db, [letter]);
    return written!.created;
  }

  /** Records many letters of one workspace at once (a finding about many records), each as record() does, inside the caller's transaction. */
  async recordMany(workspaceId: string, letters: Omit<NewDeadLetter, 'workspaceId'>[], tx: Prisma.TransactionClient): Promise<void> {
    if (letters.length > 0) await this.#write(tx, letters.map((letter) => ({ ...letter, workspaceId })));
  }

  async #write(executor: Executor, letters: NewDeadLetter[]): Promise<Written[]> {
    const input = letters.map((letter, ord) => ({
      ord,
      workspace_id: letter.workspaceId,
      entity_type: letter.entityType,
      entity_id: letter.entityId,
      source_object_id: letter.sourceObjectId,
      sync_job_id: letter.syncJobId ?? null,
      category: letter.category,
      reason: letter.reason,
      request: letter.request,
      response: letter.response ?? {},
    }));
    const rows = await executor.$queryRawUnsafe<(DeadLetterRow & { created: boolean; added: number })[]>(WRITE_LETTERS, JSON.stringify(input));
    // Counted as written: a caller's transaction that rolls back afterwards (rare, and retried) counts them twice.
    for (const { created, added, category } of rows) {
      if (created) this.metrics.count('dead_lettered', 1, category);
      this.metrics.count('dead_lettered_again', created ? added - 1 : added, category);
    }
    return rows.map(({ created, added: _added, ...row }) => ({ row, created }));
  }

  async search(workspaceId: string, query: DeadLetterSearch) {
    const where: Prisma.DeadLetterWhereInput = { workspaceId };
    if (query.category) where.category = query.category;
    if (query.status) where.status = query.status;
    const and: Prisma.DeadLetterWhereInput[] = [];
    if (query.since) and.push({ createdAt: { gte: new Date(query.since) } });
    if (query.cursor) and.push(afterCursor('createdAt', query.cursor));
    if (and.length > 0) where.AND = and;
    const rows = await this.db.deadLetter.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: query.limit + 1 });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.createdAt);
    return { data: page.map(toDeadLetter), nextCursor };
  }

  async get(workspaceId: string, id: string) {
    const row = await this.db.deadLetter.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The dead letter');
    return toDeadLetter(row);
  }

  /**
   * Re-runs activation with the record's current data: queues it like any change, so the worker
   * applies it once (an activation already carried out since is skipped, never repeated). A letter
   * is retried once: asked again, it answers already_retried and queues nothing.
   */
  async retry(workspaceId: string, id: string) {
    return this.#handle(workspaceId, id, 'retried', async (tx, letter) => {
      const requeue = REQUEUE[letter.entityType];
      if (!requeue || !letter.entityId || !(await requeue(tx, workspaceId, letter.entityId))) {
        throw new AppError('conflict', 'The record behind this dead letter no longer exists in Tajo.');
      }
    });
  }

  /** Marks it handled without activating the record; it stays for audit. Asked again, it answers already_discarded. */
  async discard(workspaceId: string, id: string) {
    return this.#handle(workspaceId, id, 'discarded');
  }

  /**
   * Moves an open letter to `to` and does what that takes (`handle`), in one transaction: a failure
   * leaves it open. The conditional UPDATE decides between racing requests: the second waits for
   * the first's row lock, then finds the letter no longer open. A letter handled the same way
   * already is answered as it stands; one handled the other way is a conflict.
   */
  async #handle<To extends HandledStatus>(workspaceId: string, id: string, to: To, handle?: (tx: Prisma.TransactionClient, letter: DeadLetterRow) => Promise<void>) {
    return this.db.$transaction(async (tx): Promise<ReturnType<typeof toDeadLetter> & { result: HandledResult<To> }> => {
      const [claimed] = await tx.$queryRawUnsafe<DeadLetterRow[]>(
        `UPDATE dead_letters SET status = $3, updated_at = now() WHERE id = $1::uuid AND workspace_id = $2::uuid AND status = 'open' RETURNING ${ROW_COLUMNS}`,
        id,
        workspaceId,
        to,
      );
      if (claimed) {
        await handle?.(tx, claimed);
        return { ...toDeadLetter(claimed), result: to };
      }
      const letter = await tx.deadLetter.findFirst({ where: { id, workspaceId } });
      if (!letter) throw notFound('The dead letter');
      if (letter.status !== to) throw new AppError('conflict', `The dead letter was ${letter.status}; it cannot be ${to}.`);
      return { ...toDeadLetter(letter), result: `already_${to}` };
    });
  }
}
