import { createHmac } from 'node:crypto';
import type { Db as JobDb, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Services } from '../app.ts';
import type { WebhookDelivery as DeliveryRow } from '../generated/prisma/client.ts';
import { AppError, type ProblemCategory } from '../errors/problem.ts';
import type { OutboxRow } from '../jobs/activation.ts';
import type { OutboxConsumer } from '../jobs/activation-workers.ts';
import { EVENT_ENTITY } from '../events/service.ts';
import { DEAD_LETTER_ENTITY } from '../dead-letters/service.ts';
import type { WebhookDeliveryStatus, WebhookEventType, WebhookNotification } from './schemas.ts';
import type { WebhookTarget } from './service.ts';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';

interface DeliveryJob {
  deliveryId: string;
}

export interface WebhookDeliveryOptions {
  /** The first retry's delay; each next one doubles it (with jitter) up to RETRY_DELAY_MAX_SECONDS. */
  retryDelaySeconds: number;
  /** How long a callback has to answer. */
  timeoutMs: number;
}

const DEFAULT_OPTIONS: WebhookDeliveryOptions = { retryDelaySeconds: 10, timeoutMs: 10_000 };
/** With the default delay, 15 retries spread over about eight hours: a callback down for a night still gets everything. */
const RETRY_LIMIT = 15;
const RETRY_DELAY_MAX_SECONDS = 3600;
/** Metadata tells the worker when pg-boss has no retry left. */
const WORK_OPTIONS = { batchSize: 1, localConcurrency: 4, pollingIntervalSeconds: 0.5, includeMetadata: true } as const;

/** The event an outbox row announces, if it announces one. */
export function announcedEvent(row: Pick<OutboxRow, 'entity_type' | 'operation' | 'entity_version' | 'replay'>): WebhookEventType | null {
  if (row.replay) return null;
  switch (row.entity_type) {
    case 'contact':
      if (row.operation === 'upsert') return row.entity_version === 1 ? 'contact.created' : 'contact.updated';
      return row.operation === 'delete' || row.operation === 'erase' ? 'contact.deleted' : null;
    case EVENT_ENTITY:
      return 'event.tracked';
    case DEAD_LETTER_ENTITY:
      return 'dead_letter.created';
    default:
      return null;
  }
}

/** How an attempt ended, from the callback's answer. */
type Verdict = 'delivered' | 'retry' | 'failed' | 'gone';

function verdictOf(status: number): Verdict {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 408 || status === 429 || status >= 500) return 'retry';
  return status === 410 ? 'gone' : 'failed';
}

function describeAnswer(status: number, verdict: Verdict): string | null {
  if (verdict === 'delivered') return null;
  if (verdict === 'gone') return 'the callback answered 410 Gone: the subscription is disabled';
  if (status < 400) return `the callback answered ${status}; redirects are not followed`;
  return verdict === 'retry' ? `the callback answered ${status}` : `the callback refused the notification with ${status}; it is not retried`;
}

interface Attempt {
  verdict: Verdict;
  statusCode: number | null;
  error: string | null;
}

/** A failed attempt in the categories logs share: a subscriber's callback fails as a vendor's API does. */
function categoryOfAttempt(attempt: Attempt, refused: boolean): ProblemCategory {
  // The callback policy refused its address: the subscription must change.
  if (refused) return 'validation';
  const status = attempt.statusCode;
  if (status === null || status === 408 || status >= 500) return 'vendor_unavailable';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 410) return 'not_found';
  return status === 429 ? 'rate_limited' : 'validation';
}

/** A retryable attempt fails the job, so pg-boss retries it with backoff. */
class DeliveryAttemptFailed extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'DeliveryAttemptFailed';
  }
}

/** Resolves null when the record is gone (the services' get throws not_found). */
async function unlessGone<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AppError && error.category === 'not_found') return null;
    throw error;
  }
}

/**
 * Webhook notifications on pg-boss. The outbox relay calls queue() in its own transaction, so an
 * accepted change is announced exactly when it is activated: a delivery row and a job per matching
 * subscription. The worker sends each as the record stands at the time of sending (the same JSON
 * its GET returns), signed the Standard Webhooks way, and records every attempt on the row.
 */
export class WebhookDeliveries implements OutboxConsumer {
  /** It announces other types' rows and owns none. */
  readonly entityTypes: readonly string[] = [];
  readonly #options: WebhookDeliveryOptions;
  #boss: PgBoss | null = null;

  constructor(
    private readonly db: Db,
    private readonly services: Pick<Services, 'webhooks' | 'contacts' | 'events' | 'deadLetters'>,
    private readonly log: Logger,
    options: Partial<WebhookDeliveryOptions> = {},
  ) {
    this.#options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** Creates the queue and starts the workers on the relay's job engine. */
  async start(boss: PgBoss) {
    const queue = {
      retryLimit: RETRY_LIMIT,
      retryDelay: this.#options.retryDelaySeconds,
      retryBackoff: true,
      retryDelayMax: RETRY_DELAY_MAX_SECONDS,
      expireInSeconds: Math.ceil(this.#options.timeoutMs / 1000) + 60,
    };
    await boss.createQueue(WEBHOOK_DELIVERY_QUEUE, queue);
    // A queue created by an earlier release keeps its old settings otherwise.
    await boss.updateQueue(WEBHOOK_DELIVERY_QUEUE, queue);
    this.#boss = boss;
    await boss.work<DeliveryJob, void, typeof WORK_OPTIONS>(WEBHOOK_DELIVERY_QUEUE, WORK_OPTIONS, async ([job]) => {
      if (job) await this.deliver(job.data.deliveryId, job.retryCount >= job.retryLimit);
    });
  }

  /**
   * Queues the notifications the outbox rows announce, inside the relay's transaction: one query
   * for the subscriptions of the rows' workspaces (none at all when no row announces anything),
   * then one insert of the delivery rows and one of their jobs.
   */
  async queue(rows: readonly OutboxRow[], tx: JobDb): Promise<number> {
    const announced = rows.flatMap((row) => {
      const type = announcedEvent(row);
      return type ? [{ row, type }] : [];
    });
    if (announced.length === 0) return 0;
    if (!this.#boss) throw new Error('webhook deliveries are queued only once started');
    // KEY SHARE: an unsubscribe waits for this commit instead of breaking it (the deliveries then go with the subscription).
    const { rows: subscriptions } = await tx.executeSql(
      `SELECT id::text, workspace_id::text, events FROM webhook_subscriptions
       WHERE status = 'active' AND workspace_id = ANY($1::uuid[]) FOR KEY SHARE`,
      [[...new Set(announced.map(({ row }) => row.workspace_id))]],
    );
    const byWorkspace = new Map<string, { id: string; events: string[] }[]>();
    for (const subscription of subscriptions as { id: string; workspace_id: string; events: string[] }[]) {
      byWorkspace.set(subscription.workspace_id, [...(byWorkspace.get(subscription.workspace_id) ?? []), subscription]);
    }
    const deliveries = announced.flatMap(({ row, type }) =>
      (byWorkspace.get(row.workspace_id) ?? [])
        .filter((subscription) => subscription.events.includes(type))
        .map((subscription) => ({ workspace_id: row.workspace_id, subscription_id: subscription.id, event_type: type, entity_id: row.entity_id, occurred_at: row.created_at })),
    );
    if (deliveries.length === 0) return 0;
    const { rows: created } = await tx.executeSql(
      `INSERT INTO webhook_deliveries (workspace_id, subscription_id, event_type, entity_id, occurred_at)
       SELECT workspace_id, subscription_id, event_type, entity_id, occurred_at FROM jsonb_to_recordset($1::jsonb)
         AS t(workspace_id uuid, subscription_id uuid, event_type text, entity_id uuid, occurred_at timestamptz)
       RETURNING id::text`,
      [JSON.stringify(deliveries)],
    );
    await this.#boss.insert(WEBHOOK_DELIVERY_QUEUE, (created as { id: string }[]).map(({ id }) => ({ data: { deliveryId: id } satisfies DeliveryJob })), { db: tx });
    return created.length;
  }

  /** One attempt at a delivery; `final` when pg-boss has no retry left for it. Throws to be retried. */
  async deliver(deliveryId: string, final: boolean) {
    const delivery = await this.db.webhookDelivery.findUnique({ where: { id: deliveryId } });
    // Gone with its subscription, or settled by an earlier run of this job.
    if (!delivery || delivery.status !== 'pending') return;
    try {
      await this.#attempt(delivery, final);
    } catch (error) {
      // The last attempt failing on our side (database, credentials) still settles the delivery.
      if (final && !(error instanceof DeliveryAttemptFailed)) {
        const reason = `Tajo could not attempt the delivery: ${error instanceof Error ? error.message : String(error)}`;
        await this.db.webhookDelivery.updateMany({ where: { id: delivery.id, status: 'pending' }, data: { status: 'failed', lastError: reason, lastAttemptAt: new Date() } });
      }
      throw error;
    }
  }

  async #attempt(delivery: DeliveryRow, final: boolean) {
    const data = await this.#currentData(delivery);
    if (!data) return this.#skip(delivery, 'the record no longer exists');
    // Read last, right before sending: a subscription deleted or disabled by now is sent nothing.
    const target = await this.services.webhooks.target(delivery.subscriptionId);
    if (!target) return this.#skip(delivery, 'the subscription is disabled');

    const notification: WebhookNotification = {
      id: delivery.id,
      type: delivery.eventType as WebhookEventType,
      occurredAt: delivery.occurredAt.toISOString(),
      workspaceId: delivery.workspaceId,
      data,
    };
    // Checked again at each attempt: a host's DNS may since point inside.
    const refused = await this.services.webhooks.callbacks.refusal(target.url);
    const attempt: Attempt = refused
      ? { verdict: refused.transient ? 'retry' : 'failed', statusCode: null, error: `the callback was not called: ${refused.reason}` }
      : await this.#post(target, delivery.id, JSON.stringify(notification));
    const status: WebhookDeliveryStatus = attempt.verdict === 'delivered' ? 'delivered' : attempt.verdict === 'retry' && !final ? 'pending' : 'failed';
    const lastError = attempt.verdict === 'retry' && final ? `${attempt.error}; no retry left` : attempt.error;
    const now = new Date();
    const recorded = this.db.webhookDelivery.updateMany({
      where: { id: delivery.id },
      data: { status, attempts: { increment: 1 }, lastStatusCode: attempt.statusCode, lastError, lastAttemptAt: now, deliveredAt: status === 'delivered' ? now : null },
    });
    if (attempt.verdict === 'gone') {
      await this.db.$transaction([recorded, this.db.webhookSubscription.updateMany({ where: { id: target.id }, data: { status: 'disabled' } })]);
    } else {
      await recorded;
    }
    const context = { workspaceId: delivery.workspaceId, subscriptionId: target.id, deliveryId: delivery.id, type: delivery.eventType, statusCode: attempt.statusCode };
    if (status === 'delivered') this.log.debug(context, 'webhook delivered');
    else this.log.warn({ ...context, status, verdict: attempt.verdict, category: categoryOfAttempt(attempt, refused !== undefined) }, 'webhook delivery attempt failed');
    if (status === 'pending') throw new DeliveryAttemptFailed(lastError ?? 'the delivery failed');
  }

  /** The record as its GET returns it now; null when it is gone. */
  async #currentData(delivery: DeliveryRow): Promise<WebhookNotification['data'] | null> {
    const { workspaceId, entityId } = delivery;
    switch (delivery.eventType as WebhookEventType) {
      case 'contact.created':
      case 'contact.updated':
        return unlessGone(() => this.services.contacts.get(workspaceId, entityId));
      case 'contact.deleted': {
        // A deleted contact's row stays (soft delete); an erased one's does not, and nothing of it is sent.
        const row = await this.db.contact.findFirst({ where: { id: entityId, workspaceId }, select: { id: true } });
        return { id: entityId, status: row ? 'deleted' : 'erased' };
      }
      case 'event.tracked':
        return unlessGone(() => this.services.events.get(workspaceId, entityId));
      case 'dead_letter.created':
        return unlessGone(() => this.services.deadLetters.get(workspaceId, entityId));
    }
  }

  async #skip(delivery: DeliveryRow, reason: string) {
    await this.db.webhookDelivery.updateMany({ where: { id: delivery.id, status: 'pending' }, data: { status: 'skipped', lastError: reason } });
  }

  /** POSTs the body with Standard Webhooks headers; never throws for the callback's sake. */
  async #post(target: WebhookTarget, deliveryId: string, body: string): Promise<Attempt> {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', target.signingKey).update(`${deliveryId}.${timestamp}.${body}`).digest('base64');
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tajo-Webhooks',
          'webhook-id': deliveryId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': `v1,${signature}`,
        },
        body,
        // A signed notification goes where it was subscribed, nowhere else.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      // The answer's body is not read: only its status counts.
      await response.body?.cancel();
      const verdict = verdictOf(response.status);
      return { verdict, statusCode: response.status, error: describeAnswer(response.status, verdict) };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${this.#options.timeoutMs / 1000} s`
          : `the callback could not be reached${cause?.code ? ` (${cause.code})` : ''}`;
      return { verdict: 'retry', statusCode: null, error: reason };
    }
  }
}
