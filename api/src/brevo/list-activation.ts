import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { DeadLetterService } from '../dead-letters/service.ts';
import { emptyReport, skippedReport, type ActivationJob, type ActivationReport, type EntityActivator } from '../jobs/activation.ts';
import { LIST_ENTITY, LIST_MEMBERSHIP_ENTITY } from '../lists/service.ts';
import type { BrevoAccount, BrevoAccounts } from './accounts.ts';
import { failureLetter } from './activation.ts';
import { TAJO_FOLDER, type BrevoCatalog } from './catalog.ts';
import { BrevoRequestFailed, isRetryableFailure, MAX_LIST_MEMBERS_PER_REQUEST } from './client.ts';

/** A Tajo list's name in Brevo: readable, and unique through the list's ID, so it is found again by name. */
export const brevoListName = (list: { id: string; name: string }) => `Tajo · ${list.name} · ${list.id.slice(0, 8)}`;

/**
 * Members waiting for their contact to reach Brevo. Failing the job makes pg-boss retry it later,
 * with backoff; the changes that could be made were made and recorded, so the retry sends only the rest.
 */
export class MembersNotInBrevoYet extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} list member(s) wait for their contact to be activated in Brevo; retrying later`);
    this.name = 'MembersNotInBrevoYet';
  }
}

interface Member {
  contactId: string;
  externalId: string;
}

/** A Brevo refusal is dead-lettered; anything else (429/5xx out of retries, a crash) fails the job, which pg-boss retries. */
async function deadLetterOrThrow(deadLetters: DeadLetterService, error: unknown, letter: { workspaceId: string; entityType: string; entityId: string | null; sourceObjectId: string; request: object }) {
  if (!(error instanceof BrevoRequestFailed) || isRetryableFailure(error)) throw error;
  const { request, ...record } = letter;
  const failure = failureLetter(error, request);
  await deadLetters.record({ ...record, ...failure });
  return { category: failure.category, reason: failure.reason };
}

/**
 * Tajo lists as Brevo lists. The state row names the Brevo list before Brevo is asked to create
 * it, so a crash between Brevo's answer and our record finds the list by that name instead of
 * creating a second one.
 */
export class BrevoLists {
  constructor(
    private readonly db: Db,
    private readonly catalog: BrevoCatalog,
  ) {}

  /** The Brevo list of a Tajo list, created or renamed as needed; null when the Tajo list is gone. */
  async ensure(account: BrevoAccount, workspaceId: string, listId: string): Promise<number | null> {
    const list = await this.db.list.findFirst({ where: { id: listId, workspaceId } });
    if (!list) return null;
    const wanted = brevoListName(list);
    await this.db.brevoListState.createMany({ data: [{ listId, workspaceId, brevoName: wanted }], skipDuplicates: true });
    let state = await this.db.brevoListState.findUniqueOrThrow({ where: { listId } });
    if (state.brevoListId === null) {
      const brevoListId = await this.catalog.ensureList(account, { folderName: TAJO_FOLDER, listName: state.brevoName });
      state = await this.db.brevoListState.update({ where: { listId }, data: { brevoListId } });
    }
    const brevoListId = state.brevoListId!;
    if (state.brevoName === wanted) return brevoListId;
    const renamed = await account.api.renameList(brevoListId, wanted);
    await this.catalog.forgetList(account, { folderName: TAJO_FOLDER, listName: state.brevoName });
    if (!renamed) {
      // Deleted in Brevo behind Tajo's back: created again, with every member.
      await this.#forget(listId);
      return this.ensure(account, workspaceId, listId);
    }
    await this.db.brevoListState.update({ where: { listId }, data: { brevoName: wanted } });
    return brevoListId;
  }

  /** Deletes the Brevo list of a deleted Tajo list; false when Brevo never had one. */
  async remove(account: BrevoAccount, listId: string): Promise<boolean> {
    const state = await this.db.brevoListState.findUnique({ where: { listId } });
    if (!state) return false;
    const name = { folderName: TAJO_FOLDER, listName: state.brevoName };
    // A creation cut short by a crash left only the name; Brevo may have the list all the same.
    const brevoListId = state.brevoListId ?? (await this.catalog.findList(account, name));
    const deleted = brevoListId !== null && (await account.api.deleteList(brevoListId));
    await this.catalog.forgetList(account, name);
    await this.#forget(listId);
    return deleted;
  }

  async #forget(listId: string) {
    await this.db.$transaction([this.db.brevoListMember.deleteMany({ where: { listId } }), this.db.brevoListState.deleteMany({ where: { listId } })]);
  }
}

/** Creates, renames and deletes Tajo lists in Brevo ('list' outbox rows). Safe to run twice. */
export class ListActivator implements EntityActivator {
  constructor(
    private readonly accounts: BrevoAccounts,
    private readonly lists: BrevoLists,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
  ) {}

  async run(job: ActivationJob): Promise<ActivationReport> {
    const account = await this.accounts.forWorkspace(job.workspaceId);
    // Nothing to send to: connecting Brevo queues every list and its membership.
    if (!account) return skippedReport(job);
    const report = emptyReport();
    for (const item of job.items) {
      try {
        if (item.operation === 'delete') report[(await this.lists.remove(account, item.entityId)) ? 'deleted' : 'skipped'] += 1;
        else report[(await this.lists.ensure(account, job.workspaceId, item.entityId)) === null ? 'skipped' : 'activated'] += 1;
      } catch (error) {
        const request = { listId: item.entityId, operation: item.operation };
        const failure = await deadLetterOrThrow(this.deadLetters, error, { workspaceId: job.workspaceId, entityType: LIST_ENTITY, entityId: item.entityId, sourceObjectId: item.entityId, request });
        this.log.warn({ workspaceId: job.workspaceId, listId: item.entityId, operation: item.operation, ...failure }, 'list activation dead-lettered');
        report.deadLettered += 1;
      }
    }
    return report;
  }
}

/**
 * Makes each Brevo list's membership equal to its Tajo list's ('list_membership' outbox rows, one
 * per changed list): adds and removes what differs from what Brevo is recorded to have, in
 * requests of at most 150 contacts, recording each answered request. Replaying a request Brevo
 * already carried out changes nothing there (the contacts come back as failures: already in, or
 * already out), so a job retried after a crash is safe.
 */
export class ListMembershipActivator implements EntityActivator {
  /** One sync per list at a time in this process: two at once would send the same changes twice. */
  readonly #syncing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly lists: BrevoLists,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
  ) {}

  async run(job: ActivationJob): Promise<ActivationReport> {
    const account = await this.accounts.forWorkspace(job.workspaceId);
    // Nothing to send to: connecting Brevo queues every list and its membership.
    if (!account) return skippedReport(job);
    const report = emptyReport();
    let waiting = 0;
    for (const item of job.items) {
      await this.#oneAtATime(item.entityId, async () => {
        try {
          const brevoListId = await this.lists.ensure(account, job.workspaceId, item.entityId);
          if (brevoListId === null) {
            report.skipped += 1;
            return;
          }
          const synced = await this.#sync(account, job.workspaceId, item.entityId, brevoListId);
          report.activated += synced.changed;
          report.deadLettered += synced.deadLettered;
          waiting += synced.waiting;
        } catch (error) {
          const failure = await deadLetterOrThrow(this.deadLetters, error, { workspaceId: job.workspaceId, entityType: LIST_MEMBERSHIP_ENTITY, entityId: item.entityId, sourceObjectId: item.entityId, request: { listId: item.entityId } });
          this.log.warn({ workspaceId: job.workspaceId, listId: item.entityId, ...failure }, 'list membership dead-lettered');
          report.deadLettered += 1;
        }
      });
    }
    if (waiting > 0) throw new MembersNotInBrevoYet(waiting);
    return report;
  }

  async #sync(account: BrevoAccount, workspaceId: string, listId: string, brevoListId: number) {
    const { toAdd, waiting, toRemove } = await this.#differences(listId);
    await this.db.brevoListState.updateMany({ where: { listId, waitingForContacts: waiting === 0 }, data: { waitingForContacts: waiting > 0 } });
    let changed = 0;
    let deadLettered = 0;
    const apply = async (members: Member[], operation: 'add' | 'remove') => {
      for (let i = 0; i < members.length; i += MAX_LIST_MEMBERS_PER_REQUEST) {
        const chunk = members.slice(i, i + MAX_LIST_MEMBERS_PER_REQUEST);
        const extIds = chunk.map((member) => member.externalId);
        try {
          if (operation === 'add') {
            await account.api.addToList(brevoListId, { extIds });
            // Brevo's failures are contacts already in the list (a replay) or unknown to it, which
            // the contact state says they are not: either way, none is worth sending again.
            await this.db.brevoListMember.createMany({ data: chunk.map((m) => ({ listId, contactId: m.contactId, extId: m.externalId })), skipDuplicates: true });
          } else {
            await account.api.removeFromList(brevoListId, { extIds });
            await this.db.brevoListMember.deleteMany({ where: { listId, contactId: { in: chunk.map((m) => m.contactId) } } });
          }
          changed += chunk.length;
        } catch (error) {
          const failure = await deadLetterOrThrow(this.deadLetters, error, { workspaceId, entityType: LIST_MEMBERSHIP_ENTITY, entityId: listId, sourceObjectId: listId, request: { listId: brevoListId, operation, extIds } });
          this.log.warn({ workspaceId, listId, operation, contacts: chunk.length, ...failure }, 'list membership change dead-lettered');
          deadLettered += 1;
        }
      }
    };
    await apply(toRemove, 'remove');
    await apply(toAdd, 'add');
    return { changed, deadLettered, waiting };
  }

  /**
   * What Brevo lacks (members whose contact is live and activated), what it has too much (recorded
   * members no longer in the Tajo list, or whose contact is deleted), and how many members wait for
   * their contact's activation. A contact whose activation was dead-lettered is not waited for:
   * once it reaches Brevo, the syncs of its lists are queued again.
   */
  async #differences(listId: string) {
    const missing = await this.db.$queryRaw<(Member & { activated: boolean; refused: boolean })[]>`
      SELECT m.contact_id::text AS "contactId", c.external_id AS "externalId",
        EXISTS (SELECT 1 FROM brevo_contact_states s WHERE s.contact_id = m.contact_id) AS activated,
        EXISTS (SELECT 1 FROM dead_letters d WHERE d.workspace_id = m.workspace_id AND d.entity_type = 'contact'
          AND d.entity_id = m.contact_id AND d.status = 'open') AS refused
      FROM list_memberships m
      JOIN contacts c ON c.id = m.contact_id AND c.deleted_at IS NULL
      WHERE m.list_id = ${listId}::uuid
        AND NOT EXISTS (SELECT 1 FROM brevo_list_members b WHERE b.list_id = m.list_id AND b.contact_id = m.contact_id)
      ORDER BY m.created_at, m.contact_id`;
    const toRemove = await this.db.$queryRaw<Member[]>`
      SELECT b.contact_id::text AS "contactId", b.ext_id AS "externalId"
      FROM brevo_list_members b
      WHERE b.list_id = ${listId}::uuid AND NOT EXISTS (
        SELECT 1 FROM list_memberships m JOIN contacts c ON c.id = m.contact_id AND c.deleted_at IS NULL
        WHERE m.list_id = b.list_id AND m.contact_id = b.contact_id)
      ORDER BY b.contact_id`;
    return {
      toAdd: missing.filter((member) => member.activated),
      waiting: missing.filter((member) => !member.activated && !member.refused).length,
      toRemove,
    };
  }

  async #oneAtATime(listId: string, work: () => Promise<void>) {
    const previous = this.#syncing.get(listId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.#syncing.set(listId, current);
    try {
      await current;
    } finally {
      if (this.#syncing.get(listId) === current) this.#syncing.delete(listId);
    }
  }
}
