import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { minorDigits, type Money } from '../contacts/normalize.ts';
import type { DeadLetterService, DeadLetterStatus, NewDeadLetter } from '../dead-letters/service.ts';
import { prismaExecutor, type SqlExecutor } from '../contacts/writer.ts';
import { CONTACT_TARGET, type ObjectValue } from '../objects/normalize.ts';
import { OBJECT_ASSOCIATION_ENTITY, OBJECT_RECORD_ENTITY } from '../objects/service.ts';
import { emptyReport, skippedReport, type ActivationJob, type ActivationReport, type EntityActivator, type JobRun } from '../jobs/activation.ts';
import type { BrevoAccount, BrevoAccounts } from './accounts.ts';
import { failureLetter, requeueChangedSince, type SentEntity } from './activation.ts';
import {
  BrevoRequestFailed,
  MAX_OBJECT_ASSOCIATIONS,
  MAX_OBJECT_RECORDS_PER_BATCH,
  MAX_RECORDS_PER_OBJECT_ASSOCIATION,
  splitObjectRecords,
  type BrevoApi,
  type BrevoObjectAttributeValue,
  type BrevoObjectRecord,
} from './client.ts';

export interface ObjectActivationOptions {
  /**
   * How long an association waits for its other end to reach Brevo, from its last change, before
   * it becomes a dead letter. Its job is retried by pg-boss meanwhile (2 s, doubling: ten retries
   * span about 34 minutes), so the default ends it well before the retries run out.
   */
  associationDeadlineMs: number;
  /** Records per page when reading a type back from Brevo to learn which attributes it kept (Brevo's most: 1,000). */
  readBackPageSize: number;
}

export const DEFAULT_OBJECT_ACTIVATION: ObjectActivationOptions = { associationDeadlineMs: 10 * 60_000, readBackPageSize: MAX_OBJECT_RECORDS_PER_BATCH };

/** Pages read back per job to learn which attributes Brevo kept: this many of the newest, and as many of the rest. */
const READ_BACK_PAGES = 3;

/** Brevo has no money attribute: an amount goes as text in major units with its currency ("12.50 EUR"). */
function moneyText({ currency, amountMinor }: Money): string {
  const digits = minorDigits(currency);
  return `${(amountMinor / 10 ** digits).toFixed(digits)} ${currency}`;
}

const brevoAttributes = (attributes: Record<string, ObjectValue>): Record<string, BrevoObjectAttributeValue> =>
  Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, typeof value === 'object' ? moneyText(value) : value]));

/** An object record with what activation needs of its type. */
interface RecordToSend {
  id: string;
  externalId: string;
  version: number;
  attributes: Record<string, ObjectValue>;
  objectType: { id: string; name: string; brevoObjectType: string };
}

const RECORD_WITH_TYPE = { objectType: { select: { id: true, name: true, brevoObjectType: true } } } as const;

const recordRequest = (record: Pick<RecordToSend, 'externalId' | 'attributes'>): BrevoObjectRecord => ({ identifiers: { ext_id: record.externalId }, attributes: brevoAttributes(record.attributes) });

type LetterContent = Pick<NewDeadLetter, 'category' | 'reason' | 'request' | 'response'>;

/** Writes a job's letter, unless an open one says the same already (the job may be a retry), and counts it. */
async function letterOnce(deadLetters: DeadLetterService, log: Logger, report: ActivationReport, letter: NewDeadLetter) {
  if (!(await deadLetters.recordUnlessOpen(letter))) return;
  log.warn({ workspaceId: letter.workspaceId, category: letter.category, entityType: letter.entityType, reason: letter.reason }, 'object activation dead-lettered');
  report.deadLettered += 1;
}

/** The outcome of sending entries of one Brevo object type: those Brevo applied, and those it did not with why. */
interface Sent<T> {
  applied: T[];
  failed: { entry: T; letter: LetterContent }[];
}

/**
 * Sends records of one Brevo object type as batch upserts within Brevo's limits and follows each
 * batch's process to its end: Brevo answers before applying anything, and names in the process
 * the records it did not apply. A batch Brevo refuses outright (4xx) fails each of its records;
 * rate limits and outages throw, and the job is retried (an upsert by ext_id is safe to repeat).
 */
async function sendObjectRecords<T extends { request: BrevoObjectRecord }>(account: BrevoAccount, brevoType: string, entries: T[]): Promise<Sent<T>> {
  const sent: Sent<T> = { applied: [], failed: [] };
  const { batches, refused } = splitObjectRecords(entries.map((entry) => ({ ...entry.request, entry })));
  for (const { record, reason } of refused) {
    sent.failed.push({ entry: record.entry, letter: { category: 'validation', reason, request: { operation: 'upsertObjectRecords', body: record.entry.request }, response: null } });
  }
  for (const batch of batches) {
    const records = batch.map(({ entry: _entry, ...record }) => record);
    let processId: number;
    try {
      ({ processId } = await account.api.upsertObjectRecords(brevoType, records));
    } catch (error) {
      if (!(error instanceof BrevoRequestFailed) || (error.category !== 'validation' && error.category !== 'mapping' && error.category !== 'not_found')) throw error;
      for (const { entry } of batch) sent.failed.push({ entry, letter: failureLetter(error, entry.request) });
      continue;
    }
    const process = await account.processes.waitFor(processId);
    const errors = new Map((process.objectRecordErrors ?? []).map((error) => [error.index, error]));
    batch.forEach(({ entry }, index) => {
      const error = errors.get(index);
      if (!error) sent.applied.push(entry);
      else sent.failed.push({ entry, letter: { category: 'validation', reason: `Brevo did not apply ${brevoType} record ${entry.request.identifiers.ext_id}: ${error.reason}`, request: { operation: 'upsertObjectRecords', body: entry.request }, response: { processId, error } } });
    });
  }
  return sent;
}

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return [...groups.values()];
}

export const RECORDS_SENT: SentEntity = { entityType: OBJECT_RECORD_ENTITY, table: 'object_records', requeueDeletions: false };
// A dissociation is reported only when Brevo holds the link, so one that ran before the link landed is queued again.
const ASSOCIATIONS_SENT: SentEntity = { entityType: OBJECT_ASSOCIATION_ENTITY, table: 'object_associations', requeueDeletions: true };

const uniqueRecords = (records: RecordToSend[]) => [...new Map(records.map((record) => [record.id, record])).values()];

/** Whether Brevo has the object type (Brevo's API creates none: they are made in its UI). */
export const brevoTypeExists = async (api: BrevoApi, brevoType: string) => (await api.listObjectRecords(brevoType, { limit: 1, page: 1 })) !== null;

/** A value that shows, read back, whether Brevo kept its attribute (an empty text might not be listed either way). */
const telling = (value: BrevoObjectAttributeValue | undefined) => value !== undefined && value !== '';

/** What reading a type back taught: names now checked, those of them Brevo lacks, and where the next read goes on. */
interface ReadBack {
  checked: string[];
  unknown: string[];
  scanPage: number | null;
}

/**
 * Activates object records: upserts by external ID to Brevo's objects API, once Brevo's object
 * type is known to exist, and reports the attributes Brevo's type lacks (Brevo drops them without a
 * word). Brevo's API has no way to delete an object record: deletions and erasures are reported as
 * dead letters for an operator to carry out in Brevo, never claimed done.
 */
export class ObjectRecordActivator implements EntityActivator {
  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
    private readonly options: ObjectActivationOptions,
  ) {}

  async run(job: ActivationJob, run?: JobRun): Promise<ActivationReport> {
    const account = await this.accounts.forWorkspace(job.workspaceId);
    if (!account) return skippedReport(job);
    const report = emptyReport();
    const letter = (entityId: string | null, sourceObjectId: string, content: LetterContent) =>
      letterOnce(this.deadLetters, this.log, report, { workspaceId: job.workspaceId, entityType: OBJECT_RECORD_ENTITY, entityId, sourceObjectId, ...content });

    for (const item of job.items.filter((item) => item.operation !== 'upsert')) {
      const record = await this.db.objectRecord.findFirst({ where: { id: item.entityId, workspaceId: job.workspaceId }, include: RECORD_WITH_TYPE });
      // Revived since its deletion was queued: its upsert follows.
      if (record && !record.deletedAt) {
        report.skipped += 1;
        continue;
      }
      const externalId = item.externalId ?? record?.externalId ?? item.entityId;
      const named = record ? `${record.objectType.name} ${externalId}` : `object record ${externalId}`;
      await this.db.brevoObjectState.deleteMany({ where: { recordId: item.entityId } });
      await letter(item.operation === 'erase' ? null : item.entityId, externalId, {
        category: 'mapping',
        reason: `${named} was ${item.operation === 'erase' ? 'erased' : 'deleted'} in Tajo, but Brevo's API has no way to delete an object record: delete it in Brevo by hand`,
        request: { operation: item.operation, externalId },
        response: null,
      });
    }

    const upserts = job.items.filter((item) => item.operation === 'upsert');
    const ids = upserts.map((item) => item.entityId);
    // A retried job may have failed after Brevo applied an older version than its state says
    // (its states and requeues rolled back): it sends everything again.
    const resend = new Set(upserts.filter((item) => item.resend || (run?.retryCount ?? 0) > 0).map((item) => item.entityId));
    const rows = await this.db.objectRecord.findMany({ where: { id: { in: ids }, workspaceId: job.workspaceId, deletedAt: null }, include: RECORD_WITH_TYPE });
    const states = new Map((await this.db.brevoObjectState.findMany({ where: { recordId: { in: ids } } })).map((state) => [state.recordId, state.version]));
    const due = rows.filter((row) => resend.has(row.id) || (states.get(row.id) ?? 0) < row.version).map((row) => ({ ...row, attributes: row.attributes as Record<string, ObjectValue> }));
    report.skipped += ids.length - due.length;

    for (const records of groupBy(due, (record) => record.objectType.id)) {
      const { objectType } = records[0]!;
      if (!(await brevoTypeExists(account.api, objectType.brevoObjectType))) {
        for (const record of records) {
          await letter(record.id, record.externalId, {
            category: 'mapping',
            reason: `Brevo has no object type '${objectType.brevoObjectType}' (for Tajo's ${objectType.name} ${record.externalId}): create it in Brevo, then retry`,
            request: { operation: 'upsertObjectRecords', objectType: objectType.brevoObjectType, body: recordRequest(record) },
            response: null,
          });
        }
        continue;
      }
      const { applied, failed } = await sendObjectRecords(account, objectType.brevoObjectType, records.map((record) => ({ record, request: recordRequest(record) })));
      for (const { entry, letter: content } of failed) await letter(entry.record.id, entry.record.externalId, content);
      if (applied.length === 0) continue;
      const learned = await this.#readBack(account.api, objectType, applied);
      report.activated += applied.length;
      report.deadLettered += await this.#recordApplied(job.workspaceId, objectType, applied, learned);
    }
    return report;
  }

  /**
   * Records what Brevo was sent and what reading back taught, and reports the attributes Brevo
   * dropped, in one transaction: a crash in between would leave states saying Brevo has these
   * versions with their losses never reported. The type's row is locked first, so jobs of the same
   * type take turns here, and a name found unknown by two of them is reported once. Answers the
   * number of letters written.
   */
  async #recordApplied(workspaceId: string, objectType: RecordToSend['objectType'], applied: { record: RecordToSend; request: BrevoObjectRecord }[], learned: ReadBack | null) {
    const records = applied.map((entry) => entry.record);
    const outcome = await this.db.$transaction(
      async (tx) => {
        const sql = prismaExecutor(tx);
        // Locks the type's row, made anew if a dead-letter retry removed it meanwhile.
        const [state] = (
          await sql.query<{ checked_attributes: string[]; unknown_attributes: string[] }>(
            `INSERT INTO brevo_object_type_states (object_type_id, workspace_id, checked_attributes, unknown_attributes) VALUES ($1::uuid, $2::uuid, '{}', '{}')
             ON CONFLICT (object_type_id) DO UPDATE SET object_type_id = EXCLUDED.object_type_id
             RETURNING checked_attributes, unknown_attributes`,
            [objectType.id, workspaceId],
          )
        ).rows;
        // States say which version Brevo was last sent, not the newest ever sent: an older batch may land after a newer one.
        await sql.query(
          `INSERT INTO brevo_object_states (record_id, workspace_id, version, activated_at)
           SELECT id, $1::uuid, version, now() FROM unnest($2::uuid[], $3::int[]) AS t(id, version)
           ON CONFLICT (record_id) DO UPDATE SET version = EXCLUDED.version, activated_at = EXCLUDED.activated_at`,
          [workspaceId, records.map((record) => record.id), records.map((record) => record.version)],
        );
        await requeueChangedSince(sql, RECORDS_SENT, workspaceId, records);
        const known = new Set(state!.unknown_attributes);
        const unknown = new Set([...known, ...(learned?.unknown ?? [])]);
        const discovered = [...unknown].filter((name) => !known.has(name));
        if (learned) {
          await tx.brevoObjectTypeState.update({
            where: { objectTypeId: objectType.id },
            data: { checkedAttributes: [...new Set([...state!.checked_attributes, ...learned.checked])].sort(), unknownAttributes: [...unknown].sort(), scanPage: learned.scanPage, checkedAt: new Date() },
          });
        }
        const own = applied.map(({ record, request }) => ({ id: record.id, externalId: record.externalId, request, dropped: Object.keys(request.attributes).filter((name) => unknown.has(name)) }));
        const earlier = discovered.length > 0 ? await this.#earlierDrops(sql, objectType, discovered, records) : [];
        // What an open letter says is dropped already tells the operator (a retry of one letter
        // forgets the type's findings, so they are found again); a discarded one was seen and let go.
        const drops = [...(await unsaid(sql, workspaceId, own, ['open'])), ...(await unsaid(sql, workspaceId, earlier, ['open', 'discarded']))];
        const letters = drops.map((drop) => ({ entityType: OBJECT_RECORD_ENTITY, entityId: drop.id, sourceObjectId: drop.externalId, ...droppedAttributesLetter(objectType, drop) }));
        await this.deadLetters.recordMany(workspaceId, letters, tx);
        return { letters, earlier: earlier.length, unknown };
      },
      // Jobs of one type wait here for each other; a sweep over a large type takes a while.
      { maxWait: 30_000, timeout: 120_000 },
    );
    if (outcome.unknown.size > 0) {
      this.log.warn({ workspaceId, category: 'mapping', objectType: objectType.brevoObjectType, unknownAttributes: [...outcome.unknown], dropped: outcome.letters.length, earlier: outcome.earlier }, 'Brevo object type lacks attributes Tajo sends');
    }
    return outcome.letters.length;
  }

  /**
   * Reads the type back from Brevo for the attribute names of these records not checked yet.
   * Brevo keeps a type's attributes for all its records, so each name is checked once, on a record
   * Brevo was last sent with it (one of this job's, or any whose current version Brevo was sent).
   * The newest pages hold the records just created; one created earlier may sit on any page, so
   * while names stay unchecked the rest of the type is read too, a few pages per job, from where
   * the last job stopped. Null when every name was checked already.
   */
  async #readBack(api: BrevoApi, objectType: RecordToSend['objectType'], applied: { record: RecordToSend; request: BrevoObjectRecord }[]): Promise<ReadBack | null> {
    const state = await this.db.brevoObjectTypeState.findUnique({ where: { objectTypeId: objectType.id } });
    const known = new Set(state?.checkedAttributes);
    const unchecked = new Set(applied.flatMap(({ request }) => Object.keys(request.attributes)).filter((name) => !known.has(name)));
    if (unchecked.size === 0) return null;
    const learned: ReadBack = { checked: [], unknown: [], scanPage: state?.scanPage ?? null };
    const sentNow = new Map(applied.map(({ request }) => [request.identifiers.ext_id!, request.attributes]));
    const limit = this.options.readBackPageSize;
    const first = await api.listObjectRecords(objectType.brevoObjectType, { limit, page: 1 });
    const pages = Math.max(1, Math.ceil((first?.count ?? 0) / limit));
    const read = async (page: number) => {
      const stored = (page === 1 ? first : await api.listObjectRecords(objectType.brevoObjectType, { limit, page }))?.records ?? [];
      const sentBefore = await this.#lastSentAttributes(objectType.id, stored.flatMap((record) => (record.extId === undefined || sentNow.has(record.extId) ? [] : [record.extId])));
      for (const record of stored) {
        const sent = record.extId === undefined ? undefined : (sentNow.get(record.extId) ?? sentBefore.get(record.extId));
        for (const [name, value] of Object.entries(sent ?? {})) {
          if (!unchecked.has(name) || !telling(value)) continue;
          unchecked.delete(name);
          learned.checked.push(name);
          if (record.attributes[name] === undefined) learned.unknown.push(name);
        }
      }
    };
    for (let page = pages; page > pages - READ_BACK_PAGES && page >= 1 && unchecked.size > 0; page -= 1) await read(page);
    if (unchecked.size > 0) {
      let page = learned.scanPage !== null && learned.scanPage <= pages - READ_BACK_PAGES ? learned.scanPage : pages - READ_BACK_PAGES;
      const until = page - READ_BACK_PAGES;
      for (; page > until && page >= 1 && unchecked.size > 0; page -= 1) await read(page);
      // Past the oldest page, the next job starts again below the newest.
      learned.scanPage = page >= 1 ? page : null;
    }
    return learned;
  }

  /** The attributes Brevo was last sent for these records of the type: those whose current version it was sent. */
  async #lastSentAttributes(objectTypeId: string, externalIds: string[]): Promise<Map<string, Record<string, BrevoObjectAttributeValue>>> {
    if (externalIds.length === 0) return new Map();
    const { rows } = await this.db.sql.query<{ external_id: string; attributes: Record<string, ObjectValue> }>(
      `SELECT r.external_id, r.attributes ${SENT_RECORDS_OF_TYPE} AND r.external_id = ANY($2::text[])`,
      [objectTypeId, externalIds],
    );
    return new Map(rows.map((row) => [row.external_id, brevoAttributes(row.attributes)]));
  }

  /**
   * Attributes found unknown just now were dropped from the records sent with them before, too:
   * the letters of those whose current version Brevo holds (other than this job's).
   */
  async #earlierDrops(sql: SqlExecutor, objectType: RecordToSend['objectType'], names: string[], reported: { id: string }[]) {
    const { rows } = await sql.query<{ id: string; external_id: string; attributes: Record<string, ObjectValue> }>(
      `SELECT r.id::text, r.external_id, r.attributes ${SENT_RECORDS_OF_TYPE} AND r.attributes ?| $2::text[] AND NOT (r.id = ANY($3::uuid[]))`,
      [objectType.id, names, reported.map((record) => record.id)],
    );
    return rows.map((row) => {
      const request = recordRequest({ externalId: row.external_id, attributes: row.attributes });
      return { id: row.id, externalId: row.external_id, request, dropped: names.filter((name) => name in request.attributes) };
    });
  }
}

/** The live records of type $1 whose current version Brevo was sent (as `r`). */
const SENT_RECORDS_OF_TYPE = `FROM object_records r JOIN brevo_object_states s ON s.record_id = r.id AND s.version = r.version
  WHERE r.object_type_id = $1::uuid AND r.deleted_at IS NULL`;

/** A record Brevo applied without some of its attributes (its type lacks them). */
interface Drop {
  id: string;
  externalId: string;
  request: BrevoObjectRecord;
  dropped: string[];
}

/**
 * Of these drops, the attributes no letter of the given statuses names already for the same
 * record (letters name them in `response.droppedAttributes`); drops left with none are left out.
 */
async function unsaid(sql: SqlExecutor, workspaceId: string, drops: Drop[], statuses: DeadLetterStatus[]): Promise<Drop[]> {
  const candidates = drops.filter((drop) => drop.dropped.length > 0);
  if (candidates.length === 0) return [];
  const { rows } = await sql.query<{ entity_id: string; dropped: string[] | null }>(
    `SELECT entity_id::text, ARRAY(SELECT jsonb_array_elements_text(CASE WHEN jsonb_typeof(response->'droppedAttributes') = 'array' THEN response->'droppedAttributes' ELSE '[]' END)) AS dropped
       FROM dead_letters WHERE workspace_id = $1::uuid AND entity_type = $2 AND entity_id = ANY($3::uuid[]) AND status = ANY($4::text[])`,
    [workspaceId, OBJECT_RECORD_ENTITY, candidates.map((drop) => drop.id), statuses],
  );
  const said = new Map<string, Set<string>>();
  for (const row of rows) for (const name of row.dropped ?? []) said.set(row.entity_id, (said.get(row.entity_id) ?? new Set()).add(name));
  return candidates.flatMap((drop) => {
    const dropped = drop.dropped.filter((name) => !said.get(drop.id)?.has(name));
    return dropped.length > 0 ? [{ ...drop, dropped }] : [];
  });
}

/** The dead letter of a record Brevo applied without the attributes its type lacks. */
function droppedAttributesLetter(objectType: RecordToSend['objectType'], { externalId, request, dropped }: Drop) {
  const them = dropped.length === 1 ? 'it' : 'them';
  return {
    category: 'mapping' as const,
    reason: `Brevo's object type '${objectType.brevoObjectType}' has no attribute ${dropped.join(', ')}: Brevo dropped ${them} from ${objectType.name} ${externalId} (create ${them} in Brevo, then retry)`,
    request: { operation: 'upsertObjectRecords', objectType: objectType.brevoObjectType, body: request },
    response: { droppedAttributes: dropped },
  };
}

/** An association job's work that must wait: an end not in Brevo yet. pg-boss retries the job. */
export class AssociationEndsPending extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} association(s) wait for an end to reach Brevo; retried`);
  }
}

interface AssociationToSend {
  id: string;
  version: number;
  targetType: string;
  targetExternalId: string;
  updatedAt: Date;
  record: RecordToSend;
}

const describeAssociation = (association: AssociationToSend) =>
  `${association.record.objectType.name} ${association.record.externalId} → ${association.targetType} ${association.targetExternalId}`;

/**
 * Activates associations, once both ends are in Brevo (Brevo refuses a link to a record it does not
 * have): the record as its state says, the other end a contact or record Tajo activated. Until
 * then the job is retried; past the deadline the association is dead-lettered naming both ends.
 * Brevo's batch upsert carries them (with the record's attributes, which it requires); Brevo's API
 * has no way to remove an association, so a dissociation is reported for an operator, never claimed.
 */
export class ObjectAssociationActivator implements EntityActivator {
  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
    private readonly options: ObjectActivationOptions,
  ) {}

  async run(job: ActivationJob): Promise<ActivationReport> {
    const account = await this.accounts.forWorkspace(job.workspaceId);
    if (!account) return skippedReport(job);
    const report = emptyReport();
    const letter = (association: AssociationToSend, content: LetterContent) =>
      letterOnce(this.deadLetters, this.log, report, { workspaceId: job.workspaceId, entityType: OBJECT_ASSOCIATION_ENTITY, entityId: association.id, sourceObjectId: describeAssociation(association), ...content });

    const ids = job.items.map((item) => item.entityId);
    const resend = new Set(job.items.filter((item) => item.resend).map((item) => item.entityId));
    const rows = await this.db.objectAssociation.findMany({ where: { id: { in: ids }, workspaceId: job.workspaceId }, include: { record: { include: RECORD_WITH_TYPE } } });
    const associations = rows.map((row) => ({ ...row, record: { ...row.record, attributes: row.record.attributes as Record<string, ObjectValue> } }));
    const states = new Map((await this.db.brevoObjectAssociationState.findMany({ where: { associationId: { in: ids } } })).map((state) => [state.associationId, state.version]));
    report.skipped += ids.length - associations.length;

    const links: AssociationToSend[] = [];
    for (const association of associations) {
      if (association.deletedAt) {
        // Only what Brevo holds needs removing there.
        if (states.has(association.id)) {
          await this.db.brevoObjectAssociationState.deleteMany({ where: { associationId: association.id } });
          await letter(association, {
            category: 'mapping',
            reason: `${describeAssociation(association)} was removed in Tajo, but Brevo's API has no way to remove an association: remove it in Brevo by hand`,
            request: { operation: 'dissociate' },
            response: null,
          });
        } else report.skipped += 1;
      } else if (association.record.deletedAt || (!resend.has(association.id) && (states.get(association.id) ?? 0) >= association.version)) report.skipped += 1;
      else links.push(association);
    }

    const ends = await this.#endsInBrevo(job.workspaceId, links);
    const overdue = (association: AssociationToSend) => Date.now() - association.updatedAt.getTime() > this.options.associationDeadlineMs;
    let waiting = 0;
    const ready: (AssociationToSend & { brevoTarget: string })[] = [];
    for (const association of links) {
      const missing = !ends.records.has(association.record.id) ? association.record : ends.targets.get(`${association.targetType}\u0000${association.targetExternalId}`) === undefined ? association : null;
      if (!missing) ready.push({ ...association, brevoTarget: ends.targets.get(`${association.targetType}\u0000${association.targetExternalId}`)! });
      else if (!overdue(association)) waiting += 1;
      else {
        const end = missing === association.record ? `${association.record.objectType.name} ${association.record.externalId}` : `the ${association.targetType === CONTACT_TARGET ? 'contact' : `${association.targetType} record`}`;
        await letter(association, {
          category: 'mapping',
          reason: `${describeAssociation(association)}: ${end} never reached Brevo`,
          request: { operation: 'associate' },
          response: null,
        });
      }
    }

    for (const group of groupBy(ready, (association) => association.record.objectType.brevoObjectType)) {
      const entries = groupBy(group, (association) => association.record.id).flatMap(associationRequests);
      const { applied, failed } = await sendObjectRecords(account, group[0]!.record.objectType.brevoObjectType, entries);
      const linked = applied.flatMap((entry) => entry.associations);
      await this.db.$transaction(async (tx) => {
        const sql = prismaExecutor(tx);
        await sql.query(
          `INSERT INTO brevo_object_association_states (association_id, workspace_id, version, activated_at)
           SELECT id, $1::uuid, version, now() FROM unnest($2::uuid[], $3::int[]) AS t(id, version)
           ON CONFLICT (association_id) DO UPDATE SET version = EXCLUDED.version, activated_at = EXCLUDED.activated_at`,
          [job.workspaceId, linked.map((association) => association.id), linked.map((association) => association.version)],
        );
        await requeueChangedSince(sql, ASSOCIATIONS_SENT, job.workspaceId, linked);
        // Each entry also wrote its record's attributes, as this job read them: a record changed
        // since may have had its newer version land first, so it goes out again. (Its state is the
        // record job's to keep, with the report of what Brevo drops.)
        await requeueChangedSince(sql, RECORDS_SENT, job.workspaceId, uniqueRecords(applied.map((entry) => entry.associations[0]!.record)));
      });
      report.activated += linked.length;
      // Brevo refusing a link usually means an end it does not have yet: wait for it until the deadline.
      for (const { entry, letter: content } of failed) {
        for (const association of entry.associations) {
          if (overdue(association)) await letter(association, content);
          else waiting += 1;
        }
      }
    }
    if (waiting > 0) throw new AssociationEndsPending(waiting);
    return report;
  }

  /** The records Brevo holds among the associations' own, and their other ends that Brevo holds, with Brevo's type name. */
  async #endsInBrevo(workspaceId: string, associations: AssociationToSend[]) {
    const records = new Set(
      (await this.db.brevoObjectState.findMany({ where: { recordId: { in: associations.map((association) => association.record.id) } }, select: { recordId: true } })).map((state) => state.recordId),
    );
    const { rows } = await this.db.sql.query<{ target_type: string; target_external_id: string; brevo_type: string }>(
      `SELECT t.target_type, t.target_external_id, 'contact' AS brevo_type
         FROM unnest($2::text[], $3::text[]) AS t(target_type, target_external_id)
         JOIN contacts c ON c.workspace_id = $1::uuid AND c.external_id = t.target_external_id AND c.deleted_at IS NULL
         JOIN brevo_contact_states s ON s.contact_id = c.id
        WHERE t.target_type = 'contact'
       UNION ALL
       SELECT t.target_type, t.target_external_id, ot.brevo_object_type
         FROM unnest($2::text[], $3::text[]) AS t(target_type, target_external_id)
         JOIN object_types ot ON ot.workspace_id = $1::uuid AND ot.name = t.target_type
         JOIN object_records r ON r.object_type_id = ot.id AND r.external_id = t.target_external_id AND r.deleted_at IS NULL
         JOIN brevo_object_states s ON s.record_id = r.id
        WHERE t.target_type <> 'contact'`,
      [workspaceId, associations.map((association) => association.targetType), associations.map((association) => association.targetExternalId)],
    );
    return { records, targets: new Map(rows.map((row) => [`${row.target_type}\u0000${row.target_external_id}`, row.brevo_type])) };
  }
}

/**
 * One record's ready associations as batch-upsert entries within Brevo's per-record limits (at
 * most 10 associated types, 100 records each): more make more entries for the same record.
 */
function associationRequests(associations: (AssociationToSend & { brevoTarget: string })[]) {
  const record = associations[0]!.record;
  const chunks: (typeof associations)[] = [];
  for (const byTarget of groupBy(associations, (association) => association.brevoTarget)) {
    for (let i = 0; i < byTarget.length; i += MAX_RECORDS_PER_OBJECT_ASSOCIATION) chunks.push(byTarget.slice(i, i + MAX_RECORDS_PER_OBJECT_ASSOCIATION));
  }
  const entries = [];
  for (let i = 0; i < chunks.length; i += MAX_OBJECT_ASSOCIATIONS) {
    const taken = chunks.slice(i, i + MAX_OBJECT_ASSOCIATIONS);
    entries.push({
      associations: taken.flat(),
      request: {
        ...recordRequest(record),
        associations: taken.map((chunk) => ({ object_type: chunk[0]!.brevoTarget, records: chunk.map((association) => ({ identifiers: { ext_id: association.targetExternalId } })) })),
      },
    });
  }
  return entries;
}
