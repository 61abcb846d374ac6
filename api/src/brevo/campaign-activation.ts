import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { CAMPAIGN_DRAFT_ENTITY } from '../campaigns/service.ts';
import type { DeadLetterService } from '../dead-letters/service.ts';
import { emptyReport, type ActivationJob, type ActivationReport, type EntityActivator } from '../jobs/activation.ts';
import type { BrevoAccounts } from './accounts.ts';
import { failureLetter } from './activation.ts';
import { findByName } from './catalog.ts';
import { BrevoRequestFailed, isRetryableFailure, type DraftCampaign } from './client.ts';
import type { BrevoLists } from './list-activation.ts';

/** Brevo's largest page of campaigns. */
const CAMPAIGN_PAGE = 100;

/** A draft's name in Brevo: readable, and unique through the draft's ID, so it is found again by name. */
export const brevoCampaignName = (draft: { id: string; name: string }) => `Tajo · ${draft.name} · ${draft.id.slice(0, 8)}`;

/**
 * Creates campaign drafts in Brevo ('campaign_draft' outbox rows), aimed at the Brevo list of
 * their Tajo list. Brevo does not keep campaign names unique, so once a creation was attempted the
 * draft is looked up by its deterministic name before any new attempt: a creation whose answer was
 * lost is found, not repeated.
 */
export class CampaignDraftActivator implements EntityActivator {
  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly lists: BrevoLists,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
  ) {}

  async run(job: ActivationJob): Promise<ActivationReport> {
    const report = emptyReport();
    const account = await this.accounts.forWorkspace(job.workspaceId);
    if (!account) {
      // Unlike records, a draft is not caught up by a backfill: it fails visibly, and can be retried.
      for (const item of job.items) await this.#fail(item.entityId, job.workspaceId, { category: 'authentication', reason: 'the workspace has no Brevo connection', request: {}, response: {} });
      report.deadLettered = job.items.length;
      return report;
    }
    for (const item of job.items) {
      const draft = await this.db.campaignDraft.findFirst({ where: { id: item.entityId, workspaceId: job.workspaceId } });
      if (!draft || draft.status !== 'queued') {
        report.skipped += 1;
        continue;
      }
      const name = brevoCampaignName(draft);
      try {
        const listId = await this.lists.ensure(account, job.workspaceId, draft.listId);
        if (listId === null) {
          await this.#fail(draft.id, job.workspaceId, { category: 'validation', reason: 'the list was deleted before the draft reached Brevo', request: { name }, response: {} });
          report.deadLettered += 1;
          continue;
        }
        const campaign: DraftCampaign = {
          name,
          subject: draft.subject,
          sender: { ...(draft.senderName ? { name: draft.senderName } : {}), email: draft.senderEmail },
          templateId: draft.templateId,
          listIds: [listId],
        };
        // After an earlier attempt, Brevo may have the draft though its answer was lost.
        const found = draft.attemptedAt ? await findByName((page) => account.api.listDraftCampaigns(page), name, CAMPAIGN_PAGE) : null;
        if (!draft.attemptedAt) await this.db.campaignDraft.update({ where: { id: draft.id }, data: { attemptedAt: new Date() } });
        const brevoCampaignId = found ?? (await account.api.createDraftCampaign(campaign));
        await this.db.campaignDraft.update({ where: { id: draft.id }, data: { status: 'created', brevoCampaignId } });
        report.activated += 1;
      } catch (error) {
        if (!(error instanceof BrevoRequestFailed) || isRetryableFailure(error)) throw error;
        await this.#fail(draft.id, job.workspaceId, failureLetter(error, { name }));
        report.deadLettered += 1;
      }
    }
    return report;
  }

  async #fail(draftId: string, workspaceId: string, letter: Omit<Parameters<DeadLetterService['record']>[0], 'workspaceId' | 'entityType' | 'entityId' | 'sourceObjectId'>) {
    await this.db.campaignDraft.update({ where: { id: draftId }, data: { status: 'failed' } });
    await this.deadLetters.record({ workspaceId, entityType: CAMPAIGN_DRAFT_ENTITY, entityId: draftId, sourceObjectId: draftId, ...letter });
    this.log.warn({ workspaceId, draftId, category: letter.category, reason: letter.reason }, 'campaign draft dead-lettered');
  }
}
