import { BrevoClient, BrevoError, BrevoTimeoutError, type Brevo } from '@getbrevo/brevo';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountRateLimiter } from './rate-limit.ts';
import { endpointFamily, readRateLimitHeaders, type EndpointFamily } from './rate-limit.ts';

/** What Tajo asks of Brevo. Small on purpose: activation code depends on this, not on the SDK. */
export interface BrevoApi {
  /** The credential smoke test: a harmless authenticated read. */
  getAccount(): Promise<{ email: string; companyName: string }>;
  /** POST /contacts with updateEnabled: creates or updates one contact. */
  upsertContact(contact: Brevo.CreateContactRequest): Promise<void>;
  /** GET /contacts/{identifier}; null when Brevo has no such contact. */
  getContact(identifier: string, type: 'ext_id' | 'email_id'): Promise<{ email?: string; emailBlacklisted: boolean } | null>;
  /** DELETE /contacts/{identifier}; false when Brevo had no such contact. */
  deleteContact(identifier: string, type: 'ext_id' | 'email_id'): Promise<boolean>;
  /**
   * POST /contacts/import with a JSON body; resolves with the process to follow and Brevo's own
   * clock when it accepted the import (its Date header), to find what the import changed.
   */
  importContacts(request: Brevo.ImportContactsRequest): Promise<{ processId: number; acceptedAt: Date }>;
  /** GET /processes/{processId}: its status ('completed' when done) and, once finished, an import's or an objects batch's report. */
  getProcess(processId: number): Promise<BrevoProcess>;
  /** GET /processes, the 50 newest: one request tells the state of every recent import. */
  listProcesses(): Promise<BrevoProcess[]>;
  /** GET /contacts modified since a time (Brevo's clock), oldest first, one page of at most 1,000. */
  listContactsModifiedSince(since: Date, page: { limit: number; offset: number }): Promise<{ contacts: { email?: string; extId?: string }[]; count: number }>;
  listAttributes(): Promise<{ name: string; category: string; type?: string }[]>;
  createAttribute(name: string, type: 'text' | 'date' | 'float' | 'boolean'): Promise<void>;
  /** GET /contacts/folders: one page (at most 50), oldest first. */
  listFolders(page: BrevoPage): Promise<{ items: BrevoNamed[]; count: number }>;
  /** POST /contacts/folders; resolves with the new folder's ID. */
  createFolder(name: string): Promise<number>;
  /** GET /contacts/folders/{folderId}/lists: one page (at most 50), oldest first. */
  listFolderLists(folderId: number, page: BrevoPage): Promise<{ items: BrevoNamed[]; count: number }>;
  /** POST /contacts/lists; resolves with the new list's ID. */
  createList(name: string, folderId: number): Promise<number>;
  /** PUT /contacts/lists/{listId}; false when Brevo has no such list. */
  renameList(listId: number, name: string): Promise<boolean>;
  /** DELETE /contacts/lists/{listId}; false when Brevo had no such list. */
  deleteList(listId: number): Promise<boolean>;
  /**
   * POST /contacts/lists/{listId}/contacts/add, at most 150 contacts. `failure` holds those Brevo
   * did not add: already in the list, or unknown to it.
   */
  addToList(listId: number, contacts: ListMembers): Promise<ListMembershipChange>;
  /** POST /contacts/lists/{listId}/contacts/remove, at most 150 contacts. */
  removeFromList(listId: number, contacts: ListMembers): Promise<ListMembershipChange>;
  /**
   * POST /smtp/email from a template to one recipient; resolves with Brevo's message ID (if it gave one). Brevo
   * sends a message once per idempotency key (for its TTL), so retries of this call are safe.
   */
  sendTemplateEmail(email: TemplateEmail): Promise<string | null>;
  /** GET /emailCampaigns: one page (at most 100) of classic draft campaigns, oldest first. */
  listDraftCampaigns(page: BrevoPage): Promise<{ items: BrevoNamed[]; count: number }>;
  /**
   * POST /emailCampaigns: a classic campaign, left as a draft (nothing scheduled); resolves with its
   * ID. Brevo keeps no names unique here, so a 5xx or timeout is not retried: it may have created it.
   */
  createDraftCampaign(draft: DraftCampaign): Promise<number>;
  /** POST /events: one custom event (Brevo answers 204). */
  trackEvent(event: BrevoEvent, watch?: AttemptWatch): Promise<void>;
  /**
   * POST /events/batch, up to MAX_EVENTS_PER_BATCH events: resolves with the events Brevo refused
   * (by index, with its reason); the others are accepted. A 400 refuses the whole batch.
   */
  trackEvents(events: BrevoEvent[], watch?: AttemptWatch): Promise<{ index: number; reason: string; answer: unknown }[]>;
  /**
   * POST /objects/{objectType}/batch/upsert, one batch within Brevo's limits (splitObjectRecords
   * makes them). Brevo answers before applying anything: resolves with the process to follow with
   * getProcess, whose `objectRecordErrors` name the records it did not apply. Brevo creates no
   * object types and drops attributes its type does not have, without a word.
   */
  upsertObjectRecords(objectType: string, records: BrevoObjectRecord[]): Promise<{ processId: number }>;
  /**
   * GET /objects/{objectType}/records: one page (numbered from 1, at most 1,000 records), oldest
   * first, with at most 5 associated records per association when asked. Null when Brevo has no
   * such object type: this is how Tajo checks a type exists, and reads back what Brevo kept.
   */
  listObjectRecords(objectType: string, page: { limit: number; page: number }, options?: { associations?: boolean }): Promise<{ records: BrevoStoredObjectRecord[]; count: number } | null>;
}

export interface DraftCampaign {
  name: string;
  subject: string;
  sender: { name?: string; email: string };
  templateId: number;
  listIds: number[];
}

export interface TemplateEmail {
  templateId: number;
  to: { email: string; name?: string };
  params: Record<string, unknown>;
  idempotencyKey: string;
}

export interface BrevoProcess {
  id: number;
  status: string;
  /**
   * A completed import's report: for each kind of problem (invalid_emails, duplicate_ext_id,
   * duplicate_phone_id...), the URL of a CSV of the rows Brevo skipped, or null when there were none.
   */
  importReport?: Record<string, string | null | undefined>;
  /** A completed objects batch's records that Brevo did not apply, by their index in the request. */
  objectRecordErrors?: BrevoObjectRecordError[];
}

export interface BrevoObjectRecordError {
  index: number;
  identifiers?: BrevoObjectIdentifiers;
  reason: string;
}

/**
 * Brevo documents that records of a batch fail in the background (an unknown id, an associated
 * record that does not exist) but not how its process shows them: `info.object_records.errors` is
 * the simulator's reading, beside the import report under `info.import`. Anything else reads as none.
 */
interface ObjectBatchInfo {
  object_records?: { errors?: { index: number; identifiers?: BrevoObjectIdentifiers; message?: string }[] };
}

const toProcess = (process: { id: number; status: string; info?: { import?: object | undefined } | undefined }): BrevoProcess => {
  const objectRecords = (process.info as ObjectBatchInfo | undefined)?.object_records;
  return {
    id: process.id,
    status: process.status,
    ...(process.info?.import ? { importReport: { ...process.info.import } as Record<string, string | null | undefined> } : {}),
    ...(objectRecords
      ? {
          objectRecordErrors: (objectRecords.errors ?? []).map((error) => ({
            index: error.index,
            ...(error.identifiers ? { identifiers: error.identifiers } : {}),
            reason: error.message ?? 'refused by Brevo',
          })),
        }
      : {}),
  };
};

export interface BrevoPage {
  limit: number;
  offset: number;
}

export interface BrevoNamed {
  id: number;
  name: string;
}

/** Brevo takes at most this many contacts per list-membership request. */
export const MAX_LIST_MEMBERS_PER_REQUEST = 150;

export type ListMembers = { extIds: string[] } | { emails: string[] };

export interface ListMembershipChange {
  success: (string | number)[];
  failure: (string | number)[];
}

/** A custom event as Brevo's events API takes it. */
export type BrevoEvent = Brevo.CreateBatchEventsRequest.Events.Item;

/** Brevo's documented limits of POST /events/batch. */
export const MAX_EVENTS_PER_BATCH = 200;
export const MAX_EVENT_BATCH_BYTES = 512 * 1024;

/** A record of a custom object, or a contact, by Brevo's ID or by Tajo's external ID (one of them). */
export type BrevoObjectIdentifiers = { ext_id: string; id?: never } | { id: number; ext_id?: never };

export type BrevoObjectAttributeValue = string | number | boolean | string[];

/** An object record as Brevo's batch upsert takes it; associations link it to records of other types ('contact' for contacts). */
export interface BrevoObjectRecord {
  identifiers: BrevoObjectIdentifiers;
  attributes: Record<string, BrevoObjectAttributeValue>;
  associations?: { object_type: string; records: { identifiers: BrevoObjectIdentifiers }[] }[];
}

/** An object record as Brevo keeps it: only the attributes its type has, and associated records by Brevo ID. */
export interface BrevoStoredObjectRecord {
  id: number;
  extId?: string;
  attributes: Record<string, unknown>;
  associations: { objectType: string; ids: number[] }[];
  createdAt?: string;
  updatedAt?: string;
}

/**
 * Brevo's documented limits of POST /objects/{object_type}/batch/upsert, as its published spec
 * states them (its published schema checks all but the size). "1 MB" is read as 1,000,000 bytes,
 * the smaller reading. Brevo's newer guide says 10 associated records per associated type, not 100.
 */
export const MAX_OBJECT_RECORDS_PER_BATCH = 1000;
export const MAX_OBJECT_BATCH_BYTES = 1_000_000;
export const MAX_OBJECT_ASSOCIATIONS = 10;
export const MAX_RECORDS_PER_OBJECT_ASSOCIATION = 100;

/** The request body's bytes around its records: `{"records":[` and `]}`. */
const OBJECT_BATCH_OVERHEAD_BYTES = Buffer.byteLength(JSON.stringify({ records: [] }));

/** Why Brevo would refuse this record in any batch, or null when it takes it. */
export function objectRecordProblem(record: BrevoObjectRecord): string | null {
  const named = (identifiers: BrevoObjectIdentifiers | undefined) => identifiers !== undefined && (identifiers.ext_id === undefined) !== (identifiers.id === undefined);
  if (!named(record.identifiers)) return 'an object record is named by exactly one of ext_id and id';
  if (Object.keys(record.attributes).length === 0) return 'Brevo takes an object record with at least one attribute';
  const associations = record.associations ?? [];
  if (associations.length > MAX_OBJECT_ASSOCIATIONS) return `Brevo takes at most ${MAX_OBJECT_ASSOCIATIONS} associations per object record, not ${associations.length}`;
  for (const association of associations) {
    const count = association.records.length;
    if (count < 1 || count > MAX_RECORDS_PER_OBJECT_ASSOCIATION) return `Brevo takes 1 to ${MAX_RECORDS_PER_OBJECT_ASSOCIATION} ${association.object_type} records per association, not ${count}`;
    if (!association.records.every((linked) => named(linked.identifiers))) return `an associated ${association.object_type} record is named by exactly one of ext_id and id`;
  }
  const bytes = OBJECT_BATCH_OVERHEAD_BYTES + Buffer.byteLength(JSON.stringify(record));
  if (bytes > MAX_OBJECT_BATCH_BYTES) return `the object record alone takes ${bytes} bytes, over Brevo's ${MAX_OBJECT_BATCH_BYTES} per request`;
  return null;
}

/**
 * Splits records into batch upserts within Brevo's limits, by count and by serialized size, in
 * their order. A record no batch can carry is refused with the reason, not sent: Brevo would refuse
 * the whole request it is in.
 */
export function splitObjectRecords<T extends BrevoObjectRecord>(records: T[]): { batches: T[][]; refused: { record: T; reason: string }[] } {
  const batches: T[][] = [];
  const refused: { record: T; reason: string }[] = [];
  let batch: T[] = [];
  let bytes = OBJECT_BATCH_OVERHEAD_BYTES;
  for (const record of records) {
    const reason = objectRecordProblem(record);
    if (reason) {
      refused.push({ record, reason });
      continue;
    }
    const size = Buffer.byteLength(JSON.stringify(record));
    // After the first record, each takes a comma too. A record alone always fits (checked above).
    if (batch.length === MAX_OBJECT_RECORDS_PER_BATCH || (batch.length > 0 && bytes + 1 + size > MAX_OBJECT_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = OBJECT_BATCH_OVERHEAD_BYTES;
    }
    bytes += size + (batch.length > 0 ? 1 : 0);
    batch.push(record);
  }
  if (batch.length > 0) batches.push(batch);
  return { batches, refused };
}

/**
 * Follows the attempts of a request that must not be carried out twice (Brevo's events API has no
 * idempotency key). With a watch, a timeout or a dropped connection is not retried: Brevo may have
 * carried the request out, so the call fails as in doubt instead of risking a duplicate.
 */
export interface AttemptWatch {
  /** Before each attempt: from now on, Brevo may carry the request out. */
  sending(): Promise<void>;
  /** After an answer that says the attempt was not carried out (429, 5xx): a later attempt is safe. */
  notCarriedOut(): Promise<void>;
}

/** The failure categories shared by problem answers, dead letters, logs and metrics. */
export type BrevoFailureCategory = 'validation' | 'mapping' | 'authentication' | 'permission' | 'rate_limited' | 'vendor_unavailable' | 'not_found';

/** A Brevo request that failed for good: not retryable, or out of retries. */
export class BrevoRequestFailed extends Error {
  constructor(
    readonly category: BrevoFailureCategory,
    message: string,
    readonly details: { operation: string; status?: number; code?: string; attempts: number; response?: unknown; inDoubt?: boolean },
  ) {
    super(message);
    this.name = 'BrevoRequestFailed';
  }
}

/** A failure worth trying again later (Brevo was busy or down), as opposed to a refusal. */
export const isRetryableFailure = (error: unknown) => error instanceof BrevoRequestFailed && (error.category === 'rate_limited' || error.category === 'vendor_unavailable');

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 30_000 };

export interface BrevoClientOptions {
  apiKey: string;
  baseUrl: string;
  limiter: AccountRateLimiter;
  retry?: RetryPolicy;
  timeoutSeconds?: number;
  /** Told of every answer (for metrics and tests). */
  onResponse?(event: { operation: string; family: EndpointFamily; status: number | 'timeout' | 'network' }): void;
}

interface Attempted<T> {
  data: T;
  rawResponse: { headers: Headers; status: number };
}

/** Full-jitter exponential backoff: a random delay up to base·2^attempt, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

function categoryOfStatus(status: number, code: string | undefined): BrevoFailureCategory {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'vendor_unavailable';
  // An attribute Brevo does not know, or a value of the wrong type, is a mapping problem.
  return code === 'invalid_parameter' || code === 'duplicate_parameter' ? 'mapping' : 'validation';
}

/**
 * The Brevo client on `@getbrevo/brevo`. The SDK's own retries are off (they repeat POSTs and
 * ignore Brevo's rate-limit headers); this class owns the policy: a token per request from the
 * account's bucket, corrections from every answer's headers, and retries of 429, 5xx, timeouts
 * and connection failures with exponential backoff, jitter and a cap, honouring Retry-After.
 */
export class SdkBrevoApi implements BrevoApi {
  readonly #sdk: BrevoClient;
  readonly #retry: RetryPolicy;

  constructor(private readonly options: BrevoClientOptions) {
    this.#sdk = new BrevoClient({ apiKey: options.apiKey, baseUrl: options.baseUrl, maxRetries: 0, timeoutInSeconds: options.timeoutSeconds ?? 30 });
    this.#retry = options.retry ?? DEFAULT_RETRY;
  }

  /**
   * `idempotent: false` is for creations Brevo does not deduplicate: only a 429 (refused before any
   * work) is retried here; a 5xx or timeout may have created the thing, so the caller decides.
   * `watch` is told of each attempt, for callers that record what may be in flight.
   */
  async #call<T>(operation: string, path: string, send: () => Promise<Attempted<T>>, { idempotent = true, watch }: { idempotent?: boolean; watch?: AttemptWatch | undefined } = {}): Promise<T> {
    const family = endpointFamily(path);
    const { limiter } = this.options;
    for (let attempt = 0; ; attempt += 1) {
      await limiter.acquire(family);
      await watch?.sending();
      let failure: BrevoRequestFailed;
      try {
        const { data, rawResponse } = await send();
        // Brevo carried the request out: a budget that cannot be corrected now (a database blip) is
        // corrected by a later answer, and must not turn this one into a failure.
        await limiter.observe(family, readRateLimitHeaders(rawResponse.headers), false).catch(() => undefined);
        this.options.onResponse?.({ operation, family, status: rawResponse.status });
        return data;
      } catch (error) {
        if (error instanceof BrevoTimeoutError) {
          this.options.onResponse?.({ operation, family, status: 'timeout' });
          failure = new BrevoRequestFailed('vendor_unavailable', `Brevo did not answer ${operation} in time`, { operation, attempts: attempt + 1, ...(watch ? { inDoubt: true } : {}) });
        } else if (error instanceof BrevoError && error.statusCode !== undefined) {
          const headers = readRateLimitHeaders(error.rawResponse?.headers);
          await limiter.observe(family, headers, error.statusCode === 429);
          this.options.onResponse?.({ operation, family, status: error.statusCode });
          const body = error.body as { code?: string; message?: string } | undefined;
          const category = categoryOfStatus(error.statusCode, body?.code);
          failure = new BrevoRequestFailed(category, `Brevo answered ${operation} with ${error.statusCode}${body?.code ? ` ${body.code}` : ''}: ${body?.message ?? error.message}`, {
            operation,
            status: error.statusCode,
            ...(body?.code ? { code: body.code } : {}),
            attempts: attempt + 1,
            response: error.body,
          });
        } else if (error instanceof BrevoError) {
          // No status: the connection failed or was reset before an answer.
          this.options.onResponse?.({ operation, family, status: 'network' });
          failure = new BrevoRequestFailed('vendor_unavailable', `Brevo could not be reached for ${operation}: ${error.message}`, { operation, attempts: attempt + 1, ...(watch ? { inDoubt: true } : {}) });
        } else {
          throw error;
        }
      }
      if (failure.details.inDoubt) throw failure;
      const retryable = failure.category === 'rate_limited' || (idempotent && failure.category === 'vendor_unavailable');
      if (retryable) await watch?.notCarriedOut();
      if (!retryable || attempt + 1 >= this.#retry.maxAttempts) throw failure;
      // A 429 blocks the account's budget until Brevo's reset (the next acquire waits for it, or
      // hands the wait back to the caller when it is long); the backoff spreads the retries.
      await sleep(backoffDelay(attempt, this.#retry));
    }
  }

  getAccount() {
    return this.#call('getAccount', '/account', async () => {
      const { data, rawResponse } = await this.#sdk.account.getAccount().withRawResponse();
      return { data: { email: data.email, companyName: data.companyName }, rawResponse };
    });
  }

  upsertContact(contact: Brevo.CreateContactRequest) {
    return this.#call('upsertContact', '/contacts', async () => {
      const { rawResponse } = await this.#sdk.contacts.createContact({ ...contact, updateEnabled: true }).withRawResponse();
      return { data: undefined, rawResponse };
    });
  }

  async getContact(identifier: string, type: 'ext_id' | 'email_id') {
    try {
      return await this.#call('getContact', '/contacts/{identifier}', async () => {
        const { data, rawResponse } = await this.#sdk.contacts.getContactInfo({ identifier, identifierType: type }).withRawResponse();
        return { data: { ...(data.email ? { email: data.email } : {}), emailBlacklisted: data.emailBlacklisted }, rawResponse };
      });
    } catch (error) {
      if (error instanceof BrevoRequestFailed && error.category === 'not_found') return null;
      throw error;
    }
  }

  deleteContact(identifier: string, type: 'ext_id' | 'email_id') {
    return this.#unlessNotFound(() =>
      this.#call('deleteContact', '/contacts/{identifier}', async () => {
        const { rawResponse } = await this.#sdk.contacts.deleteContact({ identifier, identifierType: type }).withRawResponse();
        return { data: undefined, rawResponse };
      }),
    );
  }

  importContacts(request: Brevo.ImportContactsRequest) {
    return this.#call('importContacts', '/contacts/import', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.importContacts(request).withRawResponse();
      const date = Date.parse(rawResponse.headers.get('date') ?? '');
      return { data: { processId: data.processId, acceptedAt: Number.isNaN(date) ? new Date() : new Date(date) }, rawResponse };
    });
  }

  getProcess(processId: number) {
    return this.#call('getProcess', '/processes/{processId}', async () => {
      const { data, rawResponse } = await this.#sdk.process.getProcess({ processId }).withRawResponse();
      return { data: toProcess(data), rawResponse };
    });
  }

  listProcesses() {
    return this.#call('getProcesses', '/processes', async () => {
      const { data, rawResponse } = await this.#sdk.process.getProcesses({ limit: 50, offset: 0, sort: 'desc' }).withRawResponse();
      return { data: (data.processes ?? []).map(toProcess), rawResponse };
    });
  }

  listContactsModifiedSince(since: Date, page: { limit: number; offset: number }) {
    return this.#call('getContacts', '/contacts', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.getContacts({ ...page, modifiedSince: since.toISOString(), sort: 'asc' }).withRawResponse();
      const contacts = (data.contacts ?? []).map((contact) => {
        const extId = (contact.attributes as Record<string, unknown> | undefined)?.EXT_ID;
        return { ...(contact.email ? { email: contact.email } : {}), ...(typeof extId === 'string' ? { extId } : {}) };
      });
      return { data: { contacts, count: data.count ?? contacts.length }, rawResponse };
    });
  }

  listAttributes() {
    return this.#call('listAttributes', '/contacts/attributes', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.getAttributes().withRawResponse();
      return { data: data.attributes.map((a) => ({ name: a.name, category: a.category, ...(a.type ? { type: a.type } : {}) })), rawResponse };
    });
  }

  listFolders(page: BrevoPage) {
    return this.#call('getFolders', '/contacts/folders', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.getFolders({ ...page, sort: 'asc' }).withRawResponse();
      return { data: { items: (data.folders ?? []).map(({ id, name }) => ({ id, name })), count: data.count ?? 0 }, rawResponse };
    });
  }

  createFolder(name: string) {
    return this.#call('createFolder', '/contacts/folders', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.createFolder({ name }).withRawResponse();
      return { data: data.id, rawResponse };
    });
  }

  listFolderLists(folderId: number, page: BrevoPage) {
    return this.#call('getFolderLists', '/contacts/folders/{folderId}/lists', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.getFolderLists({ folderId, ...page, sort: 'asc' }).withRawResponse();
      return { data: { items: (data.lists ?? []).map(({ id, name }) => ({ id, name })), count: data.count ?? 0 }, rawResponse };
    });
  }

  createList(name: string, folderId: number) {
    return this.#call('createList', '/contacts/lists', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.createList({ name, folderId }).withRawResponse();
      return { data: data.id, rawResponse };
    });
  }

  renameList(listId: number, name: string) {
    return this.#unlessNotFound(() =>
      this.#call('updateList', '/contacts/lists/{listId}', async () => {
        const { rawResponse } = await this.#sdk.contacts.updateList({ listId, name }).withRawResponse();
        return { data: undefined, rawResponse };
      }),
    );
  }

  deleteList(listId: number) {
    return this.#unlessNotFound(() =>
      this.#call('deleteList', '/contacts/lists/{listId}', async () => {
        const { rawResponse } = await this.#sdk.contacts.deleteList({ listId }).withRawResponse();
        return { data: undefined, rawResponse };
      }),
    );
  }

  addToList(listId: number, contacts: ListMembers) {
    checkChunk(contacts);
    return this.#call('addContactToList', '/contacts/lists/{listId}/contacts/add', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.addContactToList({ listId, body: contacts }).withRawResponse();
      return { data: membershipChange(data), rawResponse };
    });
  }

  removeFromList(listId: number, contacts: ListMembers) {
    checkChunk(contacts);
    return this.#call('removeContactFromList', '/contacts/lists/{listId}/contacts/remove', async () => {
      const { data, rawResponse } = await this.#sdk.contacts.removeContactFromList({ listId, body: contacts }).withRawResponse();
      return { data: membershipChange(data), rawResponse };
    });
  }

  sendTemplateEmail({ templateId, to, params, idempotencyKey }: TemplateEmail) {
    return this.#call('sendTransacEmail', '/smtp/email', async () => {
      const request = { templateId, to: [to], ...(Object.keys(params).length > 0 ? { params } : {}), headers: { idempotencyKey } };
      const { data, rawResponse } = await this.#sdk.transactionalEmails.sendTransacEmail(request).withRawResponse();
      return { data: data.messageId ?? null, rawResponse };
    });
  }

  listDraftCampaigns(page: BrevoPage) {
    return this.#call('getEmailCampaigns', '/emailCampaigns', async () => {
      const { data, rawResponse } = await this.#sdk.emailCampaigns
        .getEmailCampaigns({ type: 'classic', status: 'draft', ...page, sort: 'asc', excludeHtmlContent: true })
        .withRawResponse();
      return { data: { items: (data.campaigns ?? []).map(({ id, name }) => ({ id, name })), count: data.count ?? 0 }, rawResponse };
    });
  }

  createDraftCampaign({ name, subject, sender, templateId, listIds }: DraftCampaign) {
    return this.#call('createEmailCampaign', '/emailCampaigns', async () => {
      const { data, rawResponse } = await this.#sdk.emailCampaigns.createEmailCampaign({ name, subject, sender, templateId, recipients: { listIds } }).withRawResponse();
      return { data: data.id, rawResponse };
    }, { idempotent: false });
  }

  /** True when the call went through, false when Brevo has no such thing. */
  async #unlessNotFound(call: () => Promise<void>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (error instanceof BrevoRequestFailed && error.category === 'not_found') return false;
      throw error;
    }
  }

  createAttribute(name: string, type: 'text' | 'date' | 'float' | 'boolean') {
    return this.#call('createAttribute', '/contacts/attributes', async () => {
      const { rawResponse } = await this.#sdk.contacts.createAttribute({ attributeCategory: 'normal', attributeName: name, type }).withRawResponse();
      return { data: undefined, rawResponse };
    });
  }

  trackEvent(event: BrevoEvent, watch?: AttemptWatch) {
    return this.#call(
      'trackEvent',
      '/events',
      async () => {
        const { rawResponse } = await this.#sdk.event.createEvent(event).withRawResponse();
        return { data: undefined, rawResponse };
      },
      { watch },
    );
  }

  trackEvents(events: BrevoEvent[], watch?: AttemptWatch) {
    return this.#call(
      'trackEvents',
      '/events/batch',
      async () => {
        const { data, rawResponse } = await this.#sdk.event.createBatchEvents({ events }).withRawResponse();
        // 202 {message, count}: all accepted. 207 {errors: [{eventIndex, message}]}: all but those (the SDK types only the 202).
        const { errors } = data as Partial<Brevo.BatchEventsResponse>;
        const refused = (errors ?? []).flatMap((error) =>
          (error.eventIndex ?? []).map((index) => ({ index, reason: error.message ?? 'refused by Brevo', answer: error })),
        );
        return { data: refused, rawResponse };
      },
      { watch },
    );
  }

  async upsertObjectRecords(objectType: string, records: BrevoObjectRecord[]) {
    checkObjectBatch(records);
    // Upserts by ext_id or id: a retried batch sets the same values again.
    return this.#call('upsertObjectRecords', '/objects/{object_type}/batch/upsert', async () => {
      const { data, rawResponse } = await this.#sdk.customObjects.upsertrecords({ object_type: objectType, records }).withRawResponse();
      if (data.processId === undefined) throw new BrevoRequestFailed('vendor_unavailable', 'Brevo accepted an objects batch without a process ID', { operation: 'upsertObjectRecords', status: rawResponse.status, attempts: 1, response: data });
      return { data: { processId: data.processId }, rawResponse };
    });
  }

  async listObjectRecords(objectType: string, page: { limit: number; page: number }, options: { associations?: boolean } = {}) {
    try {
      return await this.#call('getObjectRecords', '/objects/{object_type}/records', async () => {
        const { data, rawResponse } = await this.#sdk.customObjects
          .getrecords({ object_type: objectType, limit: page.limit, page_num: page.page, sort: 'asc', ...(options.associations ? { association: 'true' as const } : {}) })
          .withRawResponse();
        return { data: { records: (data.records ?? []).map(toStoredObjectRecord), count: data.count ?? 0 }, rawResponse };
      });
    } catch (error) {
      // Brevo answers an object type it does not have with 400 "invalid object_type" (its spec also lists a 404 for it).
      if (error instanceof BrevoRequestFailed && (error.details.status === 400 || error.details.status === 404)) return null;
      throw error;
    }
  }
}

function checkObjectBatch(records: BrevoObjectRecord[]) {
  if (records.length < 1 || records.length > MAX_OBJECT_RECORDS_PER_BATCH) throw new RangeError(`Brevo takes 1 to ${MAX_OBJECT_RECORDS_PER_BATCH} object records per batch, not ${records.length}`);
  const { batches, refused } = splitObjectRecords(records);
  if (refused.length > 0) throw new RangeError(refused[0]!.reason);
  if (batches.length > 1) throw new RangeError(`the object records take more than ${MAX_OBJECT_BATCH_BYTES} bytes: split them with splitObjectRecords`);
}

const toStoredObjectRecord = (record: Brevo.GetrecordsResponse.Records.Item): BrevoStoredObjectRecord => ({
  id: record.identifiers?.id ?? 0,
  ...(record.identifiers?.ext_id !== undefined ? { extId: record.identifiers.ext_id } : {}),
  attributes: record.attributes ?? {},
  associations: (record.associations ?? []).map((association) => ({
    objectType: association.object_type ?? '',
    ids: (association.records ?? []).flatMap((linked) => (linked.identifiers?.id === undefined ? [] : [linked.identifiers.id])),
  })),
  ...(record.createdAt ? { createdAt: record.createdAt } : {}),
  ...(record.updatedAt ? { updatedAt: record.updatedAt } : {}),
});

function checkChunk(contacts: ListMembers) {
  const count = 'extIds' in contacts ? contacts.extIds.length : contacts.emails.length;
  if (count < 1 || count > MAX_LIST_MEMBERS_PER_REQUEST) throw new RangeError(`Brevo takes 1 to ${MAX_LIST_MEMBERS_PER_REQUEST} contacts per list request, not ${count}`);
}

const membershipChange = (data: Brevo.PostContactInfo): ListMembershipChange => ({ success: data.contacts.success ?? [], failure: data.contacts.failure ?? [] });
