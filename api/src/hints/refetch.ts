import type { Db as JobDb, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { CountryCode } from 'libphonenumber-js';
import type { Db } from '../db/client.ts';
import type { OutboxRow } from '../jobs/activation.ts';
import type { OutboxConsumer } from '../jobs/activation-workers.ts';
import { categoryOf } from '../errors/problem.ts';
import type { WorkatoConnections } from '../sources/connections.ts';
import type { SourceIngest } from '../sources/ingest.ts';
import { readerFor } from '../sources/readers.ts';
import { WEBHOOK_HINT_ENTITY } from './service.ts';

export const REFETCH_QUEUE = 'workato-refetch';
/**
 * Two workers taking up to four hints each, refetched side by side and settled one by one (a
 * failure retries that hint alone). A full batch fetches the next at once (burst): with one job per
 * fetch, each worker waited out the polling interval after every hint, and a backlog drained at
 * 16 hints/s whatever Workato and the database could take.
 */
const WORK_OPTIONS = { batchSize: 4, localConcurrency: 2, burstWhenBatchFull: true, perJobResults: true, pollingIntervalSeconds: 0.5, includeMetadata: true } as const;

interface RefetchJob {
  hintId: string;
}

/**
 * Refetches the canonical record behind each accepted webhook hint (Developer API row or MCP tool)
 * and writes it through the source's mapping; the hint is marked fetched in the same transaction.
 * Rate limits and outages are retried by pg-boss; a record Workato no longer has is recorded as such.
 */
export class HintRefetches implements OutboxConsumer {
  readonly entityTypes = [WEBHOOK_HINT_ENTITY];
  #boss: PgBoss | null = null;

  constructor(
    private readonly db: Db,
    private readonly connections: WorkatoConnections,
    private readonly ingest: SourceIngest,
    private readonly log: Logger,
  ) {}

  async start(boss: PgBoss) {
    const queue = { retryLimit: 8, retryDelay: 2, retryBackoff: true, retryDelayMax: 300, expireInSeconds: 5 * 60 };
    await boss.createQueue(REFETCH_QUEUE, queue);
    await boss.updateQueue(REFETCH_QUEUE, queue);
    this.#boss = boss;
    await boss.work<RefetchJob, void, typeof WORK_OPTIONS>(REFETCH_QUEUE, WORK_OPTIONS, (jobs) =>
      Promise.all(
        jobs.map(async (job) => {
          // Bound to the hint's workspace and source once the hint is read.
          const log = this.log.child({ hintId: job.data.hintId });
          try {
            await this.refetch(job.data.hintId, job.retryCount >= job.retryLimit, log);
            return { id: job.id, status: 'completed' as const };
          } catch (error) {
            log.warn({ category: categoryOf(error), retryCount: job.retryCount, err: error }, 'webhook hint refetch failed; retried');
            return { id: job.id, status: 'failed' as const, output: { message: (error as Error).message } };
          }
        }),
      ),
    );
  }

  async queue(rows: readonly OutboxRow[], tx: JobDb): Promise<number> {
    const hints = rows.filter((row) => row.entity_type === WEBHOOK_HINT_ENTITY);
    if (hints.length === 0) return 0;
    if (!this.#boss) throw new Error('hint refetches are queued only once started');
    await this.#boss.insert(REFETCH_QUEUE, hints.map((row) => ({ data: { hintId: row.entity_id } satisfies RefetchJob })), { db: tx });
    return hints.length;
  }

  async refetch(hintId: string, final: boolean, log: Logger) {
    const hint = await this.db.webhookHint.findUnique({ where: { id: hintId }, include: { source: { include: { workspace: true } } } });
    if (!hint || hint.status !== 'queued') return;
    const { source } = hint;
    log.setBindings({ workspaceId: source.workspaceId, sourceId: source.id });
    let record;
    try {
      record = await readerFor(source, this.connections.forRun(log)).fetch(hint.objectId);
    } catch (error) {
      const category = categoryOf(error);
      if (category === 'not_found') record = null;
      else if (final || category === 'authentication' || category === 'permission' || category === 'validation') {
        await this.db.webhookHint.updateMany({ where: { id: hintId, status: 'queued' }, data: { status: 'failed', error: `${category}: ${(error as Error).message}`.slice(0, 1_000) } });
        log.error({ category }, 'webhook hint refetch failed');
        return;
      } else throw error;
    }
    if (!record) {
      await this.db.webhookHint.updateMany({ where: { id: hintId, status: 'queued' }, data: { status: 'not_found', fetchedAt: new Date() } });
      return;
    }
    await this.ingest.ingest(source, { sourceName: source.name, defaultPhoneRegion: source.workspace.defaultPhoneRegion as CountryCode }, [record], {
      requestId: `hint_${hint.webhookId}`.slice(0, 128),
      log,
      commit: async (tx) => {
        await tx.webhookHint.update({ where: { id: hintId }, data: { status: 'fetched', fetchedAt: new Date() } });
      },
    });
  }
}
