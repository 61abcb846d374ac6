import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { DeadLetterService } from '../dead-letters/service.ts';
import { emptyReport, type ActivationJob, type ActivationReport, type EntityActivator } from '../jobs/activation.ts';
import { MESSAGE_ENTITY } from '../messages/service.ts';
import type { BrevoAccounts } from './accounts.ts';
import { failureLetter } from './activation.ts';
import { BrevoRequestFailed, isRetryableFailure, type TemplateEmail } from './client.ts';

/**
 * How long Brevo recognises an idempotency key on /smtp/email (its changelog says 15 minutes, a
 * later guide 30: the shorter is taken). Past it, a message whose first attempt has no known
 * outcome is not sent again: it may have been delivered.
 */
export const BREVO_IDEMPOTENCY_WINDOW_MS = 15 * 60 * 1000;

/**
 * Sends queued transactional emails ('message' outbox rows), each at most once: the message's ID
 * is Brevo's idempotency key, its first attempt is recorded before the call, and a message Brevo
 * accepted is never sent again.
 */
export class MessageActivator implements EntityActivator {
  constructor(
    private readonly db: Db,
    private readonly accounts: BrevoAccounts,
    private readonly deadLetters: DeadLetterService,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async run(job: ActivationJob): Promise<ActivationReport> {
    const report = emptyReport();
    const account = await this.accounts.forWorkspace(job.workspaceId);
    if (!account) {
      // Unlike records, a message is not caught up by a backfill: it fails visibly.
      for (const item of job.items) await this.#fail(job.workspaceId, item.entityId, { category: 'authentication', reason: 'the workspace has no Brevo connection', request: {}, response: {} });
      report.deadLettered = job.items.length;
      return report;
    }
    for (const item of job.items) {
      const message = await this.db.message.findFirst({ where: { id: item.entityId, workspaceId: job.workspaceId }, include: { contact: true } });
      if (!message || message.status !== 'queued') {
        report.skipped += 1;
        continue;
      }
      if (!message.contact.email || message.contact.deletedAt) {
        const request = { templateId: message.templateId, idempotencyKey: message.id };
        await this.#fail(job.workspaceId, message.id, { category: 'validation', reason: 'the contact has no email address any more, or was deleted', request, response: {} });
        report.deadLettered += 1;
        continue;
      }
      const email: TemplateEmail = {
        templateId: message.templateId,
        to: { email: message.contact.email, ...(message.contact.firstName ? { name: message.contact.firstName } : {}) },
        params: message.params as Record<string, unknown>,
        idempotencyKey: message.id,
      };
      if (message.attemptedAt && this.now() - message.attemptedAt.getTime() > BREVO_IDEMPOTENCY_WINDOW_MS) {
        await this.#fail(job.workspaceId, message.id, {
          category: 'vendor_unavailable',
          reason: "an earlier attempt's outcome is unknown and Brevo no longer recognises its idempotency key; not sent again, as it may have been delivered",
          request: email,
          response: {},
        });
        report.deadLettered += 1;
        continue;
      }
      if (!message.attemptedAt) await this.db.message.update({ where: { id: message.id }, data: { attemptedAt: new Date(this.now()) } });
      try {
        const brevoMessageId = await account.api.sendTemplateEmail(email);
        await this.db.message.update({ where: { id: message.id }, data: { status: 'sent', brevoMessageId } });
        report.activated += 1;
      } catch (error) {
        // 429/5xx out of retries fail the job; pg-boss retries it, under the same idempotency key.
        if (!(error instanceof BrevoRequestFailed) || isRetryableFailure(error)) throw error;
        await this.#fail(job.workspaceId, message.id, failureLetter(error, email));
        report.deadLettered += 1;
      }
    }
    return report;
  }

  async #fail(workspaceId: string, messageId: string, letter: Omit<Parameters<DeadLetterService['record']>[0], 'workspaceId' | 'entityType' | 'entityId' | 'sourceObjectId'>) {
    await this.db.message.update({ where: { id: messageId }, data: { status: 'failed' } });
    await this.deadLetters.record({ workspaceId, entityType: MESSAGE_ENTITY, entityId: messageId, sourceObjectId: messageId, ...letter });
    this.log.warn({ workspaceId, messageId, category: letter.category, reason: letter.reason }, 'transactional message dead-lettered');
  }
}
