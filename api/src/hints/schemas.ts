import { z } from 'zod';

export const HINT_REJECTIONS = ['signature', 'stale', 'malformed', 'duplicate'] as const;
export type HintRejection = (typeof HINT_REJECTIONS)[number];

export const ZHintHeaders = z.object({
  'webhook-id': z.string().min(1).max(255).optional(),
  'webhook-timestamp': z.string().max(20).optional(),
  'webhook-signature': z.string().max(4_096).optional(),
});

export const ZHintParams = z.object({ id: z.uuid().meta({ description: 'The source ID.' }) });

export const ZHint = z
  .object({
    recordId: z.union([z.string().min(1).max(255), z.number().int()]).meta({ description: 'The Workato record that changed (a lookup-table row ID, a data-table record ID...).' }),
    event: z.string().max(100).optional().meta({ description: 'What happened to it (informational: Tajo refetches the record whatever it says).' }),
  })
  .meta({ id: 'WebhookHint', description: 'A hint that a Workato record changed. Tajo refetches the canonical record before it writes anything.', example: { recordId: '8812', event: 'updated' } });

export const ZHintAccepted = z
  .object({
    status: z.enum(['queued', 'duplicate']).meta({ description: 'duplicate: this webhook-id was received before; nothing new is queued.' }),
    hintId: z.uuid(),
  })
  .meta({ id: 'HintAccepted' });

export const ZHintStats = z
  .object({
    accepted: z.number().int(),
    refetched: z.number().int(),
    notFound: z.number().int(),
    failed: z.number().int(),
    queued: z.number().int(),
    rejected: z.object({ signature: z.number().int(), stale: z.number().int(), malformed: z.number().int(), duplicate: z.number().int() }),
  })
  .meta({ id: 'HintStats', description: "A source's webhook hints: accepted (and what their refetch found) and rejected, by reason." });
