import type { Db } from '../db/client.ts';
import type { Prisma, WebhookDelivery as DeliveryRow, WebhookSubscription as SubscriptionRow } from '../generated/prisma/client.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import type { CallbackPolicy } from './callback-policy.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { newWebhookSecret, webhookSigningKey } from '../security/webhook-secrets.ts';
import type { WebhookDeliveryStatus, WebhookEventType } from './schemas.ts';


export interface NewWebhookSubscription {
  url: string;
  events: WebhookEventType[];
  description?: string | undefined;
}

export interface WebhookDeliverySearch {
  status?: WebhookDeliveryStatus | undefined;
  since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Where and how to send a subscription's notifications. */
export interface WebhookTarget {
  id: string;
  url: string;
  /** The HMAC key: the secret's bytes. */
  signingKey: Buffer;
}

export const toWebhookSubscription = (row: SubscriptionRow) => ({
  id: row.id,
  url: row.url,
  events: row.events as WebhookEventType[],
  description: row.description,
  status: row.status as 'active' | 'disabled',
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export const toWebhookDelivery = (row: DeliveryRow) => ({
  id: row.id,
  subscriptionId: row.subscriptionId,
  type: row.eventType as WebhookEventType,
  entityId: row.entityId,
  occurredAt: row.occurredAt.toISOString(),
  status: row.status as WebhookDeliveryStatus,
  attempts: row.attempts,
  lastStatusCode: row.lastStatusCode,
  lastError: row.lastError,
  lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
  deliveredAt: row.deliveredAt?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});


/**
 * Webhook subscriptions: a recipe's callback URL and the event types it wants. The signing secret
 * is sealed at rest and shown once, at creation. Deliveries are queued by the outbox relay and sent
 * by the delivery worker (./delivery.ts).
 */
export class WebhookService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    readonly callbacks: CallbackPolicy,
  ) {}

  async create(workspaceId: string, input: NewWebhookSubscription) {
    const refused = await this.callbacks.refusal(input.url);
    if (refused) throw new AppError('validation', `The callback URL cannot be used: ${refused.reason}.`, { errors: [{ field: 'body.url', reason: refused.reason }] });
    const secret = newWebhookSecret();
    const row = await this.db.webhookSubscription.create({
      data: {
        workspaceId,
        url: input.url,
        events: [...new Set(input.events)],
        description: input.description || null,
        secretCiphertext: this.secrets.seal(secret),
      },
    });
    return { ...toWebhookSubscription(row), secret };
  }

  async get(workspaceId: string, id: string) {
    return toWebhookSubscription(await this.#find(workspaceId, id));
  }

  async search(workspaceId: string, query: { limit: number; cursor?: string | undefined }) {
    const where: Prisma.WebhookSubscriptionWhereInput = { workspaceId };
    if (query.cursor !== undefined) where.AND = [afterCursor('createdAt', query.cursor)];
    const rows = await this.db.webhookSubscription.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: query.limit + 1 });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.createdAt);
    return { data: page.map(toWebhookSubscription), nextCursor };
  }

  /** Deletes the subscription and its delivery records: a delivery still queued finds nothing to send. */
  async delete(workspaceId: string, id: string) {
    const { count } = await this.db.webhookSubscription.deleteMany({ where: { id, workspaceId } });
    if (count === 0) throw notFound('The webhook subscription');
    return { id, status: 'deleted' as const };
  }

  async deliveries(workspaceId: string, subscriptionId: string, query: WebhookDeliverySearch) {
    await this.#find(workspaceId, subscriptionId);
    const where: Prisma.WebhookDeliveryWhereInput = { subscriptionId };
    if (query.status) where.status = query.status;
    const and: Prisma.WebhookDeliveryWhereInput[] = [];
    if (query.since) and.push({ createdAt: { gte: new Date(query.since) } });
    if (query.cursor) and.push(afterCursor('createdAt', query.cursor));
    if (and.length > 0) where.AND = and;
    const rows = await this.db.webhookDelivery.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: query.limit + 1 });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.createdAt);
    return { data: page.map(toWebhookDelivery), nextCursor };
  }

  /** The subscription to send to, with its signing key; null once it is deleted or disabled. */
  async target(subscriptionId: string): Promise<WebhookTarget | null> {
    const row = await this.db.webhookSubscription.findFirst({ where: { id: subscriptionId, status: 'active' } });
    return row ? { id: row.id, url: row.url, signingKey: webhookSigningKey(this.secrets.open(row.secretCiphertext)) } : null;
  }

  async #find(workspaceId: string, id: string) {
    const row = await this.db.webhookSubscription.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The webhook subscription');
    return row;
  }
}
