import { z } from 'zod';

/**
 * Request schemas of the Brevo endpoints the simulator serves, written from Brevo's API reference
 * (developers.brevo.com). They are the product's own; a CI test checks each against Brevo's
 * published OpenAPI document, which the product does not carry.
 */

const ZAttributeValue = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);

/** POST /contacts (createContact). */
export const ZCreateContact = z
  .object({
    email: z.email().optional(),
    ext_id: z.string().optional(),
    attributes: z.record(z.string(), ZAttributeValue).optional(),
    emailBlacklisted: z.boolean().optional(),
    smsBlacklisted: z.boolean().optional(),
    listIds: z.array(z.number().int()).optional(),
    updateEnabled: z.boolean().optional(),
    smtpBlacklistSender: z.array(z.email()).optional(),
  })
  .strict();

/** POST /contacts/import (importContacts), with a JSON body. */
export const ZImportContacts = z
  .object({
    jsonBody: z
      .array(z.object({ email: z.string().optional(), attributes: z.record(z.string(), z.unknown()).optional() }).strict())
      .optional(),
    fileBody: z.string().optional(),
    fileUrl: z.url().optional(),
    listIds: z.array(z.number().int()).optional(),
    notifyUrl: z.url().optional(),
    newList: z.object({ listName: z.string().optional(), folderId: z.number().int().optional() }).strict().optional(),
    emailBlacklist: z.boolean().optional(),
    disableNotification: z.boolean().optional(),
    smsBlacklist: z.boolean().optional(),
    updateExistingContacts: z.boolean().optional(),
    emptyContactsAttributes: z.boolean().optional(),
  })
  .strict();

/** POST /contacts/attributes/{attributeCategory}/{attributeName} (createAttribute). */
export const ZCreateAttribute = z
  .object({
    value: z.string().optional(),
    isRecurring: z.boolean().optional(),
    enumeration: z.array(z.object({ value: z.number().int(), label: z.string() }).strict()).optional(),
    multiCategoryOptions: z.array(z.string()).optional(),
    type: z.enum(['text', 'date', 'float', 'boolean', 'id', 'category', 'multiple-choice']).optional(),
  })
  .strict();

export const ATTRIBUTE_CATEGORIES = ['normal', 'transactional', 'category', 'calculated', 'global'] as const;
export const IDENTIFIER_TYPES = ['email_id', 'contact_id', 'ext_id', 'phone_id', 'whatsapp_id', 'landline_number_id'] as const;
export const ZIdentifierQuery = z.object({ identifierType: z.enum(IDENTIFIER_TYPES).optional() }).strict();

/** GET /contacts (getContacts): at most 1,000 a page. */
export const ZContactsQuery = z
  .object({
    limit: z.coerce.number().int().min(0).max(1000).default(50),
    offset: z.coerce.number().int().min(0).default(0),
    modifiedSince: z.iso.datetime({ offset: true }).optional(),
    createdSince: z.iso.datetime({ offset: true }).optional(),
    sort: z.enum(['asc', 'desc']).default('desc'),
    segmentId: z.coerce.number().int().optional(),
    listIds: z.union([z.coerce.number().int(), z.array(z.coerce.number().int())]).optional(),
    filter: z.string().optional(),
  })
  .strict();

/** Query of the folder, list and process listings (getFolders, getLists, getFolderLists, getProcesses). */
export const ZPageQuery = z
  .object({
    limit: z.coerce.number().int().min(0).max(50).default(10),
    offset: z.coerce.number().int().min(0).default(0),
    sort: z.enum(['asc', 'desc']).default('desc'),
  })
  .strict();

/** POST /contacts/folders (createFolder). */
export const ZCreateFolder = z.object({ name: z.string().min(1).optional() }).strict();

/** POST /contacts/lists (createList). */
export const ZCreateList = z.object({ name: z.string().min(1), folderId: z.number().int() }).strict();

/** PUT /contacts/lists/{listId} (updateList): Brevo changes one of the two at a time. */
export const ZUpdateList = z
  .object({ name: z.string().min(1).optional(), folderId: z.number().int().optional() })
  .strict()
  .refine((body) => (body.name === undefined) !== (body.folderId === undefined), { message: 'give either name or folderId' });

const membersOf = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(150);
const exactlyOne = (body: Record<string, unknown>) => Object.values(body).filter((value) => value !== undefined).length === 1;

/**
 * POST /contacts/lists/{listId}/contacts/add (addContactToList): contacts by emails, IDs or
 * EXT_IDs, one kind per request. Brevo's spec writes this as a `oneOf` of objects that require
 * nothing, so every valid body matches all branches and fails the `oneOf`; the reference
 * documentation says what is meant (one of the three arrays), and that is what is checked here.
 */
export const ZAddContactsToList = z
  .object({ emails: membersOf(z.email()).optional(), ids: membersOf(z.number().int()).optional(), extIds: membersOf(z.string()).optional() })
  .strict()
  .refine(exactlyOne, { message: 'give one of emails, ids or extIds' });

/** POST /contacts/lists/{listId}/contacts/remove (removeContactFromList): the same, or `all`. */
export const ZRemoveContactsFromList = z
  .object({
    emails: membersOf(z.email()).optional(),
    ids: membersOf(z.number().int()).optional(),
    extIds: membersOf(z.string()).optional(),
    all: z.boolean().optional(),
  })
  .strict()
  .refine(exactlyOne, { message: 'give one of emails, ids, extIds or all' });

const ZRecipient = z.object({ email: z.email(), name: z.string().optional() }).strict();

/** POST /smtp/email (sendTransacEmail). The simulator sends from templates only; the rest is checked, not rendered. */
export const ZSendTransacEmail = z
  .object({
    sender: z.object({ name: z.string().optional(), email: z.email().optional(), id: z.number().int().optional() }).strict().optional(),
    to: z.array(ZRecipient).min(1).optional(),
    bcc: z.array(ZRecipient).optional(),
    cc: z.array(ZRecipient).optional(),
    htmlContent: z.string().optional(),
    textContent: z.string().optional(),
    subject: z.string().optional(),
    replyTo: ZRecipient.optional(),
    attachment: z.array(z.object({ url: z.url().optional(), content: z.string().optional(), name: z.string().optional() }).strict()).optional(),
    headers: z.record(z.string(), z.unknown()).optional(),
    templateId: z.number().int().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    messageVersions: z.array(z.record(z.string(), z.unknown())).optional(),
    tags: z.array(z.string()).optional(),
    scheduledAt: z.string().optional(),
    batchId: z.string().optional(),
    preheader: z.string().optional(),
  })
  .strict();

/** POST /emailCampaigns (createEmailCampaign). Content and A/B options are checked for shape only. */
export const ZCreateEmailCampaign = z
  .object({
    tag: z.string().optional(),
    sender: z.object({ name: z.string().optional(), email: z.email().optional(), id: z.number().int().optional() }).strict(),
    name: z.string().min(1),
    htmlContent: z.string().optional(),
    htmlUrl: z.url().optional(),
    templateId: z.number().int().optional(),
    scheduledAt: z.string().optional(),
    subject: z.string().optional(),
    previewText: z.string().optional(),
    replyTo: z.email().optional(),
    toField: z.string().optional(),
    recipients: z
      .object({
        exclusionListIds: z.array(z.number().int()).optional(),
        listIds: z.array(z.number().int()).optional(),
        segmentIds: z.array(z.number().int()).optional(),
        exclusionSegmentIds: z.array(z.number().int()).optional(),
      })
      .strict()
      .optional(),
    attachmentUrl: z.url().optional(),
    inlineImageActivation: z.boolean().optional(),
    mirrorActive: z.boolean().optional(),
    footer: z.string().optional(),
    header: z.string().optional(),
    utmCampaign: z.string().optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    sendAtBestTime: z.boolean().optional(),
    abTesting: z.boolean().optional(),
    subjectA: z.string().optional(),
    subjectB: z.string().optional(),
    splitRule: z.number().int().optional(),
    winnerCriteria: z.string().optional(),
    winnerDelay: z.number().int().optional(),
    ipWarmupEnable: z.boolean().optional(),
    initialQuota: z.number().int().optional(),
    increaseRate: z.number().int().optional(),
    unsubscriptionPageId: z.string().optional(),
    updateFormId: z.string().optional(),
    emailExpirationDate: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** GET /emailCampaigns (getEmailCampaigns). */
export const ZEmailCampaignsQuery = z
  .object({
    type: z.enum(['classic', 'trigger']).optional(),
    status: z.enum(['suspended', 'archive', 'sent', 'queued', 'draft', 'inProcess', 'inReview']).optional(),
    statistics: z.enum(['globalStats', 'linksStats', 'statsByDomain']).optional(),
    startDate: z.string().optional(),
    endDate: z.string().optional(),
    limit: z.coerce.number().int().min(0).max(100).default(50),
    offset: z.coerce.number().int().min(0).default(0),
    sort: z.enum(['asc', 'desc']).default('desc'),
    excludeHtmlContent: z.enum(['true', 'false']).optional(),
  })
  .strict();

/** Brevo's rule for event names and event property keys. */
const BREVO_EVENT_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** POST /events (createEvent); also each item of POST /events/batch. */
export const ZCreateEvent = z
  .object({
    event_name: z.string().regex(BREVO_EVENT_NAME, 'limited to 255 characters, alphanumerical characters and - _ only'),
    event_date: z.iso.datetime({ offset: true }).optional(),
    identifiers: z
      .object({
        // contact_id is in Brevo's reference and SDK, not in its published spec.
        contact_id: z.number().int().optional(),
        email_id: z.email().optional(),
        phone_id: z.string().optional(),
        whatsapp_id: z.string().optional(),
        landline_number_id: z.string().optional(),
        ext_id: z.string().optional(),
      })
      .strict()
      .refine((identifiers) => Object.keys(identifiers).length > 0, 'at least one identifier is required'),
    contact_properties: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    event_properties: z
      .record(z.string().regex(BREVO_EVENT_NAME, 'keys are limited to 255 characters, alphanumerical characters and - _ only'), z.union([z.string(), z.number(), z.boolean(), z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]))
      .optional(),
    object: z
      .object({ type: z.string().optional(), identifiers: z.object({ id: z.string().optional(), ext_id: z.string().optional() }).strict().optional() })
      .strict()
      .optional(),
  })
  .strict();

/** Brevo's documented limits of POST /events/batch. */
export const MAX_BATCH_EVENTS = 200;
export const MAX_BATCH_EVENTS_BYTES = 512 * 1024;

/**
 * POST /events/batch (createBatchEvents): not in Brevo's published spec; written from its reference
 * (developers.brevo.com/reference/create-batch-events). Items are checked one by one (ZCreateEvent):
 * Brevo accepts the valid ones and reports the others.
 */
export const ZCreateBatchEvents = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS) }).strict();

/** Brevo's documented limits of POST /objects/{object_type}/batch/upsert. */
export const MAX_OBJECT_RECORDS = 1000;
export const MAX_OBJECT_BATCH_BYTES = 1_000_000;
export const MAX_OBJECT_ASSOCIATIONS = 10;
export const MAX_ASSOCIATED_RECORDS = 100;

/** An object record's attribute value: Brevo's examples are text and numbers; booleans, dates as text and multiple-choice keys go too. */
const ZObjectAttributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const ZObjectIdentifiers = z.object({ ext_id: z.string().min(1).optional(), id: z.number().int().optional() }).strict();
const hasExtId = (identifiers: z.infer<typeof ZObjectIdentifiers>) => identifiers.ext_id !== undefined;
const hasId = (identifiers: z.infer<typeof ZObjectIdentifiers>) => identifiers.id !== undefined;

/** Links a record to 1 to 100 records of another type, each named by exactly one identifier. */
export const ZObjectAssociation = z
  .object({
    object_type: z.string().min(1),
    records: z
      .array(z.object({ identifiers: ZObjectIdentifiers.refine((identifiers) => hasExtId(identifiers) !== hasId(identifiers), 'give either ext_id or id') }).strict())
      .min(1)
      .max(MAX_ASSOCIATED_RECORDS),
  })
  .strict();

/** A record's identifiers are optional (Brevo then generates its id), but never both. */
export const ZObjectRecord = z
  .object({
    attributes: z.record(z.string(), ZObjectAttributeValue).refine((attributes) => Object.keys(attributes).length > 0, 'minimum 1 attribute is required'),
    identifiers: ZObjectIdentifiers.refine((identifiers) => !(hasExtId(identifiers) && hasId(identifiers)), 'ext_id and id cannot both be provided').optional(),
    associations: z.array(ZObjectAssociation).max(MAX_OBJECT_ASSOCIATIONS).optional(),
  })
  .strict();

/** POST /objects/{object_type}/batch/upsert (upsertrecords). */
export const ZUpsertObjectRecords = z.object({ records: z.array(ZObjectRecord).min(1).max(MAX_OBJECT_RECORDS) }).strict();

/** GET /objects/{object_type}/records (getrecords): limit and page_num are required. */
export const ZObjectRecordsQuery = z
  .object({
    limit: z.coerce.number().int().min(0).max(1000),
    page_num: z.coerce.number().int().min(1),
    sort: z.enum(['asc', 'desc']).default('desc'),
    association: z.enum(['true', 'false']).default('false'),
  })
  .strict();
