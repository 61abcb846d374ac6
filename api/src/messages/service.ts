import type { Db } from '../db/client.ts';
import type { Prisma, Message as MessageRow } from '../generated/prisma/client.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { resolveContactReferences, type ContactReference } from '../contacts/references.ts';

export const MESSAGE_ENTITY = 'message';

type Params = Record<string, string | number | boolean | null>;

export const toMessage = (row: MessageRow) => ({
  id: row.id,
  contactId: row.contactId,
  templateId: row.templateId,
  params: row.params as Params,
  status: row.status as 'queued' | 'sent' | 'failed',
  brevoMessageId: row.brevoMessageId,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Queues a message's send for activation. */
export const queueMessage = (tx: Prisma.TransactionClient, message: { id: string; workspaceId: string }) =>
  tx.activationOutbox.create({ data: { workspaceId: message.workspaceId, entityType: MESSAGE_ENTITY, entityId: message.id, operation: 'send', entityVersion: 1 } });

/** Transactional emails by Brevo template. Each is queued with its send in one transaction. */
export class MessageService {
  constructor(private readonly db: Db) {}

  async sendTransactional(workspaceId: string, input: { to: ContactReference; templateId: number; params?: Params | undefined }) {
    return this.db.$transaction(async (tx) => {
      const [resolved] = await resolveContactReferences(tx, workspaceId, [input.to]);
      if (typeof resolved !== 'string') throw new AppError('validation', `The recipient cannot be used: ${resolved!.reason}.`, { errors: [{ field: 'body.to', reason: resolved!.reason }] });
      const contact = await tx.contact.findUniqueOrThrow({ where: { id: resolved }, select: { email: true } });
      if (!contact.email) throw new AppError('validation', 'The recipient has no email address.', { errors: [{ field: 'body.to', reason: 'the contact has no email address' }] });
      const row = await tx.message.create({ data: { workspaceId, contactId: resolved, templateId: input.templateId, params: input.params ?? {} } });
      await queueMessage(tx, row);
      return toMessage(row);
    });
  }

  async get(workspaceId: string, id: string) {
    const row = await this.db.message.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The message');
    return toMessage(row);
  }
}
