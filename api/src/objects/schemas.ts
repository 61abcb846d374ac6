import { z } from 'zod';
import { ZCursor, ZLimit } from '../http/schemas.ts';
import { MAX_BATCH_SIZE, WRITE_RESULTS, ZRecordResult, ZSkippedFields } from '../contacts/schemas.ts';
import { ATTRIBUTE_TYPES } from './normalize.ts';

const SLUG = /^[a-z][a-z0-9_]{0,62}$/;
const ZSlug = z.string().regex(SLUG, 'a lowercase slug: a letter, then letters, digits or _ (at most 63)');

const ZAttributeDefinition = z
  .object({
    name: ZSlug,
    type: z.enum(ATTRIBUTE_TYPES).meta({
      description: 'text, number, boolean, date (YYYY-MM-DD), datetime (UTC ISO-8601), money (ISO 4217 and minor units), email or phone (E.164).',
    }),
    required: z.boolean().optional().meta({ description: 'false unless given.' }),
  })
  .strict()
  .meta({ id: 'ObjectAttributeDefinition' });

const ZExternalIdRule = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('given') }).strict(),
    z.object({ kind: z.literal('attribute'), attribute: ZSlug }).strict(),
    z.object({ kind: z.literal('hash'), attributes: z.array(ZSlug).min(1).max(10) }).strict(),
  ])
  .meta({
    id: 'ObjectExternalIdRule',
    description:
      "How a record's external ID is made when it gives none: `given` (the record must give externalId), `attribute` (that attribute's value), or `hash` (`h:` and a SHA-256 of the named attributes' values, as for contacts without a vendor ID).",
  });

const typeFields = {
  brevoObjectType: ZSlug.optional().meta({
    description: "The Brevo object type its records go to; the type's name by default. Brevo creates no object types: it must exist in the Brevo account.",
  }),
  attributes: z.array(ZAttributeDefinition).max(200),
  externalIdRule: ZExternalIdRule,
  associations: z
    .array(z.string().min(1).max(63))
    .max(50)
    .optional()
    .meta({ description: "What records may be associated with: 'contact' and/or names of object types of the workspace (its own included)." }),
};

export const ZObjectTypeInput = z
  .object({ name: ZSlug.refine((name) => name !== 'contact', 'contact is reserved for contacts'), ...typeFields })
  .strict()
  .meta({
    id: 'ObjectTypeDefinition',
    description: 'An object type: its typed attributes, how records are identified, and what they may be associated with.',
    example: {
      name: 'subscription',
      attributes: [
        { name: 'subscription_id', type: 'text', required: true },
        { name: 'plan', type: 'text' },
        { name: 'renews_on', type: 'date' },
        { name: 'monthly_price', type: 'money' },
        { name: 'billing_email', type: 'email' },
      ],
      externalIdRule: { kind: 'attribute', attribute: 'subscription_id' },
      associations: ['contact'],
    },
  });

export const TYPE_CHANGE_RULES =
  'Replaces the parts given. While the type has live records only additive changes are accepted: new optional attributes, required to optional, more associations. Removing or retyping an attribute, making one required, changing the external-ID rule or the Brevo object type, and removing an association are refused (409, per field).';

export const ZObjectTypePatch = z
  .object({ brevoObjectType: typeFields.brevoObjectType, attributes: typeFields.attributes.optional(), externalIdRule: ZExternalIdRule.optional(), associations: typeFields.associations })
  .strict()
  .meta({
    id: 'ObjectTypePatch',
    description: TYPE_CHANGE_RULES,
    example: { attributes: [{ name: 'subscription_id', type: 'text', required: true }, { name: 'seats', type: 'number' }] },
  });

export const ZObjectType = z
  .object({
    id: z.uuid(),
    name: z.string(),
    brevoObjectType: z.string(),
    attributes: z.array(z.object({ name: z.string(), type: z.enum(ATTRIBUTE_TYPES), required: z.boolean() })),
    externalIdRule: ZExternalIdRule,
    associations: z.array(z.string()),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'ObjectType',
    example: {
      id: '5e2b8c4a-1f3d-4a6e-9b7c-0d8e2f4a6b1c',
      name: 'subscription',
      brevoObjectType: 'subscription',
      attributes: [
        { name: 'subscription_id', type: 'text', required: true },
        { name: 'renews_on', type: 'date', required: false },
      ],
      externalIdRule: { kind: 'attribute', attribute: 'subscription_id' },
      associations: ['contact'],
      version: 1,
      createdAt: '2026-11-26T09:00:00.000Z',
      updatedAt: '2026-11-26T09:00:00.000Z',
    },
  });

export const ZObjectTypePage = z
  .object({ data: z.array(ZObjectType), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }) })
  .meta({ id: 'ObjectTypePage' });

export const ZObjectTypeSearchQuery = z.object({ limit: ZLimit, cursor: ZCursor });

export const ZObjectTypeParams = z.object({ objectType: ZSlug.meta({ description: "The object type's name." }) });
export const ZObjectRecordParams = ZObjectTypeParams.extend({ id: z.uuid().meta({ description: "The record's Tajo ID." }) });

export const ZAssociationReference = z
  .object({
    objectType: z.string().meta({ description: "'contact', or the other record's object type." }),
    id: z.string().optional().meta({ description: 'Tajo ID of the contact or record (it must exist).' }),
    externalId: z.string().optional().meta({ description: 'External ID of the contact or record; it may arrive in Tajo later (the association is pending until then).' }),
    email: z.string().optional().meta({ description: 'A contact by email (it must exist; the most recently updated one).' }),
  })
  .meta({ id: 'ObjectAssociationReference', description: 'The other end of an association: exactly one of id, externalId or email (contacts only).' });

const ZObjectValue = z.union([z.string(), z.number(), z.boolean(), z.object({ currency: z.string(), amountMinor: z.number().int() })]);

export const ZObjectRecordInput = z
  .object({
    externalId: z.union([z.string(), z.number()]).optional().meta({ description: "Your stable ID for the record; made by the type's external-ID rule when absent." }),
    attributes: z
      .record(z.string(), z.union([ZObjectValue, z.object({ currency: z.string(), amount: z.union([z.string(), z.number()]) }), z.null()]))
      .nullish()
      .meta({
        description:
          "Values by the type's attribute names, normalized by their types: dates and times in any common format, money as {currency, amount} or {currency, amountMinor}, emails, phones (the workspace's region for local numbers). " +
          'Merged into the stored record: an attribute left out keeps its value, null clears it, and null for them all clears every attribute (required ones cannot be cleared; a new record must have them).',
      }),
    associations: z.array(ZAssociationReference).max(100).optional().meta({ description: 'Associations to add (existing ones stay; remove them with the dissociate operation).' }),
    sourceUpdatedAt: z
      .union([z.string(), z.number()])
      .nullish()
      .meta({
        description:
          'When the source last changed the record (epoch seconds or milliseconds, RFC 3339 with any offset, or a date); the time of arrival when absent. ' +
          'An attribute is written only when this is newer than the source time of the value Tajo holds.',
      }),
  })
  .strict()
  .meta({
    id: 'ObjectRecordData',
    description: "A record of an object type as your source has it; every attribute is checked against the type's definition.",
    example: {
      attributes: { subscription_id: 'SUB-1001', plan: 'pro', renews_on: '12/01/2026', monthly_price: { currency: 'eur', amount: '49.90' }, billing_email: ' Ada@Example.COM ' },
      associations: [{ objectType: 'contact', externalId: 'salesforce:0035e00000Bx1QkAAJ' }],
    },
  });

export const ZObjectAssociation = z
  .object({
    id: z.uuid(),
    objectType: z.string().meta({ description: "The other end's type: 'contact' or an object type name." }),
    externalId: z.string().meta({ description: "The other end's external ID." }),
    targetId: z.uuid().nullable().meta({ description: 'Tajo ID of the other end; null while it is not in Tajo (pending).' }),
    pending: z.boolean().meta({ description: 'The other end is not in Tajo yet; the association is kept and activated once both ends exist.' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'ObjectAssociation' });

export const ZObjectRecord = z
  .object({
    id: z.uuid(),
    objectType: z.string(),
    externalId: z.string(),
    attributes: z.record(z.string(), ZObjectValue),
    associations: z.array(ZObjectAssociation),
    version: z.number().int().meta({ description: 'Goes up by one with every change of the attributes.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'ObjectRecord',
    example: {
      id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c',
      objectType: 'subscription',
      externalId: 'SUB-1001',
      attributes: { subscription_id: 'SUB-1001', plan: 'pro', renews_on: '2026-12-01', monthly_price: { currency: 'EUR', amountMinor: 4990 }, billing_email: 'ada@example.com' },
      associations: [
        { id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f', objectType: 'contact', externalId: 'salesforce:0035e00000Bx1QkAAJ', targetId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31', pending: false, createdAt: '2026-11-26T09:00:00.000Z' },
      ],
      version: 1,
      createdAt: '2026-11-26T09:00:00.000Z',
      updatedAt: '2026-11-26T09:00:00.000Z',
    },
  });

export const ZObjectRecordWriteResult = z
  .object({
    result: z.enum(WRITE_RESULTS).meta({
      description:
        'unchanged: attributes and associations identical to what Tajo had; stale: every attribute it carried is older (by source time) than what Tajo holds, and it added no association. ' +
        'Neither records a version or queues anything downstream.',
    }),
    skipped: ZSkippedFields,
    record: ZObjectRecord,
  })
  .meta({ id: 'ObjectRecordWriteResult' });

/** Batch items are checked one by one by the normalizer, so one bad record never fails the batch. */
export const ZObjectRecordBatchRequest = z
  .object({ records: z.array(z.record(z.string(), z.unknown()).meta({ documentedAs: 'ObjectRecordDataInput' })).min(1).max(MAX_BATCH_SIZE) })
  .meta({
    id: 'ObjectRecordBatchRequest',
    description: `Up to ${MAX_BATCH_SIZE} records of one type. Each is written or rejected on its own.`,
    example: {
      records: [
        { attributes: { subscription_id: 'SUB-1001', renews_on: 1764547200, monthly_price: { currency: 'EUR', amount: 49.9 } } },
        { attributes: { subscription_id: 'SUB-1002', billing_email: 'not-an-email' } },
      ],
    },
  });

export const ZObjectRecordBatchResult = z
  .object({
    results: z.array(ZRecordResult),
    counts: z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), stale: z.number().int(), rejected: z.number().int() }),
  })
  .meta({
    id: 'ObjectRecordBatchResult',
    example: {
      results: [
        { index: 0, status: 'created', id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c', externalId: 'SUB-1001', errors: [] },
        { index: 1, status: 'rejected', id: null, externalId: null, errors: [{ field: 'attributes.billing_email', reason: "not an email address: no '@'" }] },
      ],
      counts: { created: 1, updated: 0, unchanged: 0, stale: 0, rejected: 1 },
    },
  });

export const ZObjectRecordSearchQuery = z.object({
  externalId: z.string().optional(),
  updatedSince: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only records updated at or after this time.' }),
  contactId: z.uuid().optional().meta({ description: 'Only records associated with this contact (Tajo ID).' }),
  contactExternalId: z.string().optional().meta({ description: "Only records associated with the contact of this external ID (pending associations included)." }),
  limit: ZLimit,
  cursor: ZCursor,
});

export const ZObjectRecordLookupQuery = z.object({ externalId: z.string().min(1) });

export const ZObjectRecordPage = z
  .object({ data: z.array(ZObjectRecord), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }) })
  .meta({ id: 'ObjectRecordPage' });

export const ZObjectRecordDeletion = z
  .object({ id: z.uuid(), status: z.enum(['deleted', 'erased']) })
  .meta({ id: 'ObjectRecordDeletion', example: { id: '7c1e9a3b-4d2f-4b8e-a6c0-1f3e5d7b9a2c', status: 'deleted' } });

export const ZObjectTypeDeletion = z
  .object({ name: z.string(), status: z.literal('deleted') })
  .meta({ id: 'ObjectTypeDeletion', example: { name: 'subscription', status: 'deleted' } });

export const ASSOCIATION_RESULTS = ['created', 'removed', 'unchanged', 'rejected'] as const;

export const ZAssociationRequest = z
  .object({ associations: z.array(z.record(z.string(), z.unknown()).meta({ documentedAs: 'ObjectAssociationReferenceInput' })).min(1).max(MAX_BATCH_SIZE) })
  .meta({
    id: 'ObjectAssociationRequest',
    description: `Up to ${MAX_BATCH_SIZE} other ends, each checked on its own.`,
    example: { associations: [{ objectType: 'contact', email: 'ada@example.com' }, { objectType: 'vehicle', externalId: 'VIN-WVWZZZ1JZXW000001' }] },
  });

export const ZAssociationResult = z
  .object({
    index: z.number().int(),
    status: z.enum(ASSOCIATION_RESULTS).meta({ description: 'created or removed; unchanged when it already was (or was not) there; rejected with errors.' }),
    id: z.uuid().nullable().meta({ description: 'The association; null when rejected or when there was none to remove.' }),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })),
  })
  .meta({ id: 'ObjectAssociationResult' });

export const ZAssociationBatchResult = z
  .object({ results: z.array(ZAssociationResult) })
  .meta({
    id: 'ObjectAssociationBatchResult',
    example: {
      results: [
        { index: 0, status: 'created', id: '2a4c6e8f-1b3d-4f5a-8c7e-9d0b1a2c3e4f', errors: [] },
        { index: 1, status: 'rejected', id: null, errors: [{ field: 'associations.1.objectType', reason: "subscription records may not be associated with 'vehicle'; allowed: contact" }] },
      ],
    },
  });
