import type { Db } from '../db/client.ts';
import { Prisma, type Source as SourceRow, type SyncJob as SyncJobRow } from '../generated/prisma/client.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { afterCursor, toPage } from '../http/cursor.ts';
import { sourceSettings } from '../sources/settings.ts';
import type { SourceCursor, StartPoint } from '../sources/readers.ts';
import type { SyncJobKind, SyncJobStatus } from './schemas.ts';

/** Outbox rows that ask for a sync job to run (again). */
export const SYNC_JOB_ENTITY = 'sync_job';
/** A job whose cursor has not moved for this long while the source still has data is stalled. */
export const STALL_AFTER_MS = 5 * 60 * 1000;

const ACTIVE: SyncJobStatus[] = ['running', 'paused'];

export function toSyncJob(row: SyncJobRow) {
  return {
    id: row.id,
    sourceId: row.sourceId,
    kind: row.kind as SyncJobKind,
    status: row.status as SyncJobStatus,
    startFrom: row.startFrom as StartPoint,
    cursor: row.cursor as SourceCursor | null,
    boundary: row.boundary?.toISOString() ?? null,
    progress: {
      pages: row.pages,
      recordsSeen: row.recordsSeen,
      created: row.created,
      updated: row.updated,
      unchanged: row.unchanged,
      stale: row.stale,
      deadLettered: row.deadLettered,
      objects: { created: row.objectsCreated, updated: row.objectsUpdated, unchanged: row.objectsUnchanged, stale: row.objectsStale },
      readCalls: row.readCalls,
    },
    cursorAdvancedAt: row.cursorAdvancedAt?.toISOString() ?? null,
    stalledSince: row.stalledSince?.toISOString() ?? null,
    lastError: row.lastError ? { category: row.lastErrorCategory ?? 'internal', detail: row.lastError } : null,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Sync jobs: backfill and incremental runs of a source, started, paused, resumed, cancelled and
 * replayed here; the workers carry them out. At most one job of each kind is active (running or
 * paused) per source: the source row is locked while that is checked.
 */
export class SyncJobService {
  constructor(private readonly db: Db) {}

  async start(workspaceId: string, sourceId: string, kind: SyncJobKind, from: StartPoint | undefined) {
    return this.db.$transaction(async (tx) => {
      // The lock and the read in one statement: the row as it stands while no other start can run.
      const [row] = await tx.$queryRaw<Pick<SourceRow, 'kind' | 'config' | 'backfillEnabled' | 'smokeTestStatus'>[]>`
        SELECT kind, config, backfill_enabled AS "backfillEnabled", smoke_test_status AS "smokeTestStatus"
        FROM sources WHERE id = ${sourceId}::uuid AND workspace_id = ${workspaceId}::uuid FOR UPDATE`;
      if (!row) throw notFound('The source');
      if (!row.backfillEnabled || row.smokeTestStatus !== 'passed') {
        throw new AppError(
          'conflict',
          row.smokeTestStatus !== 'passed'
            ? `The source's credential smoke test has not passed (${row.smokeTestStatus}); fix its credentials or configuration and run the smoke test, then start the job.`
            : 'Sync jobs are not enabled for this source; set backfillEnabled first.',
        );
      }
      const active = await tx.syncJob.findFirst({ where: { sourceId, kind, status: { in: ACTIVE } } });
      if (active) throw new AppError('conflict', `A ${kind} job of this source is already ${active.status} (${active.id}); pause, resume or cancel it instead.`);
      const settings = sourceSettings(row);
      checkStartPoint(settings.kind, from);
      const topic = settings.kind === 'event_stream';
      // A topic backfill takes what was published before it started; incremental takes the rest.
      const boundary = topic && kind === 'backfill' ? new Date() : null;
      const startFrom = from ?? (topic && kind === 'incremental' ? await incrementalStart(tx, sourceId) : null);
      const job = await tx.syncJob.create({
        data: { workspaceId, sourceId, kind, startFrom: startFrom ?? Prisma.DbNull, boundary },
      });
      await queueRun(tx, job);
      return toSyncJob(job);
    });
  }

  /** A new job of the same kind from a message ID, a time or a page; what it re-reads comes back unchanged. */
  async replay(workspaceId: string, id: string, from: StartPoint | undefined) {
    const job = await this.row(workspaceId, id);
    return this.start(workspaceId, job.sourceId, job.kind as SyncJobKind, from ?? (job.startFrom as StartPoint) ?? undefined);
  }

  async pause(workspaceId: string, id: string) {
    return this.transition(workspaceId, id, ['running'], 'paused');
  }

  async resume(workspaceId: string, id: string) {
    return this.transition(workspaceId, id, ['paused'], 'running');
  }

  async cancel(workspaceId: string, id: string) {
    return this.transition(workspaceId, id, ACTIVE, 'cancelled');
  }

  async get(workspaceId: string, id: string) {
    return toSyncJob(await this.row(workspaceId, id));
  }

  async search(workspaceId: string, query: { sourceId?: string | undefined; kind?: SyncJobKind | undefined; status?: SyncJobStatus | undefined; limit: number; cursor?: string | undefined }) {
    const where: Prisma.SyncJobWhereInput = { workspaceId };
    if (query.sourceId) where.sourceId = query.sourceId;
    if (query.kind) where.kind = query.kind;
    if (query.status) where.status = query.status;
    if (query.cursor) where.AND = [afterCursor('startedAt', query.cursor)];
    const rows = await this.db.syncJob.findMany({ where, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }], take: query.limit + 1 });
    const { page, nextCursor } = toPage(rows, query.limit, (row) => row.startedAt);
    return { data: page.map(toSyncJob), nextCursor };
  }

  private async transition(workspaceId: string, id: string, from: SyncJobStatus[], to: SyncJobStatus) {
    return this.db.$transaction(async (tx) => {
      const [job] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM sync_jobs WHERE id = ${id}::uuid AND workspace_id = ${workspaceId}::uuid FOR UPDATE`;
      if (!job) throw notFound('The sync job');
      if (!from.includes(job.status as SyncJobStatus)) throw new AppError('conflict', `The sync job is ${job.status}; only a ${from.join(' or ')} job can be ${to === 'running' ? 'resumed' : to}.`);
      const row = await tx.syncJob.update({
        where: { id },
        data: { status: to, ...(to === 'cancelled' ? { finishedAt: new Date() } : {}), ...(to === 'running' ? { lastError: null, lastErrorCategory: null } : {}) },
      });
      if (to === 'running') await queueRun(tx, row);
      return toSyncJob(row);
    });
  }

  private async row(workspaceId: string, id: string) {
    const row = await this.db.syncJob.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('The sync job');
    return row;
  }
}

/** The outbox row that has the workers run the job: it commits with the job's state, or not at all. */
async function queueRun(tx: Prisma.TransactionClient, job: SyncJobRow) {
  await tx.activationOutbox.create({ data: { workspaceId: job.workspaceId, entityType: SYNC_JOB_ENTITY, entityId: job.id, operation: 'run', entityVersion: 1 } });
}

/**
 * Where a topic's incremental job starts: where the last one stopped, else where the latest backfill
 * stopped taking messages (its boundary), else now (new messages only).
 */
async function incrementalStart(tx: Prisma.TransactionClient, sourceId: string): Promise<StartPoint> {
  const previous = await tx.syncJob.findFirst({ where: { sourceId, kind: 'incremental' }, orderBy: { startedAt: 'desc' } });
  if (previous) {
    const cursor = previous.cursor as SourceCursor | null;
    if (cursor && 'messageId' in cursor) return { messageId: cursor.messageId };
    if (previous.startFrom) return previous.startFrom as StartPoint;
  }
  const backfill = await tx.syncJob.findFirst({ where: { sourceId, kind: 'backfill', NOT: { boundary: null } }, orderBy: { startedAt: 'desc' } });
  return { time: (backfill?.boundary ?? new Date()).toISOString() };
}

function checkStartPoint(kind: 'event_stream' | 'developer_api' | 'mcp', from: StartPoint | undefined) {
  if (!from) return;
  const topic = kind === 'event_stream';
  if (topic && 'page' in from) throw new AppError('validation', 'A topic is replayed from a message ID or a time, not a page.');
  if (!topic && !('page' in from)) throw new AppError('validation', 'A paged resource is replayed from a page, not a message ID or a time.');
}
