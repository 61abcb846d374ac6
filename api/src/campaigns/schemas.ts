import { z } from 'zod';

export const ZCampaignDraftInput = z
  .object({
    name: z.string().trim().min(1).max(100).meta({ description: "The campaign's name; Brevo shows it with a Tajo prefix and the draft's short ID." }),
    listId: z.uuid().meta({ description: 'The Tajo list the campaign goes to.' }),
    subject: z.string().trim().min(1).max(255),
    sender: z.object({ name: z.string().min(1).max(70).optional(), email: z.email() }).strict().meta({ description: 'A sender verified in the Brevo account.' }),
    templateId: z.number().int().positive().meta({ description: 'The Brevo template the content comes from.' }),
  })
  .strict()
  .meta({
    id: 'NewCampaignDraft',
    description: 'An email campaign to prepare in Brevo as a draft, aimed at a Tajo list. Nothing is sent or scheduled.',
    example: {
      name: 'November newsletter',
      listId: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
      subject: 'What is new in November',
      sender: { name: 'Tajo Shop', email: 'news@shop.example' },
      templateId: 12,
    },
  });

export const ZCampaignDraft = z
  .object({
    id: z.uuid(),
    name: z.string(),
    listId: z.uuid(),
    subject: z.string(),
    sender: z.object({ name: z.string().nullable(), email: z.string() }),
    templateId: z.number().int(),
    status: z.enum(['queued', 'created', 'failed']).meta({ description: 'queued until the draft exists in Brevo (created), or Brevo refused it (failed, with a dead letter).' }),
    brevoCampaignId: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'CampaignDraft',
    example: {
      id: '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
      name: 'November newsletter',
      listId: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90',
      subject: 'What is new in November',
      sender: { name: 'Tajo Shop', email: 'news@shop.example' },
      templateId: 12,
      status: 'created',
      brevoCampaignId: 41,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:02.000Z',
    },
  });
