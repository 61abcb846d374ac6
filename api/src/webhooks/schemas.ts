import { z } from 'zod';
import { ZCursor, ZLimit } from '../http/schemas.ts';
import { ZContact, ZContactDeletion } from '../contacts/schemas.ts';
import { ZEvent } from '../events/schemas.ts';
import { ZDeadLetter } from '../dead-letters/schemas.ts';

/** What a subscription can be sent. */
export const WEBHOOK_EVENT_TYPES = ['contact.created', 'contact.updated', 'contact.deleted', 'event.tracked', 'dead_letter.created'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_SUBSCRIPTION_STATUSES = ['active', 'disabled'] as const;
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const ZWebhookEventType = z.enum(WEBHOOK_EVENT_TYPES).meta({
  id: 'WebhookEventType',
  description:
    'contact.created (a new contact), contact.updated (a later version), contact.deleted (deleted or erased), event.tracked (a custom event), dead_letter.created (a record Brevo refused for good).',
});

/** Hosts a callback may reach over plain http: the local machine only (tests, the demo). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

const ZCallbackUrl = z
  // abort: the checks after it assume a URL.
  .url({ protocol: /^https?$/, abort: true })
  .max(2048)
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
  }, 'must use https (plain http only for 127.0.0.1, ::1 or localhost)')
  .meta({ description: 'Where Tajo POSTs the events: https, or http on the local machine (127.0.0.1, ::1, localhost).', example: 'https://www.workato.com/webhooks/rest/90c5a2e1/tajo_contact' });

export const ZNewWebhookSubscription = z
  .object({
    url: ZCallbackUrl,
    events: z.array(ZWebhookEventType).min(1).meta({ description: 'The event types to send; at least one.' }),
    description: z.string().trim().max(500).optional().meta({ description: 'For operators: which recipe this is.' }),
  })
  .strict()
  .meta({
    id: 'NewWebhookSubscription',
    example: { url: 'https://www.workato.com/webhooks/rest/90c5a2e1/tajo_contact', events: ['contact.created', 'contact.updated'], description: 'Recipe 4211: new and updated contacts' },
  });

const SUBSCRIPTION_EXAMPLE = {
  id: '6e2f1a9c-4b3d-4e7a-8c1f-0d9b2a7e5c43',
  url: 'https://www.workato.com/webhooks/rest/90c5a2e1/tajo_contact',
  events: ['contact.created', 'contact.updated'],
  description: 'Recipe 4211: new and updated contacts',
  status: 'active',
  createdAt: '2026-11-24T10:00:00.000Z',
  updatedAt: '2026-11-24T10:00:00.000Z',
};

export const ZWebhookSubscription = z
  .object({
    id: z.uuid().meta({ description: 'Tajo ID; unsubscribe with it.' }),
    url: z.string(),
    events: z.array(ZWebhookEventType),
    description: z.string().nullable(),
    status: z.enum(WEBHOOK_SUBSCRIPTION_STATUSES).meta({ description: 'disabled: the callback answered 410 Gone, and nothing more is sent to it.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookSubscription', description: 'A callback URL and the event types Tajo sends it, signed.', example: SUBSCRIPTION_EXAMPLE });

export const ZCreatedWebhookSubscription = ZWebhookSubscription.extend({
  secret: z.string().meta({
    description:
      'The signing secret (whsec_ and base64), shown only in this response: store it now. A replay of this request (same Idempotency-Key) does not show it again.',
  }),
}).meta({ id: 'CreatedWebhookSubscription', example: { ...SUBSCRIPTION_EXAMPLE, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } });

export const ZWebhookSubscriptionSearchQuery = z.object({ limit: ZLimit, cursor: ZCursor }).strict();

export const ZWebhookSubscriptionPage = z
  .object({
    data: z.array(ZWebhookSubscription),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'WebhookSubscriptionPage' });

export const ZWebhookSubscriptionDeletion = z
  .object({ id: z.uuid(), status: z.literal('deleted') })
  .meta({ id: 'WebhookSubscriptionDeletion', example: { id: SUBSCRIPTION_EXAMPLE.id, status: 'deleted' } });

const DELIVERY_EXAMPLE = {
  id: 'b8e4c2d1-7a3f-4c5e-9b1d-2f6a0e8c4d17',
  subscriptionId: SUBSCRIPTION_EXAMPLE.id,
  type: 'contact.updated',
  entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
  occurredAt: '2026-11-24T10:05:00.000Z',
  status: 'delivered',
  attempts: 2,
  lastStatusCode: 200,
  lastError: null,
  lastAttemptAt: '2026-11-24T10:05:03.000Z',
  deliveredAt: '2026-11-24T10:05:03.000Z',
  createdAt: '2026-11-24T10:05:00.000Z',
};

export const ZWebhookDelivery = z
  .object({
    id: z.uuid().meta({ description: 'Sent as `webhook-id` and as the notification `id`; the same on every attempt, so receivers can drop repeats.' }),
    subscriptionId: z.uuid(),
    type: ZWebhookEventType,
    entityId: z.uuid().meta({ description: 'The contact, event or dead letter the notification is about.' }),
    occurredAt: z.iso.datetime().meta({ description: 'When Tajo accepted the change.' }),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).meta({
      description:
        'pending: not delivered yet (queued, or waiting for its next retry); delivered: the callback answered 2xx; failed: it refused (4xx) or retries ran out; skipped: the record or the subscription was gone by the time of sending.',
    }),
    attempts: z.number().int().meta({ description: 'Requests sent so far.' }),
    lastStatusCode: z.number().int().nullable().meta({ description: "The callback's HTTP status at the last attempt; null when it gave none (timeout, network error)." }),
    lastError: z.string().nullable().meta({ description: 'Why the last attempt did not deliver.' }),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery', description: 'One notification to one subscription, and how sending it went.', example: DELIVERY_EXAMPLE });

export const ZWebhookDeliverySearchQuery = z
  .object({
    status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
    since: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only deliveries created at or after this time.' }),
    limit: ZLimit,
    cursor: ZCursor,
  })
  .strict();

export const ZWebhookDeliveryPage = z
  .object({
    data: z.array(ZWebhookDelivery),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'WebhookDeliveryPage', example: { data: [DELIVERY_EXAMPLE], nextCursor: null } });

/**
 * The body of every POST to a callback. Headers follow Standard Webhooks: `webhook-id` (the
 * delivery ID), `webhook-timestamp` (unix seconds) and `webhook-signature`
 * (`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the
 * base64-decoded part of the secret after `whsec_`).
 */
export const ZWebhookNotification = z
  .object({
    id: z.uuid().meta({ description: 'The delivery ID, as in the `webhook-id` header.' }),
    type: ZWebhookEventType,
    occurredAt: z.iso.datetime().meta({ description: 'When Tajo accepted the change.' }),
    workspaceId: z.uuid(),
    data: z.union([ZContact, ZContactDeletion, ZEvent, ZDeadLetter]).meta({
      description:
        'The record as its GET returns it at the time of sending: a Contact (contact.created, contact.updated), a ContactDeletion (contact.deleted; an erased contact carries nothing but its ID), an Event (event.tracked) or a DeadLetter (dead_letter.created).',
    }),
  })
  .meta({
    id: 'WebhookNotification',
    description: 'What Tajo POSTs to a subscription, signed (Standard Webhooks).',
    example: {
      id: DELIVERY_EXAMPLE.id,
      type: 'contact.deleted',
      occurredAt: '2026-11-24T10:05:00.000Z',
      workspaceId: '1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
      data: { id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31', status: 'erased' },
    },
  });

export type WebhookNotification = z.infer<typeof ZWebhookNotification>;
