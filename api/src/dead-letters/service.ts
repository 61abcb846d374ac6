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

const letterRow = (letter: NewDeadLetter): Prisma.DeadLetterUncheckedCreateInput => ({
  workspaceId: letter.workspaceId,
  entityType: letter.entityType,
  entityId: letter.entityId,
  sourceObjectId: letter.sourceObjectId,
  syncJobId: letter.syncJobId ?? null,
  category: letter.category,
  reason: letter.reason,
  request: letter.request as Prisma.InputJsonObject,
  response: (letter.response ?? {}) as Prisma.InputJsonObject,
});

/** Records Brevo refused for good, kept with the request and answer until retried or discarded. */
export class DeadLetterService {
  constructor(
    private readonly db: Db,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Records a letter, and queues its announcement (dead_letter.created) in the same transaction;
   * pass a transaction to record it together with the state it explains.
   */
  async record(letter: NewDeadLetter, tx?: Prisma.TransactionClient): Promise<DeadLetterRow> {
    if (!tx) return this.db.$transaction((own) => this.record(letter, own));
    const row = await tx.deadLetter.create({ data: letterRow(letter) });
    await tx.activationOutbox.create({ data: { workspaceId: letter.workspaceId, entityType: DEAD_LETTER_ENTITY, entityId: row.id, operation: 'create', entityVersion: 1 } });
    // Counted as written: a caller's transaction that rolls back afterwards (rare, and retried) counts it twice.
    this.metrics.count('dead_lettered', 1, letter.category);
    return row;
  }

  /**
   * Records a letter unless an open one already says the same of the same record (or source
   * object): a job retried after it wrote its letters writes them once. Answers whether it did.
   */
  async recordUnlessOpen(letter: NewDeadLetter): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const open = await tx.deadLetter.findFirst({
        where: { workspaceId: letter.workspaceId, entityType: letter.entityType, ...(letter.entityId ? { entityId: letter.entityId } : { sourceObjectId: letter.sourceObjectId }), reason: letter.reason, status: 'open' },
        select: { id: true },
      });
      if (open) return false;
      await this.record(letter, tx);
      return true;
    });
  }

  /** Records many letters of one workspace at once (a finding about many records), each announced as record() does, inside the caller's transaction. */
  async recordMany(workspaceId: string, letters: Omit<NewDeadLetter, 'workspaceId'>[], tx: Prisma.TransactionClient): Promise<void> {
    if (letters.length === 0) return;
    const rows = await tx.deadLetter.createManyAndReturn({ data: letters.map((letter) => letterRow({ ...letter, workspaceId })), select: { id: true } });
    await tx.activationOutbox.createMany({ data: rows.map((row) => ({ workspaceId, entityType: DEAD_LETTER_ENTITY, entityId: row.id, operation: 'create', entityVersion: 1 })) });
    for (const letter of letters) this.metrics.count('dead_lettered', 1, letter.category);
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
   * applies it once (an activation already carried out since is skipped, never repeated).
   */
  async retry(workspaceId: string, id: string) {
    return this.db.$transaction(async (tx) => {
      const row = await tx.deadLetter.findFirst({ where: { id, workspaceId } });
      if (!row) throw notFound('The dead letter');
      if (row.status === 'discarded') throw new AppError('conflict', 'The dead letter was discarded; it cannot be retried.');
      const requeue = REQUEUE[row.entityType];
      if (!requeue || !row.entityId || !(await requeue(tx, workspaceId, row.entityId))) {
        throw new AppError('conflict', 'The record behind this dead letter no longer exists in Tajo.');
      }
      return toDeadLetter(await tx.deadLetter.update({ where: { id }, data: { status: 'retried' } }));
    });
  }

  async discard(workspaceId: string, id: string) {
    const { count } = await this.db.deadLetter.updateMany({ where: { id, workspaceId }, data: { status: 'discarded' } });
    if (count === 0) throw notFound('The dead letter');
    return this.get(workspaceId, id);
  }
}
