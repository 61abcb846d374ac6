import type { Brevo } from '@getbrevo/brevo';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { AttributeValue, Consent } from '../contacts/normalize.ts';
import type { DeadLetterCategory, DeadLetterService } from '../dead-letters/service.ts';
import { queueSyncsOfNewlyActivatedContacts } from '../lists/service.ts';
import type { BrevoAccount, BrevoAccounts } from './accounts.ts';
import { brevoCustomAttributes, type BrevoAttributeValue } from './attributes.ts';
import { TAJO_FOLDER, type BrevoCatalog } from './catalog.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { confirmImport, sendImport, type ImportBlocklist, type SentImport } from './imports.ts';
import type { SqlExecutor } from '../contacts/writer.ts';
import { BrevoRequestFailed, type BrevoApi } from './client.ts';
import { emptyReport, skippedReport, type ActivationItem, type ActivationJob, type ActivationReport, type EntityActivator, type JobRun } from '../jobs/activation.ts';

interface ContactToSend {
  id: string;
  externalId: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  consent: Consent;
  attributes: Record<string, AttributeValue>;
  version: number;
  deletedAt: Date | null;
}

/** The Brevo attributes of a contact: its custom attributes, names and phone. */
function contactAttributes(contact: ContactToSend): Record<string, BrevoAttributeValue> {
  const attributes = brevoCustomAttributes(contact.attributes);
  if (contact.firstName) attributes.FIRSTNAME = contact.firstName;
  if (contact.lastName) attributes.LASTNAME = contact.lastName;
  if (contact.phone) attributes.SMS = contact.phone;
  return attributes;
}

/** The blocklists a contact's consent asks for: an explicit opt-out of the channel. */
const blocklistOf = (contact: ContactToSend): ImportBlocklist => ({ email: contact.consent.email?.status === 'opted_out', sms: contact.consent.sms?.status === 'opted_out' });

/**
 * The Brevo request for a contact. Consent decides the blocklist flags: an explicit opt-out
 * blocklists the channel; anything else sends no flag at all, so Tajo never lifts a blocklist
 * Brevo holds (an unsubscribe made in Brevo stays in force).
 */
export function contactRequest(contact: ContactToSend): Brevo.CreateContactRequest {
  const attributes = contactAttributes(contact);
  const request: Brevo.CreateContactRequest = { ext_id: contact.externalId, updateEnabled: true };
  if (contact.email) request.email = contact.email;
  if (Object.keys(attributes).length > 0) request.attributes = attributes;
  if (contact.consent.email?.status === 'opted_out') request.emailBlacklisted = true;
  if (contact.consent.sms?.status === 'opted_out') request.smsBlacklisted = true;
  return request;
}

/**
 * Upserts go to Brevo one request each while singles keep up: the contacts budget can send them
 * all now, and they are few enough to go out in a moment (one at a time, at Brevo's ~100 ms an
 * answer, whatever the budget). Beyond that, and from IMPORT_MIN_CONTACTS, they go as one import,
 * whose read-back costs a few requests of its own.
 */
export const IMPORT_MIN_CONTACTS = 20;
const MAX_SINGLES_PER_JOB = 50;
/**
 * While a job's imports land (seconds, in Brevo's background), contacts written behind it go as
 * one more import as soon as this many wait, instead of waiting for the job to end: under a heavy
 * stream the lag is one landing, not two. Fewer wait for the next job (a few more requests each).
 */
const PIPELINE_MIN_CONTACTS = 200;
const PIPELINE_CHECK_MS = 250;
/** Each import of the pipeline carries at most this many (what a job starts with). */
const PIPELINE_BATCH_MAX = 2_000;
/** A job takes in no more than this, for no longer than this: its row holds every item it carries. */
const PIPELINE_MAX_ITEMS = 10_000;
const PIPELINE_MAX_MS = 60_000;

type ImportableContact = ContactToSend & { email: string };

/** A batch's imports, accepted by Brevo, and how many of its upserts need a request of their own. */
interface SentImports {
  imports: { sent: SentImport; contacts: ImportableContact[] }[];
  leftOver: number;
}
/** Brevo imports need a list: every imported contact joins this one, in Tajo's folder. */
export const IMPORT_LIST = { folderName: TAJO_FOLDER, listName: 'Tajo · imported contacts' };

/** Carries activation jobs out against the workspace's Brevo account. Safe to run twice. */
export class ContactActivator implements EntityActivator {
  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly catalog: BrevoCatalog,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
  ) {}

  async run(job: ActivationJob, jobRun?: JobRun): Promise<ActivationReport> {
    const account = await this.accounts.forWorkspace(job.workspaceId);
    // Nothing to send to: connecting Brevo queues a backfill of the contacts it lacks.
    if (!account) return skippedReport(job);
    const report = emptyReport();
    // Every item the job carries, in the order of the writes; an entity's later item replaces its earlier one.
    const items = new Map<string, ActivationItem>();
    const carry = (batch: ActivationItem[]) => {
      for (const item of batch) {
        items.delete(item.entityId);
        items.set(item.entityId, item);
      }
    };
    carry(job.items);
    const imported = new Set<ActivationItem>();
    const landing: Promise<void>[] = [];
    const land = (batch: ActivationItem[], sent: SentImports) =>
      landing.push(
        this.#confirmImports(account, job.workspaceId, sent).then((confirmed) => {
          for (const item of batch) if (confirmed.has(item.entityId)) imported.add(item);
          report.activated += confirmed.size;
        }),
      );
    let failure: { error: unknown } | null = null;
    try {
      await this.#importBacklog(account, job, jobRun, carry, land, landing);
    } catch (error) {
      failure = { error };
    }
    // Every import followed to its end before the job goes on or fails: none is left reading on its own.
    const rejected = (await Promise.allSettled(landing)).find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.error;
    if (rejected) throw rejected.reason;
    // What this job sent one by one, at which version: checked against changes once, at the end,
    // also when the job fails part way (its retry skips what it recorded as sent).
    const sent: { id: string; version: number }[] = [];
    try {
      // One at a time, in the order of the writes, after every import: an erasure and the new
      // contact that reuses its external ID, or two contacts swapping an email, must reach Brevo in
      // that order.
      for (const item of items.values()) {
        if (imported.has(item)) continue;
        try {
          const outcome = item.operation === 'upsert' ? await this.#upsert(account, job.workspaceId, item, sent) : await this.#delete(account.api, job.workspaceId, item);
          report[outcome] += 1;
        } catch (error) {
          if (!(error instanceof BrevoFailure)) throw error;
          await this.deadLetters.record({ workspaceId: job.workspaceId, entityType: 'contact', entityId: item.operation === 'erase' ? null : item.entityId, ...error.letter });
          this.log.warn({ workspaceId: job.workspaceId, category: error.letter.category, operation: item.operation, reason: error.letter.reason }, 'activation dead-lettered');
          report.deadLettered += 1;
        }
      }
    } finally {
      await requeueChangedSince(this.db.sql, CONTACTS_SENT, job.workspaceId, sent);
    }
    return report;
  }

  /**
   * Sends the job's upserts as imports when singles would fall behind, and, while those land, the
   * contacts written behind them as more imports (taken into the job). More follow only while
   * every item of the last batch went into its imports: a request of its own must reach Brevo
   * after the imports of what was written before it, so such a batch ends the pipeline.
   */
  async #importBacklog(
    account: BrevoAccount,
    job: ActivationJob,
    jobRun: JobRun | undefined,
    carry: (batch: ActivationItem[]) => void,
    land: (batch: ActivationItem[], sent: SentImports) => void,
    landing: Promise<void>[],
  ) {
    const started = Date.now();
    let batch = job.items;
    let carried = job.items.length;
    for (;;) {
      const upserts = batch.filter((item) => item.operation === 'upsert');
      if (upserts.length < IMPORT_MIN_CONTACTS || upserts.length <= Math.min(MAX_SINGLES_PER_JOB, await account.limiter.available('contacts'))) return;
      const sent = await this.#sendImports(account, job.workspaceId, upserts);
      if (!sent) return;
      land(upserts, sent);
      if (!jobRun?.takeMore || sent.leftOver > 0 || upserts.length < batch.length) return;
      batch = await this.#waitingBehind(jobRun.takeMore, landing, Math.min(PIPELINE_BATCH_MAX, PIPELINE_MAX_ITEMS - carried), started + PIPELINE_MAX_MS);
      if (batch.length === 0) return;
      carried += batch.length;
      carry(batch);
    }
  }

  /** The items waiting behind the job once PIPELINE_MIN_CONTACTS do, checked while its imports land; none once they all landed. */
  async #waitingBehind(takeMore: NonNullable<JobRun['takeMore']>, landing: Promise<void>[], room: number, until: number): Promise<ActivationItem[]> {
    let landed = false;
    const allLanded = Promise.allSettled(landing).then(() => void (landed = true));
    while (room >= PIPELINE_MIN_CONTACTS && Date.now() < until) {
      await Promise.race([sleep(PIPELINE_CHECK_MS), allLanded]);
      const more = await takeMore(PIPELINE_MIN_CONTACTS, room);
      if (more.length > 0 || landed) return more;
    }
    return [];
  }

  /**
   * Sends what it can of a batch of upserts as Brevo imports, and answers once Brevo accepted
   * them; the rest take the one-by-one path. Opt-outs go in imports of their own, one per
   * combination of blocklists (an import's flag is for all its rows); a combination with fewer
   * than IMPORT_MIN_CONTACTS goes one by one, as does one Brevo refuses for good (a bad attribute,
   * say: each contact then gets Brevo's own answer). Left out: contacts without an email (imports
   * match on it) and contacts whose email changed (Brevo would lift their blocklist: the single
   * path keeps it).
   */
  async #sendImports(account: BrevoAccount, workspaceId: string, items: ActivationItem[]): Promise<SentImports | null> {
    const contactIds = items.map((item) => item.entityId);
    const resend = new Set(items.filter((item) => item.resend).map((item) => item.entityId));
    // In the job's order (the order of the writes): Brevo imports rows in order.
    const position = new Map(contactIds.map((id, index) => [id, index]));
    const contacts = (await this.db.contact.findMany({ where: { workspaceId, id: { in: contactIds }, deletedAt: null } })).sort((a, b) => position.get(a.id)! - position.get(b.id)!);
    const states = new Map((await this.db.brevoContactState.findMany({ where: { contactId: { in: contactIds } } })).map((state) => [state.contactId, state]));
    const groups = new Map<string, { blocklist: ImportBlocklist; contacts: ImportableContact[] }>();
    let leftOver = 0;
    for (const row of contacts) {
      const contact = { ...row, consent: row.consent as Consent, attributes: row.attributes as Record<string, AttributeValue> };
      const state = states.get(contact.id);
      if (state && state.version >= contact.version && !resend.has(contact.id)) continue;
      if (contact.email === null || (state && state.email !== contact.email)) {
        leftOver += 1;
        continue;
      }
      const blocklist = blocklistOf(contact);
      const key = `${blocklist.email}:${blocklist.sms}`;
      const group = groups.get(key) ?? { blocklist, contacts: [] };
      group.contacts.push({ ...contact, email: contact.email });
      groups.set(key, group);
    }
    const large = [...groups.values()].filter((group) => group.contacts.length >= IMPORT_MIN_CONTACTS);
    if (large.length === 0) return null;
    const sent: SentImports = { imports: [], leftOver };
    try {
      await account.attributes.ensure(Object.assign({}, ...large.flatMap((group) => group.contacts.map((contact) => brevoCustomAttributes(contact.attributes)))) as Record<string, BrevoAttributeValue>);
      const listId = await this.catalog.ensureList(account, IMPORT_LIST);
      for (const group of groups.values()) {
        if (group.contacts.length < IMPORT_MIN_CONTACTS) {
          sent.leftOver += group.contacts.length;
          continue;
        }
        const rows = group.contacts.map((contact) => ({ externalId: contact.externalId, email: contact.email, attributes: contactAttributes(contact) }));
        sent.imports.push({ sent: await sendImport(account.api, listId, rows, group.blocklist), contacts: group.contacts });
      }
    } catch (error) {
      if (!(error instanceof BrevoRequestFailed && (error.category === 'validation' || error.category === 'mapping'))) throw error;
      this.log.warn({ workspaceId, category: error.category, err: error }, 'contact import refused; sending the contacts one by one');
      sent.leftOver = contacts.length;
    }
    return sent.imports.length > 0 ? sent : null;
  }

  /** Follows a batch's imports to their end, records what landed, and answers the IDs of the contacts Brevo confirmed. */
  async #confirmImports(account: BrevoAccount, workspaceId: string, { imports }: SentImports): Promise<Set<string>> {
    const outcomes = await Promise.allSettled(imports.map(({ sent }) => confirmImport(account, sent)));
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    if (rejected) throw rejected.reason;
    const confirmed = new Set(outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [...outcome.value] : [])));
    const activated = imports.flatMap(({ contacts }) => contacts).filter((contact) => confirmed.has(contact.externalId));
    const known = new Set((await this.db.brevoContactState.findMany({ where: { contactId: { in: activated.map((contact) => contact.id) } }, select: { contactId: true } })).map((state) => state.contactId));
    await this.db.sql.query(
      `INSERT INTO brevo_contact_states (contact_id, workspace_id, version, email, activated_at)
       SELECT id, $1::uuid, version, email, now() FROM unnest($2::uuid[], $3::int[], $4::text[]) AS t(id, version, email)
       ON CONFLICT (contact_id) DO UPDATE SET version = EXCLUDED.version, email = EXCLUDED.email, activated_at = EXCLUDED.activated_at`,
      [workspaceId, activated.map((c) => c.id), activated.map((c) => c.version), activated.map((c) => c.email)],
    );
    await queueSyncsOfNewlyActivatedContacts(this.db, workspaceId, activated.filter((contact) => !known.has(contact.id)).map((contact) => contact.id));
    await requeueChangedSince(this.db.sql, CONTACTS_SENT, workspaceId, activated);
    return new Set(activated.map((contact) => contact.id));
  }

  async #upsert({ api, attributes }: BrevoAccount, workspaceId: string, item: ActivationItem, sent: { id: string; version: number }[]): Promise<'activated' | 'skipped'> {
    const contactId = item.entityId;
    const contact = await this.db.contact.findFirst({ where: { id: contactId, workspaceId } });
    // Deleted since: its deletion is queued behind this; gone: erased.
    if (!contact || contact.deletedAt) return 'skipped';
    const state = await this.db.brevoContactState.findUnique({ where: { contactId } });
    if (state && state.version >= contact.version && !item.resend) return 'skipped';
    const toSend = { ...contact, consent: contact.consent as Consent, attributes: contact.attributes as Record<string, AttributeValue> };
    // Brevo lifts an email blocklist when a contact's address changes: read it first and keep it.
    const emailChanges = state?.email != null && contact.email !== null && state.email !== contact.email;
    const request = contactRequest(toSend);
    await this.#send(contact.externalId, request, async () => {
      await attributes.ensure(brevoCustomAttributes(toSend.attributes));
      if (emailChanges && !request.emailBlacklisted) {
        const current = await api.getContact(contact.externalId, 'ext_id');
        if (current?.emailBlacklisted) request.emailBlacklisted = true;
      }
      await api.upsertContact(request);
    });
    await this.db.brevoContactState.upsert({
      where: { contactId },
      create: { contactId, workspaceId, version: contact.version, email: contact.email },
      update: { version: contact.version, email: contact.email, activatedAt: new Date() },
    });
    if (!state) await queueSyncsOfNewlyActivatedContacts(this.db, workspaceId, [contactId]);
    sent.push(contact);
    return 'activated';
  }

  async #delete(api: BrevoApi, workspaceId: string, item: ActivationItem): Promise<'deleted' | 'skipped'> {
    // Erase carries the external ID (the row is gone); a soft delete reads it from the row.
    const current = item.operation === 'delete' ? await this.db.contact.findFirst({ where: { id: item.entityId, workspaceId }, select: { externalId: true, deletedAt: true } }) : null;
    // A contact revived after its deletion was queued is not deleted in Brevo.
    if (current && !current.deletedAt) return 'skipped';
    const externalId = item.externalId ?? current?.externalId;
    if (!externalId) return 'skipped';
    await this.#send(externalId, { identifier: externalId, identifierType: 'ext_id', operation: 'deleteContact' }, () => api.deleteContact(externalId, 'ext_id'));
    await this.db.brevoContactState.deleteMany({ where: { contactId: item.entityId } });
    // Brevo takes a deleted contact out of its lists.
    await this.db.brevoListMember.deleteMany({ where: { contactId: item.entityId } });
    return 'deleted';
  }

  /**
   * Runs a Brevo call; a final failure becomes a BrevoFailure carrying its dead letter (Brevo down
   * past the client's retries included: the runbook retries those letters once Brevo answers).
   */
  async #send(sourceObjectId: string, request: object, call: () => Promise<unknown>) {
    try {
      await call();
    } catch (error) {
      if (!(error instanceof BrevoRequestFailed)) throw error;
      throw new BrevoFailure({ sourceObjectId, ...failureLetter(error, request) });
    }
  }
}

/** A kind of row whose versions activation sends to Brevo, and the outbox entity type it is queued as. */
export interface SentEntity {
  entityType: string;
  table: 'contacts' | 'object_records' | 'object_associations';
  /** Whether a row deleted meanwhile has its deletion queued again (its deletion depends on what Brevo holds). */
  requeueDeletions: boolean;
}

export const CONTACTS_SENT: SentEntity = { entityType: 'contact', table: 'contacts', requeueDeletions: true };

/**
 * Queues again the rows that changed while an older version of theirs was on its way to Brevo.
 * Jobs run side by side and a Brevo import or objects batch takes a while, so a newer version may
 * have been sent and recorded first, then overwritten in Brevo by the older one, whose state is
 * recorded last (states say what was sent, never more). Queued again (as a replay: subscribers
 * heard of the change already), the row goes out at its current version, or its deletion goes
 * out again (a contact's deletion may have run before the older version reached Brevo); without
 * this it would wait for a change that never comes. It is a resend: the newer version's job may
 * record its state after this, although Brevo applied the older version last, so the state cannot
 * tell. One statement per job.
 */
export async function requeueChangedSince(sql: SqlExecutor, { entityType, table, requeueDeletions }: SentEntity, workspaceId: string, sent: { id: string; version: number }[]) {
  if (sent.length === 0) return;
  await sql.query(
    `INSERT INTO activation_outbox (workspace_id, entity_type, entity_id, operation, entity_version, replay, resend)
     SELECT e.workspace_id, $2, e.id, CASE WHEN e.deleted_at IS NULL THEN 'upsert' ELSE 'delete' END, e.version, true, true
     FROM unnest($3::uuid[], $4::int[]) AS t(id, version) JOIN ${table} e ON e.id = t.id
     WHERE e.workspace_id = $1 AND e.version > t.version${requeueDeletions ? '' : ' AND e.deleted_at IS NULL'}`,
    [workspaceId, entityType, sent.map((row) => row.id), sent.map((row) => row.version)],
  );
}

/** What a dead letter says of a Brevo request that failed for good: category, reason, request and answer. */
export function failureLetter(error: BrevoRequestFailed, request: object) {
  return {
    category: (error.category === 'not_found' ? 'validation' : error.category) as DeadLetterCategory,
    reason: error.message,
    request: { operation: error.details.operation, body: request },
    response: error.details.response ?? { status: error.details.status ?? null, attempts: error.details.attempts },
  };
}

class BrevoFailure extends Error {
  constructor(readonly letter: { sourceObjectId: string; category: DeadLetterCategory; reason: string; request: object; response: unknown }) {
    super(letter.reason);
  }
}
