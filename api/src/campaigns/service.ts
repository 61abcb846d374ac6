import type { Db } from '../db/client.ts';
import type { Prisma, CampaignDraft as CampaignDraftRow } from '../generated/prisma/client.ts';
import { AppError, notFound } from '../errors/problem.ts';

export const CAMPAIGN_DRAFT_ENTITY = 'campaign_draft';

export interface CampaignDraftInput {
  name: string;
  listId: string;
  subject: string;
  sender: { name?: string | undefined; email: string };
  templateId: number;
}

export const toCampaignDraft = (row: CampaignDraftRow) => ({
  id: row.id,
  name: row.name,
  listId: row.listId,
  subject: row.subject,
  sender: { name: row.senderName, email: row.senderEmail },
  templateId: row.templateId,
  status: row.status as 'queued' | 'created' | 'failed',
  brevoCampaignId: row.brevoCampaignId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Queues a draft's creation in Brevo. */
export const queueCampaignDraft = (tx: Prisma.TransactionClient, draft: { id: string; workspaceId: string }) =>
  tx.activationOutbox.create({ data: { workspaceId: draft.workspaceId, entityType: CAMPAIGN_DRAFT_ENTITY, entityId: draft.id, operation: 'create', entityVersion: 1 } });

/** Campaign drafts aimed at Tajo lists, each queued for creation in Brevo in the same transaction. */
export class CampaignDraftService {
  constructor(private readonly db: Db) {}

  async create(workspaceId: string, input: CampaignDraftInput) {
    return this.db.$transaction(async (tx) => {
      const list = await tx.list.findFirst({ where: { id: input.listId, workspaceId }, select: { id: true } });
      if (!list) throw new AppError('validation', 'The list was not found in this workspace.', { errors: [{ field: 'body.listId', reason: 'no list with this ID in the workspace' }] });
      const row = await tx.campaignDraft.create({
        data: {
          workspaceId,
          listId: input.listId,
          name: input.name,
          subject: input.subject,
          senderName: input.sender.name ?? null,
          senderEmail: input.sender.email,
          templateId: input.templateId,
        },
      });
      await queueCampaignDraft(tx, row);
      return toCampaignDraft(row);
    });
  }

  async get(workspaceId: string, id: string) {
    const row = await this.db.campaignDraft.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The campaign draft');
    return toCampaignDraft(row);
  }
}
