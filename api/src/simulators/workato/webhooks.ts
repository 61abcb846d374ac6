import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface WebhookDelivery {
  /** The endpoint's signing secret (`whsec_…`, base64). */
  secret: string;
  /** webhook-id; a fresh one when left out. */
  id?: string;
  /** When it was sent; set it in the past to send a stale webhook. */
  timestamp?: Date;
  body: unknown;
  /** A webhook-signature to send instead of the right one (a bad signature). */
  signature?: string;
}

/**
 * POSTs a JSON webhook signed with the Standard Webhooks scheme (webhook-id, webhook-timestamp,
 * webhook-signature), as a Workato recipe would send one; resolves with the answer's status.
 */
export async function sendWebhook(targetUrl: string, delivery: WebhookDelivery): Promise<number> {
  const id = delivery.id ?? `msg_${randomUUID()}`;
  const timestamp = delivery.timestamp ?? new Date();
  const payload = JSON.stringify(delivery.body);
  const signature = delivery.signature ?? new Webhook(delivery.secret).sign(id, timestamp, payload);
  const response = await fetch(targetUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body: payload,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}
