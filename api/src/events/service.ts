import type { Db } from '../db/client.ts';
import type { Prisma, Event as EventRow } from '../generated/prisma/client.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import { normalizeEmail, type Rejection } from '../contacts/normalize.ts';
import type { WriteContext } from '../contacts/service.ts';
import { normalizeEvent, type NormalizedEvent } from './normalize.ts';
import { tally, type Metrics } from '../metrics/registry.ts';

export type EventWriteResult = 'created' | 'unchanged';

export interface EventOutcome {
  index: number;
  status: EventWriteResult | 'rejected';
  id: string | null;
  eventId: string | null;
  errors: Rejection[];
}

export interface EventSearch {
  contactExternalId?: string | undefined;
  email?: string | undefined;
  name?: string | undefined;
  since?: string | undefined;
  receivedSince?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The outbox's name for events, and the one operation it carries for them: send it to Brevo. */
export const EVENT_ENTITY = 'event';
const MAX_EVENT_NAMES = 1_000;
export const TRACK = 'track';

const CONFLICT_REASON = 'this eventId was already tracked with different content; use a new eventId for a new event';

interface Accepted {
  index: number;
  event: NormalizedEvent;
  contentHash: string;
  payload: unknown;
}

export class EventService {
  constructor(
    private readonly db: Db,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Tracks each event on its own: one bad event never fails the others. An event ID seen before
   * answers `unchanged` when the content is the same and is rejected when it differs.
   */
  async trackMany(
    ctx: WriteContext,
    records: readonly unknown[],
    within?: Prisma.TransactionClient,
  ): Promise<{ outcomes: EventOutcome[]; rows: Map<string, EventRow> }> {
    const outcomes: EventOutcome[] = new Array(records.length);
    const firstById = new Map<string, Accepted>();
    const repeats: Accepted[] = [];
    const normalizeContext = { defaultRegion: ctx.settings.defaultPhoneRegion, receivedAt: new Date().toISOString() };
    records.forEach((record, index) => {
      const normalized = normalizeEvent(record, normalizeContext);
      if (!normalized.ok) {
        outcomes[index] = { index, status: 'rejected', id: null, eventId: null, errors: normalized.rejections };
        return;
      }
      const accepted = { index, event: normalized.event, contentHash: normalized.contentHash, payload: record };
      if (firstById.has(accepted.event.eventId)) repeats.push(accepted);
      else firstById.set(accepted.event.eventId, accepted);
    });

    const rows = new Map<string, EventRow>();
    const created = new Set<string>();
    if (firstById.size > 0) {
      const inTransaction = async (tx: Prisma.TransactionClient) => {
        const inserted = await tx.event.createManyAndReturn({
          data: [...firstById.values()].map(({ event, contentHash, payload }) => toRow(ctx, event, contentHash, payload)),
          skipDuplicates: true,
        });
        // The outbox row commits with the event: nothing tracked is ever left unsent.
        await tx.activationOutbox.createMany({
          data: inserted.map((row) => ({ workspaceId: ctx.workspaceId, entityType: EVENT_ENTITY, entityId: row.id, operation: TRACK, entityVersion: 1 })),
        });
        for (const row of inserted) {
          rows.set(row.eventId, row);
          created.add(row.eventId);
        }
        const known = [...firstById.keys()].filter((eventId) => !rows.has(eventId));
        if (known.length > 0) {
          for (const row of await tx.event.findMany({ where: { workspaceId: ctx.workspaceId, eventId: { in: known } } })) rows.set(row.eventId, row);
        }
      };
      await (within ? inTransaction(within) : this.db.$transaction(inTransaction));
    }
    for (const accepted of [...firstById.values(), ...repeats]) {
      const { index, event } = accepted;
      const row = rows.get(event.eventId)!;
      if (row.contentHash !== accepted.contentHash) {
        outcomes[index] = { index, status: 'rejected', id: null, eventId: event.eventId, errors: [{ field: 'eventId', reason: CONFLICT_REASON }] };
      } else {
        const first = firstById.get(event.eventId) === accepted;
        outcomes[index] = { index, status: first && created.has(event.eventId) ? 'created' : 'unchanged', id: row.id, eventId: event.eventId, errors: [] };
      }
    }
    // Given a transaction, the caller counts what it commits.
    if (!within) this.metrics.countWrite(records.length, tally(outcomes));
    return { outcomes, rows };
  }

  async track(ctx: WriteContext, input: unknown) {
    const { outcomes, rows } = await this.trackMany(ctx, [input]);
    const outcome = outcomes[0]!;
    if (outcome.status === 'rejected') {
      const conflict = outcome.errors.some((error) => error.reason === CONFLICT_REASON);
      const row = outcome.eventId ? rows.get(outcome.eventId) : undefined;
      if (conflict && row) throw new AppError('conflict', `Event ID '${row.eventId}' was already tracked with different content (id ${row.id}); use a new eventId for a new event.`);
      throw new AppError('validation', 'The event cannot be normalized; see errors.', {
        errors: outcome.errors.map((rejection) => ({ field: `body.${rejection.field}`.replace(/\.$/, ''), reason: rejection.reason })),
      });
    }
    return { result: outcome.status, event: toEvent(rows.get(outcome.eventId!)!) };
  }

  async get(workspaceId: string, id: string) {
    const row = await this.db.event.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The event');
    return toEvent(row);
  }

  /** Distinct event names; bounded, since names are a vocabulary, not data. */
  async names(workspaceId: string) {
    const groups = await this.db.event.groupBy({
      by: ['name'],
      where: { workspaceId },
      _count: { _all: true },
      _max: { createdAt: true },
      orderBy: { name: 'asc' },
      take: MAX_EVENT_NAMES,
    });
    return groups.map((group) => ({ name: group.name, count: group._count._all, lastReceivedAt: group._max.createdAt!.toISOString() }));
  }

  async search(workspaceId: string, query: EventSearch) {
    const where: Prisma.EventWhereInput = { workspaceId };
    if (query.contactExternalId !== undefined) where.contactExternalId = query.contactExternalId;
    if (query.name !== undefined) where.name = query.name;
    if (query.email !== undefined) {
      const email = normalizeEmail(query.email);
      if (!email.ok) throw new AppError('validation', `The email to match is invalid: ${email.reason}.`, { errors: [{ field: 'query.email', reason: email.reason }] });
      where.email = email.value;
    }
    const and: Prisma.EventWhereInput[] = [];
    if (query.since !== undefined) and.push({ occurredAt: { gte: new Date(query.since) } });
    // Polling by receipt: an event that occurred long ago but arrived now still comes after the last poll.
    const order = query.receivedSince === undefined ? 'occurredAt' : 'createdAt';
    if (query.receivedSince !== undefined) and.push({ createdAt: { gte: new Date(query.receivedSince) } });
    if (query.cursor !== undefined) and.push(afterCursor(order, query.cursor));
    if (and.length > 0) where.AND = and;
    const rows = await this.db.event.findMany({ where, orderBy: [{ [order]: 'asc' }, { id: 'asc' }], take: query.limit + 1 });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row[order]);
    return { data: page.map(toEvent), nextCursor };
  }
}

function toRow(ctx: WriteContext, event: NormalizedEvent, contentHash: string, payload: unknown): Prisma.EventCreateManyInput {
  return {
    workspaceId: ctx.workspaceId,
    eventId: event.eventId,
    name: event.name,
    occurredAt: new Date(event.occurredAt),
    contactExternalId: event.contact.externalId ?? null,
    email: event.contact.email ?? null,
    phone: event.contact.phone ?? null,
    properties: event.properties as Prisma.InputJsonObject,
    contactProperties: event.contactProperties,
    contentHash,
    payload: payload as Prisma.InputJsonObject,
    requestId: ctx.requestId,
  };
}

export function toEvent(row: EventRow) {
  return {
    id: row.id,
    eventId: row.eventId,
    name: row.name,
    occurredAt: row.occurredAt.toISOString(),
    contact: { externalId: row.contactExternalId, email: row.email, phone: row.phone },
    properties: row.properties as Record<string, unknown>,
    contactProperties: row.contactProperties as Record<string, string | number>,
    createdAt: row.createdAt.toISOString(),
  };
}
