import { z } from 'zod';
import { ZCursor, ZLimit } from '../http/schemas.ts';

export const SYNC_JOB_KINDS = ['backfill', 'incremental'] as const;
export type SyncJobKind = (typeof SYNC_JOB_KINDS)[number];
export const SYNC_JOB_STATUSES = ['running', 'paused', 'cancelled', 'completed', 'failed'] as const;
export type SyncJobStatus = (typeof SYNC_JOB_STATUSES)[number];

export const ZStartPoint = z
  .union([
    z.object({ messageId: z.string().min(1).max(200) }).strict(),
    z.object({ time: z.iso.datetime({ offset: true }) }).strict(),
    z.object({ page: z.string().min(1).max(2_000) }).strict(),
  ])
  .meta({
    id: 'SyncStartPoint',
    description: 'Where to start: after a message ID or from a time (topics), or at a page (paged resources: a page number or continuation token).',
    example: { time: '2026-11-20T00:00:00Z' },
  });

export const ZNewSyncJob = z
  .object({
    kind: z.enum(SYNC_JOB_KINDS).meta({ description: 'backfill reads what the source already has and completes; incremental follows what arrives, until paused or cancelled.' }),
    from: ZStartPoint.optional().meta({
      description:
        "Replay from here. Without it, a backfill starts at the beginning; a topic's incremental job starts where the last one stopped, else where the latest backfill stopped, else now.",
    }),
  })
  .strict()
  .meta({ id: 'NewSyncJob' });

export const ZSyncJobReplay = z.object({ from: ZStartPoint.optional() }).strict().meta({ id: 'SyncJobReplay' });

const ZSourceCursor = z.union([z.object({ messageId: z.string(), time: z.string() }), z.object({ page: z.string().nullable() })]);

export const ZSyncJob = z
  .object({
    id: z.uuid(),
    sourceId: z.uuid(),
    kind: z.enum(SYNC_JOB_KINDS),
    status: z.enum(SYNC_JOB_STATUSES),
    startFrom: ZStartPoint.nullable(),
    cursor: ZSourceCursor.nullable().meta({ description: 'The last committed position: it commits with the records it covers.' }),
    boundary: z.iso.datetime().nullable().meta({ description: "A topic backfill's end: messages published from then on are the incremental job's." }),
    progress: z.object({
      pages: z.number().int(),
      recordsSeen: z.number().int(),
      created: z.number().int(),
      updated: z.number().int(),
      unchanged: z.number().int(),
      stale: z.number().int().meta({ description: 'Contacts read again whose every field Tajo already held at a newer source time: nothing changed.' }),
      deadLettered: z.number().int(),
      objects: z
        .object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), stale: z.number().int() })
        .meta({ description: 'Custom object records the mapping made: written, or found unchanged or stale (the counts above are contacts\').' }),
      readCalls: z.number().int().meta({ description: 'Reads made against Workato (consume calls for a topic).' }),
    }),
    cursorAdvancedAt: z.iso.datetime().nullable(),
    stalledSince: z.iso.datetime().nullable().meta({ description: 'Set while the source has data but the cursor does not advance.' }),
    lastError: z.object({ category: z.string(), detail: z.string() }).nullable(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'SyncJob',
    description: 'A backfill or incremental run of a source, with its progress and cursor.',
    example: {
      id: '5d0c2b1e-7a39-4f0e-8f47-1c2b3a4d5e6f',
      sourceId: '0b7e8f1e-3c1a-4a57-9a0e-6b3f2f7f2c11',
      kind: 'backfill',
      status: 'running',
      startFrom: null,
      cursor: { messageId: '000000000000001250', time: '2026-11-24T09:31:02.120Z' },
      boundary: '2026-11-24T09:30:00.000Z',
      progress: {
        pages: 25,
        recordsSeen: 1250,
        created: 1190,
        updated: 12,
        unchanged: 10,
        stale: 0,
        deadLettered: 38,
        objects: { created: 0, updated: 0, unchanged: 0, stale: 0 },
        readCalls: 25,
      },
      cursorAdvancedAt: '2026-11-24T09:31:02.500Z',
      stalledSince: null,
      lastError: null,
      startedAt: '2026-11-24T09:30:00.000Z',
      finishedAt: null,
      updatedAt: '2026-11-24T09:31:02.500Z',
    },
  });

export const ZSyncJobSearchQuery = z.object({
  sourceId: z.uuid().optional(),
  kind: z.enum(SYNC_JOB_KINDS).optional(),
  status: z.enum(SYNC_JOB_STATUSES).optional(),
  limit: ZLimit,
  cursor: ZCursor,
});
export const ZSyncJobPage = z.object({ data: z.array(ZSyncJob), nextCursor: z.string().nullable() }).meta({ id: 'SyncJobPage' });
