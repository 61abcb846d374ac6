import { z } from 'zod';
import { ZContactReference } from '../lists/schemas.ts';

export const MESSAGE_STATUSES = ['queued', 'sent', 'failed'] as const;

export const ZTransactionalMessageInput = z
  .object({
    to: ZContactReference,
    templateId: z.number().int().positive().meta({ description: "The Brevo template's ID." }),
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .optional()
      .meta({ description: 'Values for the template, e.g. {"ORDER": "A-1001"}.' }),
  })
  .strict()
  .meta({
    id: 'TransactionalMessageInput',
    description: 'A transactional email from a Brevo template to one contact (its email address).',
    example: { to: { externalId: 'shopify:7001' }, templateId: 12, params: { ORDER: 'A-1001' } },
  });

export const ZMessage = z
  .object({
    id: z.uuid().meta({ description: 'Tajo ID; also the idempotency key Brevo is given, so the message is delivered once.' }),
    contactId: z.uuid(),
    templateId: z.number().int(),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    status: z.enum(MESSAGE_STATUSES).meta({ description: 'queued until Brevo accepts it (sent) or refuses it (failed, with a dead letter).' }),
    brevoMessageId: z.string().nullable().meta({ description: "Brevo's message ID, once sent." }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'Message',
    example: {
      id: '6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
      contactId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
      templateId: 12,
      params: { ORDER: 'A-1001' },
      status: 'sent',
      brevoMessageId: '<202611231000.12345678@smtp-relay.mailin.fr>',
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:01.000Z',
    },
  });
