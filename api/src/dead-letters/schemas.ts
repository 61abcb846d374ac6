import { z } from 'zod';
import { ZCursor, ZLimit } from '../http/schemas.ts';
import { DEAD_LETTER_CATEGORIES, DEAD_LETTER_STATUSES, DISCARD_RESULTS, RETRY_RESULTS } from './service.ts';

const EXAMPLE = {
  id: '5b0f7c1e-8d2a-4c3b-9e6f-1a2b3c4d5e6f',
  entityType: 'contact',
  entityId: '9d4a3c1e-2b7f-4e8a-a1d5-6f0c2b9e7a31',
  sourceObjectId: 'shopify:8812',
  syncJobId: null,
  category: 'mapping',
  reason: 'Brevo answered upsertContact with 400 duplicate_parameter: Unable to create contact, SMS is already associated with another Contact',
  request: { operation: 'upsertContact', body: { ext_id: 'shopify:8812', email: 'ana@example.com', attributes: { SMS: '+14155552671' }, updateEnabled: true } },
  response: { code: 'duplicate_parameter', message: 'Unable to create contact, SMS is already associated with another Contact' },
  status: 'open',
  occurrences: 3,
  lastSeenAt: '2026-11-24T08:02:41.000Z',
  createdAt: '2026-11-23T10:15:00.000Z',
  updatedAt: '2026-11-24T08:02:41.000Z',
};

export const ZDeadLetter = z
  .object({
    id: z.uuid(),
    entityType: z.string().meta({ description: 'What was being activated (`contact`).' }),
    entityId: z.uuid().nullable().meta({ description: "The Tajo ID of the record; null once it was erased." }),
    sourceObjectId: z.string().nullable().meta({ description: "The record's ID at its source (a contact's external ID)." }),
    syncJobId: z.string().nullable().meta({ description: 'The sync job that brought the record, when any.' }),
    category: z.enum(DEAD_LETTER_CATEGORIES),
    reason: z.string().meta({ description: 'What went wrong, for an operator.' }),
    request: z.unknown().meta({ description: 'The request Tajo sent to Brevo.' }),
    response: z.unknown().meta({ description: "Brevo's answer (or how the attempts ended)." }),
    status: z.enum(DEAD_LETTER_STATUSES),
    occurrences: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'How often the record failed this way while the letter was open: a repeat (a source read again, a retried job) counts here instead of writing another letter. request, response and syncJobId are those of the latest.' }),
    lastSeenAt: z.iso.datetime().meta({ description: 'When the record last failed this way.' }),
    createdAt: z.iso.datetime().meta({ description: 'When the record first failed this way.' }),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'DeadLetter', example: EXAMPLE });

/** The letter as retry or discard left it, and whether this request handled it or found it handled already. */
const handled = <R extends readonly [string, ...string[]]>(id: string, results: R, description: string) =>
  ZDeadLetter.extend({ result: z.enum(results).meta({ description }) }).meta({ id, example: { ...EXAMPLE, status: results[0], result: results[0] } });

export const ZDeadLetterRetry = handled('DeadLetterRetry', RETRY_RESULTS, 'retried: queued for activation again by this request; already_retried: an earlier request did, and this one changed nothing.');
export const ZDeadLetterDiscard = handled('DeadLetterDiscard', DISCARD_RESULTS, 'discarded: discarded by this request; already_discarded: an earlier request did, and this one changed nothing.');

export const ZDeadLetterSearchQuery = z
  .object({
    category: z.enum(DEAD_LETTER_CATEGORIES).optional(),
    status: z.enum(DEAD_LETTER_STATUSES).optional(),
    since: z.iso.datetime({ offset: true }).optional().meta({ description: 'Only dead letters created at or after this time.' }),
    limit: ZLimit,
    cursor: ZCursor,
  })
  .strict();

export const ZDeadLetterPage = z
  .object({ data: z.array(ZDeadLetter), nextCursor: z.string().nullable() })
  .meta({ id: 'DeadLetterPage', example: { data: [EXAMPLE], nextCursor: null } });
