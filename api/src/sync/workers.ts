import type { Db as JobDb, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import type { Prisma, Source as SourceRow, SyncJob as SyncJobRow } from '../generated/prisma/client.ts';
import type { OutboxRow } from '../jobs/activation.ts';
import type { OutboxConsumer } from '../jobs/activation-workers.ts';
import type { WorkspaceSettings } from '../auth/service.ts';
import type { CountryCode } from 'libphonenumber-js';
import { categoryOf } from '../errors/problem.ts';
import type { WorkatoConnections } from '../sources/connections.ts';
import { readerFor, type SourceCursor, type StartPoint } from '../sources/readers.ts';
import type { PageCounts, SourceIngest } from '../sources/ingest.ts';
import { sourceSettings } from '../sources/settings.ts';
import { STALL_AFTER_MS, SYNC_JOB_ENTITY } from './service.ts';

export const SYNC_QUEUE = 'workato-sync';
/** A job runs this long, then hands over to a fresh one: pause and cancel land within a page, and no run outlives its heartbeat by much. */
const SLICE_MS = 30_000;
const HEARTBEAT_SECONDS = 10;

interface SyncRun {
  syncJobId: string;
}

export interface SyncWorkerOptions {
  sliceMs: number;
  /** A job whose reads keep failing this long after its cursor last moved is reported stalled. */
  stallAfterMs: number;
}

/** Failures that no retry fixes: the job stops, failed, until an operator fixes the source and starts it again. */
const FATAL = new Set(['authentication', 'permission', 'not_found', 'validation']);

class CursorMoved extends Error {
  constructor() {
    super('another run of this sync job moved its cursor first');
  }
}

/**
 * Runs sync jobs on pg-boss. A job's runs share a singleton key (source and kind), so one source
 * never has two runs of a kind at once. Each page is read, mapped and committed with the advanced
 * cursor in one transaction; a run killed anywhere is retried by pg-boss (its heartbeat stops) and
 * starts from the last committed cursor, so nothing is lost and nothing counted twice.
 */
export class SyncWorkers implements OutboxConsumer {
  readonly entityTypes = [SYNC_JOB_ENTITY];
  readonly #options: SyncWorkerOptions;
  #boss: PgBoss | null = null;

  constructor(
    private readonly db: Db,
    private readonly connections: WorkatoConnections,
    private readonly ingest: SourceIngest,
    private readonly log: Logger,
    options: Partial<SyncWorkerOptions> = {},
  ) {
    this.#options = { sliceMs: SLICE_MS, stallAfterMs: STALL_AFTER_MS, ...options };
  }

  async start(boss: PgBoss) {
    const queue = { retryLimit: 1_000, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 15 * 60, heartbeatSeconds: HEARTBEAT_SECONDS };
    await boss.createQueue(SYNC_QUEUE, { ...queue, policy: 'singleton' });
    // A queue created by an earlier release keeps its old settings otherwise (its policy cannot change).
    await boss.updateQueue(SYNC_QUEUE, queue);
    this.#boss = boss;
    await boss.work<SyncRun>(SYNC_QUEUE, { batchSize: 1, localConcurrency: 4, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (job) await this.run(job.data.syncJobId);
    });
  }

  async queue(rows: readonly OutboxRow[], tx: JobDb): Promise<number> {
    const runs = rows.filter((row) => row.entity_type === SYNC_JOB_ENTITY);
    if (runs.length === 0) return 0;
    if (!this.#boss) throw new Error('sync jobs are queued only once started');
    const { rows: jobs } = await tx.executeSql('SELECT id::text, source_id::text, kind FROM sync_jobs WHERE id = ANY($1::uuid[])', [runs.map((row) => row.entity_id)]);
    const typed = jobs as { id: string; source_id: string; kind: string }[];
    if (typed.length > 0) await this.#boss.insert(SYNC_QUEUE, typed.map((job) => ({ data: { syncJobId: job.id } satisfies SyncRun, singletonKey: `${job.source_id}:${job.kind}` })), { db: tx });
    return typed.length;
  }

  /** One run: pages until the slice ends, the job stops running, or the source has nothing more for now. */
  async run(syncJobId: string) {
    const started = Date.now();
    // Every line of the run names its workspace, source and job.
    let log: Logger | undefined;
    while (Date.now() - started < this.#options.sliceMs) {
      const job = await this.db.syncJob.findUnique({ where: { id: syncJobId } });
      if (!job || job.status !== 'running') return;
      const source = await this.db.source.findUnique({ where: { id: job.sourceId }, include: { workspace: true } });
      if (!source) return;
      log ??= this.log.child({ workspaceId: source.workspaceId, sourceId: source.id, syncJobId });
      if (!source.backfillEnabled || source.smokeTestStatus !== 'passed') {
        await this.#finish(job, log, 'failed', { category: 'permission', detail: 'sync jobs were disabled for the source, or its smoke test no longer passes' });
        return;
      }
      const outcome = await this.#page(job, source, { sourceName: source.name, defaultPhoneRegion: source.workspace.defaultPhoneRegion as CountryCode }, log);
      if (outcome === 'stop') return;
      if (outcome === 'exhausted') {
        if (job.kind === 'backfill') {
          await this.#finish(job, log, 'completed', null);
          return;
        }
        const settings = sourceSettings(source);
        if (settings.kind !== 'event_stream') {
          // A paged resource has no change feed: the next pass reads it again after the interval.
          const interval = settings.kind === 'developer_api' ? settings.developerApi.pollIntervalSeconds : 300;
          await this.#continue(job, interval);
          return;
        }
      }
    }
    await this.#continue(await this.db.syncJob.findUniqueOrThrow({ where: { id: syncJobId } }), 0);
  }

  async #page(job: SyncJobRow, source: SourceRow, settings: WorkspaceSettings, log: Logger): Promise<'more' | 'exhausted' | 'stop'> {
    const cursor = job.cursor as SourceCursor | null;
    const topic = source.kind === 'event_stream';
    let result;
    try {
      result = await readerFor(source, this.connections.forRun(log)).read({
        cursor,
        startFrom: job.startFrom as StartPoint,
        // Only a topic's incremental job waits for news; a backfill must notice it has caught up.
        wait: topic && job.kind === 'incremental',
        boundary: job.kind === 'backfill' ? job.boundary : null,
      });
    } catch (error) {
      return this.#failedRead(job, error, log);
    }
    const moved = JSON.stringify(result.cursor) !== JSON.stringify(cursor);
    if (result.records.length === 0 && !moved) {
      await this.db.syncJob.update({ where: { id: job.id }, data: { readCalls: { increment: 1 }, stalledSince: null, lastError: null, lastErrorCategory: null } });
      return result.exhausted ? 'exhausted' : 'more';
    }
    // A page of records that leaves the cursor where it was would be read again forever.
    const stalled = result.records.length > 0 && !moved;
    try {
      await this.ingest.ingest(source, settings, result.records, {
        syncJobId: job.id,
        requestId: `sync_${job.id}`,
        log,
        commit: (tx, counts) => advance(tx, job, cursor, stalled ? cursor : result.cursor, counts, stalled),
      });
    } catch (error) {
      if (error instanceof CursorMoved) return 'stop';
      throw error;
    }
    if (stalled) {
      // Workato handing out the same page again is the vendor's fault, as an outage is.
      log.warn({ category: 'vendor_unavailable' }, 'sync cursor stalled: a page came back without moving the cursor');
      return 'exhausted';
    }
    return result.exhausted ? 'exhausted' : 'more';
  }

  /** Transient failures are retried by pg-boss with backoff; a rejected credential or a missing resource fails the job. */
  async #failedRead(job: SyncJobRow, error: unknown, log: Logger): Promise<'stop'> {
    const category = categoryOf(error);
    const detail = error instanceof Error ? error.message : String(error);
    if (FATAL.has(category)) {
      await this.#finish(job, log, 'failed', { category, detail });
      return 'stop';
    }
    const overdue = Date.now() - (job.cursorAdvancedAt ?? job.startedAt).getTime() > this.#options.stallAfterMs;
    await this.db.syncJob.update({
      where: { id: job.id },
      data: { lastError: detail, lastErrorCategory: category, ...(overdue && !job.stalledSince ? { stalledSince: new Date() } : {}) },
    });
    log.warn({ category }, `sync read failed; retrying: ${detail}`);
    throw error;
  }

  async #finish(job: SyncJobRow, log: Logger, status: 'completed' | 'failed', error: { category: string; detail: string } | null) {
    const { count } = await this.db.syncJob.updateMany({
      where: { id: job.id, status: 'running' },
      data: { status, finishedAt: new Date(), ...(error ? { lastError: error.detail, lastErrorCategory: error.category } : {}) },
    });
    // Paused or cancelled meanwhile: the job did not end here.
    if (count === 0) return;
    if (error) log.error({ category: error.category }, `sync job failed: ${error.detail}`);
    else log.info('sync job completed');
  }

  /** Hands over to a fresh run of the same job (same singleton key), after a delay for a resource's next pass. */
  async #continue(job: SyncJobRow, delaySeconds: number) {
    if (job.status !== 'running') return;
    await this.#boss!.send(SYNC_QUEUE, { syncJobId: job.id } satisfies SyncRun, { singletonKey: `${job.sourceId}:${job.kind}`, ...(delaySeconds > 0 ? { startAfter: delaySeconds } : {}) });
  }
}

/**
 * The cursor and counters, in the page's transaction. It moves only from where this run read it: a
 * second run of the same job that committed first makes this one roll back instead of double-counting.
 */
async function advance(tx: Prisma.TransactionClient, job: SyncJobRow, from: SourceCursor | null, to: SourceCursor | null, counts: PageCounts, stalled: boolean) {
  const updated = await tx.$executeRaw`
    UPDATE sync_jobs SET cursor = ${to === null ? null : JSON.stringify(to)}::jsonb, pages = pages + 1, read_calls = read_calls + 1,
      records_seen = records_seen + ${counts.recordsSeen}, created = created + ${counts.created}, updated = updated + ${counts.updated},
      unchanged = unchanged + ${counts.unchanged}, stale = stale + ${counts.stale}, dead_lettered = dead_lettered + ${counts.deadLettered},
      objects_created = objects_created + ${counts.objects.created}, objects_updated = objects_updated + ${counts.objects.updated},
      objects_unchanged = objects_unchanged + ${counts.objects.unchanged}, objects_stale = objects_stale + ${counts.objects.stale},
      cursor_advanced_at = CASE WHEN ${stalled} THEN cursor_advanced_at ELSE now() END,
      stalled_since = CASE WHEN ${stalled} THEN COALESCE(stalled_since, now()) ELSE NULL END,
      last_error = NULL, last_error_category = NULL, updated_at = now()
    WHERE id = ${job.id}::uuid AND cursor IS NOT DISTINCT FROM ${from === null ? null : JSON.stringify(from)}::jsonb`;
  if (updated !== 1) throw new CursorMoved();
}
