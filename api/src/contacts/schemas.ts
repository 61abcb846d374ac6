import { z } from 'zod';
import { ZCursor, ZLimit } from '../http/schemas.ts';
import { CONSENT_CHANNELS } from './normalize.ts';

const ZTimestampInput = z
  .union([z.string(), z.number()])
  .meta({ description: 'Epoch seconds or milliseconds, RFC 3339 with any offset, or a date (YYYY-MM-DD). Stored as UTC.' });

const ZChannelConsentInput = z
  .object({
    status: z.union([z.enum(['opted_in', 'opted_out', 'pending']), z.string(), z.boolean()]).meta({
      description: 'opted_in, opted_out or pending (subscribed/unsubscribed, granted/denied, true/false are understood).',
    }),
    source: z.string().nullish().meta({ description: "Where consent was given or withdrawn; the record's source by default." }),
    timestamp: ZTimestampInput.nullish().meta({ description: 'When consent was given or withdrawn.' }),
  })
  .strict();

export const ZContactInput = z
  .object({
    externalId: z.string().nullish().meta({ description: 'Your stable ID for the contact. Derived from source and sourceId (or email/phone) when absent.' }),
    source: z.string().nullish().meta({ description: "The system the record comes from; the workspace's source name by default.", example: 'salesforce' }),
    sourceId: z.union([z.string(), z.number()]).nullish().meta({ description: "The record's ID in its source system.", example: '0035e00000Bx1QkAAJ' }),
    email: z.string().nullish().meta({ description: 'Trimmed, lower-cased; international domains are stored in their ASCII (punycode) form.' }),
    phone: z.union([z.string(), z.number()]).nullish().meta({ description: 'Any common format; stored in E.164.' }),
    phoneRegion: z.string().nullish().meta({ description: "ISO 3166-1 alpha-2 region for a phone without country code; the workspace's default otherwise." }),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    locale: z.string().nullish().meta({ description: 'BCP 47, e.g. fr-CA (en_us is understood).' }),
    sourceCreatedAt: ZTimestampInput.nullish(),
    sourceUpdatedAt: ZTimestampInput.nullish(),
    lifetimeValue: z
      .object({
        currency: z.string().meta({ description: 'ISO 4217 code.' }),
        amount: z.union([z.string(), z.number()]).optional().meta({ description: 'Decimal amount, e.g. "1250.50".' }),
        amountMinor: z.number().int().optional().meta({ description: 'Amount in minor units (cents), e.g. 125050.' }),
      })
      .strict()
      .nullish(),
    consent: z
      .partialRecord(z.enum(CONSENT_CHANNELS), ZChannelConsentInput)
      .nullish()
      .meta({ description: 'Per channel (email, sms, whatsapp). A channel you leave out keeps no consent state: it is never inferred.' }),
    attributes: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullish()
      .meta({ description: 'Custom attributes (names start with a letter: letters, digits, underscores).' }),
  })
  .strict()
  .meta({
    id: 'ContactRecord',
    description: 'A contact as your source system has it. Tajo normalizes every field; see each description.',
    example: {
      source: 'salesforce',
      sourceId: '0035e00000Bx1QkAAJ',
      email: '  Ada.Lovelace@Example.COM ',
      phone: '(415) 555-2671',
      firstName: 'Ada',
      lastName: 'Lovelace',
      locale: 'en_gb',
      sourceUpdatedAt: 1732350000,
      lifetimeValue: { currency: 'usd', amount: '1250.50' },
      consent: { email: { status: 'subscribed', timestamp: '2026-11-01T09:30:00+01:00' } },
      attributes: { plan: 'pro', seats: 12 },
    },
  });

const ZChannelConsent = z.object({
  status: z.enum(['opted_in', 'opted_out', 'pending']),
  source: z.string(),
  timestamp: z.iso.datetime().nullable(),
});

export const ZContact = z
  .object({
    id: z.uuid().meta({ description: 'Tajo ID.' }),
    externalId: z.string(),
    source: z.string(),
    sourceId: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable().meta({ description: 'E.164.' }),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    locale: z.string().nullable(),
    lifetimeValue: z
      .object({ currency: z.string(), amountMinor: z.number().int() })
      .nullable()
      .meta({ description: 'ISO 4217 currency and the amount in its minor units.' }),
    consent: z.partialRecord(z.enum(CONSENT_CHANNELS), ZChannelConsent),
    attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    sourceCreatedAt: z.iso.datetime().nullable(),
    sourceUpdatedAt: z.iso.datetime().nullable(),
    version: z.number().int().meta({ description: 'Goes up by one with every change.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'Contact',
    description: 'A normalized contact.',
    example: {
      id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
      externalId: 'salesforce:0035e00000Bx1QkAAJ',
      source: 'salesforce',
      sourceId: '0035e00000Bx1QkAAJ',
      email: 'ada.lovelace@example.com',
      phone: '+14155552671',
      firstName: 'Ada',
      lastName: 'Lovelace',
      locale: 'en-GB',
      lifetimeValue: { currency: 'USD', amountMinor: 125050 },
      consent: { email: { status: 'opted_in', source: 'salesforce', timestamp: '2026-11-01T08:30:00.000Z' } },
      attributes: { plan: 'pro', seats: 12 },
      sourceCreatedAt: null,
      sourceUpdatedAt: '2024-11-23T08:20:00.000Z',
      version: 1,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
    },
  });

export const WRITE_RESULTS = ['created', 'updated', 'unchanged', 'stale'] as const;

const RESULT_DESCRIPTION =
  'unchanged: identical to what Tajo had; stale: every field it carried is older (by source time) than what Tajo holds, so nothing changed. ' +
  'Neither records a version or sends anything downstream.';

export const ZSkippedFields = z
  .array(z.string())
  .meta({
    description:
      'Fields the write carried that Tajo holds at a newer source time, so kept (e.g. "firstName", "attributes.plan", "consent.email"). Empty when none.',
  });

export const ZContactWriteResult = z
  .object({
    result: z.enum(WRITE_RESULTS).meta({ description: RESULT_DESCRIPTION }),
    skipped: ZSkippedFields,
    contact: ZContact,
  })
  .meta({ id: 'ContactWriteResult' });

/** Batch items are checked one by one by the normalizer, so one bad record never fails the batch. */
export const ZContactBatchRecord = z.record(z.string(), z.unknown()).meta({ documentedAs: 'ContactRecordInput' });

export const MAX_BATCH_SIZE = 1000;

export const ZContactBatchRequest = z
  .object({ records: z.array(ZContactBatchRecord).min(1).max(MAX_BATCH_SIZE) })
  .meta({
    id: 'ContactBatchRequest',
    description: `Up to ${MAX_BATCH_SIZE} contacts. Each is written or rejected on its own.`,
    example: {
      records: [
        { source: 'shopify', sourceId: '7001', email: 'Max@Bücher.DE', phone: '+49 30 901820' },
        { source: 'shopify', sourceId: '7002', email: 'not-an-email' },
        { source: 'shopify', sourceId: '7003', firstName: 'Older', sourceUpdatedAt: '2024-01-01T00:00:00Z' },
      ],
    },
  });

export const ZRecordResult = z
  .object({
    index: z.number().int().meta({ description: 'Position of the record in the request.' }),
    status: z.enum([...WRITE_RESULTS, 'rejected']).meta({ description: RESULT_DESCRIPTION }),
    id: z.uuid().nullable().meta({ description: 'Tajo ID; null when rejected.' }),
    externalId: z.string().nullable(),
    skipped: ZSkippedFields.optional(),
    errors: z
      .array(z.object({ field: z.string(), reason: z.string() }))
      .meta({ description: 'Why the record was rejected (empty otherwise).' }),
  })
  .meta({ id: 'RecordResult' });

export const ZContactBatchResult = z
  .object({
    results: z.array(ZRecordResult),
    counts: z.object({
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      stale: z.number().int(),
      rejected: z.number().int(),
    }),
  })
  .meta({
    id: 'ContactBatchResult',
    example: {
      results: [
        { index: 0, status: 'created', id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31', externalId: 'shopify:7001', errors: [] },
        { index: 1, status: 'rejected', id: null, externalId: null, errors: [{ field: 'email', reason: 'not a valid email address' }] },
        { index: 2, status: 'stale', id: '3f2b9c4d-8e1a-4b6c-9d7e-2a5f0c1b8e94', externalId: 'shopify:7003', skipped: ['firstName'], errors: [] },
      ],
      counts: { created: 1, updated: 0, unchanged: 0, stale: 1, rejected: 1 },
    },
  });

export const ZContactPatch = ZContactInput.omit({ externalId: true, source: true, sourceId: true })
  .meta({
    id: 'ContactPatch',
    description: 'Fields to change. A field left out keeps its value; null clears it. Attributes and consent merge key by key (null removes one).',
    example: { phone: '+44 20 7946 0018', attributes: { plan: 'enterprise' } },
  });

export const ZContactSearchQuery = z.object({
  email: z.string().optional().meta({ description: 'Exact email (normalized before matching).' }),
  externalId: z.string().optional(),
  updatedSince: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only contacts updated at or after this time.' }),
  attribute: z.string().optional().meta({ description: 'A custom attribute name; with `attributeValue`, only contacts whose attribute has that value.' }),
  attributeValue: z.string().optional().meta({ description: 'The value to match, as text: "pro", "12" and "true" match the text, the number and the boolean.' }),
  limit: ZLimit,
  cursor: ZCursor,
}).refine((query) => query.attributeValue === undefined || query.attribute !== undefined, {
  path: ['attributeValue'],
  message: 'attributeValue needs attribute: name the attribute to match',
});

export const ZContactAttributes = z
  .object({
    data: z.array(
      z.object({
        name: z.string(),
        type: z.enum(['string', 'number', 'boolean']).meta({ description: 'The JSON type of its values (an attribute with values of several types is listed once per type).' }),
        contacts: z.number().int().meta({ description: 'Live contacts that have it.' }),
      }),
    ),
  })
  .meta({ id: 'ContactAttributes', example: { data: [{ name: 'plan', type: 'string', contacts: 1840 }, { name: 'seats', type: 'number', contacts: 312 }] } });

export const ZContactPage = z
  .object({
    data: z.array(ZContact),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'ContactPage' });

export const ZContactLookupQuery = z
  .object({
    externalId: z.string().optional(),
    email: z.string().optional(),
  })
  .refine((query) => (query.externalId === undefined) !== (query.email === undefined), {
    message: 'give exactly one of externalId or email',
  });

/** What a deletion or an erasure answers, and all a `contact.deleted` webhook carries. */
export const ZContactDeletion = z
  .object({ id: z.uuid(), status: z.enum(['deleted', 'erased']) })
  .meta({ id: 'ContactDeletion', example: { id: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31', status: 'deleted' } });
