import { z } from 'zod';
import { ZCursor, ZFieldError, ZLimit } from '../http/schemas.ts';

const ZPropertyValue = z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]);

export const ZEventInput = z
  .object({
    eventId: z
      .union([z.string(), z.number()])
      .nullish()
      .meta({ description: 'Your ID for this occurrence: tracking the same ID again is a no-op. Derived from the content (contact, name, time, properties) when absent.' }),
    name: z.string().meta({ description: "Brevo's event name: 1-255 letters, digits, - and _.", example: 'order_created' }),
    occurredAt: z
      .union([z.string(), z.number()])
      .nullish()
      .meta({ description: 'When it happened: epoch seconds or milliseconds, or RFC 3339 with any offset. Stored as UTC. Required when eventId is absent; the time of tracking otherwise.' }),
    contact: z
      .object({
        externalId: z.string().nullish().meta({ description: "The contact's external ID (Brevo's ext_id)." }),
        email: z.string().nullish().meta({ description: 'Trimmed, lower-cased; international domains in ASCII (punycode).' }),
        phone: z.union([z.string(), z.number()]).nullish().meta({ description: 'Any common format; stored in E.164.' }),
        phoneRegion: z.string().nullish().meta({ description: "ISO 3166-1 alpha-2 region for a phone without country code; the workspace's default otherwise." }),
      })
      .strict()
      .meta({ description: 'Who did it: at least one of externalId, email or phone.' }),
    properties: z
      .record(z.string(), ZPropertyValue)
      .nullish()
      .meta({ description: 'Event properties (keys: letters, digits, - and _): strings, numbers, booleans, nested objects and lists of objects; at most 50 KB.' }),
    contactProperties: z
      .record(z.string(), z.union([z.string(), z.number().int()]))
      .nullish()
      .meta({ description: 'Contact attributes Brevo updates along with the event (names are upper-cased).' }),
  })
  .strict()
  .meta({
    id: 'EventRecord',
    description: 'A custom event: a contact did something. Brevo automations can start on it.',
    example: {
      eventId: 'shopify:order:5001',
      name: 'order_created',
      occurredAt: '2026-11-23T10:15:00+01:00',
      contact: { externalId: 'shopify:7001', email: 'Max@Example.com' },
      properties: { order_id: '5001', total_cents: 4990, items: [{ sku: 'BK-1', quantity: 2 }] },
      contactProperties: { FIRSTNAME: 'Max' },
    },
  });

export const ZEvent = z
  .object({
    id: z.uuid().meta({ description: 'Tajo ID.' }),
    eventId: z.string().meta({ description: 'Your event ID, or the one derived from the content (prefixed h:).' }),
    name: z.string(),
    occurredAt: z.iso.datetime(),
    contact: z.object({
      externalId: z.string().nullable(),
      email: z.string().nullable(),
      phone: z.string().nullable().meta({ description: 'E.164.' }),
    }),
    properties: z.record(z.string(), z.unknown()),
    contactProperties: z.record(z.string(), z.union([z.string(), z.number()])),
    createdAt: z.iso.datetime().meta({ description: 'When Tajo first received it.' }),
  })
  .meta({
    id: 'Event',
    description: 'A normalized custom event.',
    example: {
      id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31',
      eventId: 'shopify:order:5001',
      name: 'order_created',
      occurredAt: '2026-11-23T09:15:00.000Z',
      contact: { externalId: 'shopify:7001', email: 'max@example.com', phone: null },
      properties: { order_id: '5001', total_cents: 4990, items: [{ sku: 'BK-1', quantity: 2 }] },
      contactProperties: { FIRSTNAME: 'Max' },
      createdAt: '2026-11-23T09:15:02.000Z',
    },
  });

export const EVENT_WRITE_RESULTS = ['created', 'unchanged'] as const;

export const ZEventWriteResult = z
  .object({
    result: z.enum(EVENT_WRITE_RESULTS).meta({ description: 'unchanged: this event ID was tracked before with the same content; nothing is sent again.' }),
    event: ZEvent,
  })
  .meta({ id: 'EventWriteResult' });

export const MAX_EVENT_BATCH_SIZE = 1000;

export const ZEventBatchRequest = z
  .object({
    /** Checked one by one by the normalizer, so one bad event never fails the batch. */
    events: z.array(z.record(z.string(), z.unknown()).meta({ documentedAs: 'EventRecordInput' })).min(1).max(MAX_EVENT_BATCH_SIZE),
  })
  .meta({
    id: 'EventBatchRequest',
    description: `Up to ${MAX_EVENT_BATCH_SIZE} events. Each is tracked or rejected on its own.`,
    example: {
      events: [
        { eventId: 'web:1', name: 'page_viewed', occurredAt: 1795425300, contact: { email: 'ana@example.com' }, properties: { path: '/pricing' } },
        { eventId: 'web:2', name: 'page viewed', contact: { email: 'not-an-email' } },
      ],
    },
  });

export const ZEventRecordResult = z
  .object({
    index: z.number().int().meta({ description: 'Position of the event in the request.' }),
    status: z.enum([...EVENT_WRITE_RESULTS, 'rejected']),
    id: z.uuid().nullable().meta({ description: 'Tajo ID; null when rejected.' }),
    eventId: z.string().nullable(),
    errors: z.array(ZFieldError).meta({ description: 'Why the event was rejected (empty otherwise).' }),
  })
  .meta({ id: 'EventRecordResult' });

export const ZEventBatchResult = z
  .object({
    results: z.array(ZEventRecordResult),
    counts: z.object({ created: z.number().int(), unchanged: z.number().int(), rejected: z.number().int() }),
  })
  .meta({
    id: 'EventBatchResult',
    example: {
      results: [
        { index: 0, status: 'created', id: '3c1e9d4a-2b7f-4e8a-a1d5-6f0c2b9e7a31', eventId: 'web:1', errors: [] },
        {
          index: 1,
          status: 'rejected',
          id: null,
          eventId: null,
          errors: [
            { field: 'name', reason: "1-255 characters: letters, digits, - and _ only (Brevo's rule)" },
            { field: 'contact.email', reason: 'not a valid email address' },
          ],
        },
      ],
      counts: { created: 1, unchanged: 0, rejected: 1 },
    },
  });

export const ZEventSearchQuery = z.object({
  contactExternalId: z.string().optional(),
  email: z.string().optional().meta({ description: 'Exact email (normalized before matching).' }),
  name: z.string().optional().meta({ description: 'Exact event name.' }),
  since: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only events that occurred at or after this time.' }),
  receivedSince: z.iso.datetime({ offset: true }).optional().meta({
    description:
      'Only events Tajo received at or after this time. With it, events come in order of receipt (`createdAt`) instead of occurrence, so a poller misses no event that arrives late.',
  }),
  limit: ZLimit,
  cursor: ZCursor,
});

export const ZEventNames = z
  .object({
    data: z.array(
      z.object({
        name: z.string(),
        count: z.number().int().meta({ description: 'Events tracked under this name.' }),
        lastReceivedAt: z.iso.datetime().meta({ description: 'When Tajo received the latest one.' }),
      }),
    ),
  })
  .meta({ id: 'EventNames', example: { data: [{ name: 'order_completed', count: 1280, lastReceivedAt: '2026-11-23T09:15:02.000Z' }] } });

export const ZEventPage = z
  .object({
    data: z.array(ZEvent),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'EventPage' });
