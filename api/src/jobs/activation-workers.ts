import { PgBoss, type Db as JobDb } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Metrics } from '../metrics/registry.ts';
import { DEAD_LETTER_ENTITY } from '../dead-letters/service.ts';
import { categoryOf } from '../errors/problem.ts';
import { MAX_OBJECT_RECORDS_PER_BATCH } from '../brevo/client.ts';
import { OBJECT_ASSOCIATION_ENTITY, OBJECT_RECORD_ENTITY } from '../objects/service.ts';
import { EVENT_ENTITY } from '../events/service.ts';
import { RateLimitWait } from '../brevo/rate-limit.ts';
import type { ActivationItem, ActivationJob, EntityActivator, OutboxRow } from './activation.ts';

export const ACTIVATION_QUEUE = 'brevo-activation';
/** Outbox rows moved per relay transaction. */
const RELAY_BATCH = 5_000;
/**
 * Items per job, at most: the relay cuts jobs this size, and a job that starts takes in the jobs
 * of its group waiting behind it up to this size (batching by backlog). Contacts come in large
 * jobs so a backlog goes to Brevo as imports; events fill a few batch requests. Object records
 * and associations fill one Brevo batch upsert (1,000 records): Brevo counts those requests
 * against its slowest family (100 an hour on the general tier).
 */
const ITEMS_PER_JOB: Record<string, number> = {
  contact: 2_000,
  [EVENT_ENTITY]: 1_000,
  [OBJECT_RECORD_ENTITY]: MAX_OBJECT_RECORDS_PER_BATCH,
  [OBJECT_ASSOCIATION_ENTITY]: MAX_OBJECT_RECORDS_PER_BATCH,
};
const DEFAULT_ITEMS_PER_JOB = 50;
/**
 * Jobs run side by side in each process; a group (a workspace's entity type) runs one job at a
 * time across processes, as far as pg-boss's group concurrency holds (two fetches at the very
 * same moment may each start one: the shared rate budget still keeps Brevo's limits).
 */
const LOCAL_CONCURRENCY = 8;
const RELAY_IDLE_MS = 250;
/** Outbox entity types webhooks announce but nothing activates. */
const ANNOUNCED_ONLY = new Set([DEAD_LETTER_ENTITY]);
/** A running job's worker proves it is alive this often; a job without a heartbeat is retried. */
const HEARTBEAT_SECONDS = 10;

/**
 * Takes the oldest pending outbox rows of the types handled ($2), at most $1, marking them
 * processed (in the transaction that queues their jobs), skipping rows another relay holds.
 * One statement, the rows reached by primary key: a second statement updating the rows by an
 * `id = ANY(list)` filter read the whole outbox while the table had no statistics. In outbox
 * order, which jobs keep.
 */
export const RELAY_STATEMENT = `
  WITH taken AS (
    UPDATE activation_outbox SET processed_at = now()
    WHERE id = ANY(ARRAY(
      SELECT id FROM activation_outbox WHERE processed_at IS NULL AND entity_type = ANY($2::text[])
      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
    ))
    RETURNING *
  )
  SELECT id::text, workspace_id::text, entity_type, entity_id::text, operation, entity_version, external_id, replay, resend, created_at
  FROM taken ORDER BY id`;

/**
 * Opens the relay's transaction. Plain index scans only: the planner picks bitmap scans while the
 * outbox has no statistics, and a bitmap scan never marks the index entries of the row versions
 * relays made dead, so where nothing vacuums (PGlite; PostgreSQL with autovacuum off) each relay
 * would read again every row relayed before. Measured on PostgreSQL, a 2,000-row relay grew from
 * 7 to 15 ms over 50,000 relayed rows; with index scans it stays at about 8 ms.
 */
export const RELAY_BEGIN = 'BEGIN; SET LOCAL enable_bitmapscan = off';

/** The activator of each entity type the outbox carries ('contact', 'event', ...). */
export type Activators = Record<string, EntityActivator>;

/**
 * Other work the outbox carries, on the same job engine: webhook notifications (which announce
 * activated rows), sync jobs and webhook-hint refetches (whose rows are theirs alone).
 */
export interface OutboxConsumer {
  /** Outbox entity types that are this consumer's work only: they never become activation jobs. */
  readonly entityTypes: readonly string[];
  /** Creates its queues and starts its workers. */
  start(boss: PgBoss): Promise<void>;
  /** Queues its jobs for the relayed rows, inside the relay's transaction. */
  queue(rows: readonly OutboxRow[], tx: JobDb): Promise<number>;
}

/**
 * Activation on pg-boss. The relay moves outbox rows into jobs in one transaction (the rows are
 * marked processed in the same commit that creates the jobs: nothing lost, nothing doubled), and
 * workers carry the jobs out. A job that dies with its process is retried by pg-boss; the activator
 * skips what Brevo already has, so a retry changes nothing twice. The same transaction queues the
 * webhook notifications the rows announce, whose workers run on the same job engine.
 */
export class ActivationWorkers {
  #started = false;
  #stopping = false;
  #relay: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(
    private readonly boss: PgBoss,
    private readonly db: Db,
    private readonly activators: Activators,
    private readonly consumers: readonly OutboxConsumer[],
    private readonly log: Logger,
    private readonly metrics?: Metrics,
  ) {}

  /**
   * The outbox entity types this deployment carries out. Rows of any other type (written by a
   * release whose activator is not deployed yet) stay in the outbox, unrelayed:
   * turned into jobs they would fail ten times and be dropped, and the outbox row would be gone.
   */
  #handled(): string[] {
    return [...new Set([...Object.keys(this.activators), ...ANNOUNCED_ONLY, ...this.consumers.flatMap((consumer) => consumer.entityTypes)])];
  }

  static create(connectionString: string, db: Db, activators: Activators, consumers: readonly OutboxConsumer[], log: Logger, metrics?: Metrics) {
    // Supervision every few seconds finds the jobs of a worker that died (no heartbeat) and retries them.
    const boss = new PgBoss({ connectionString, max: 3, superviseIntervalSeconds: 5, monitorIntervalSeconds: 5 });
    boss.on('error', (error: Error) => log.error({ err: error, category: 'internal' }, 'job engine error'));
    return new ActivationWorkers(boss, db, activators, consumers, log, metrics);
  }

  async start() {
    await this.boss.start();
    const queue = { retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: 15 * 60, heartbeatSeconds: HEARTBEAT_SECONDS };
    await this.boss.createQueue(ACTIVATION_QUEUE, queue);
    // A queue created by an earlier release keeps its old settings otherwise.
    await this.boss.updateQueue(ACTIVATION_QUEUE, queue);
    await this.boss.work<ActivationJob>(
      ACTIVATION_QUEUE,
      { batchSize: 1, localConcurrency: LOCAL_CONCURRENCY, groupConcurrency: 1, pollingIntervalSeconds: 0.5 },
      async ([job]) => {
        if (!job) return;
        const activator = this.activators[job.data.entityType];
        // Failing the job keeps it, visible and retryable, until a deployment knows the type.
        if (!activator) throw new Error(`no activator for entity type '${job.data.entityType}'`);
        const log = this.log.child({ workspaceId: job.data.workspaceId, entityType: job.data.entityType, jobId: job.id });
        const size = ITEMS_PER_JOB[job.data.entityType] ?? DEFAULT_ITEMS_PER_JOB;
        // What the job's row carries, as it grows.
        let current = job.data.items.length >= size ? job.data : (await this.#takeIn(job.id, job.data, 0, size)).merged;
        const takeMore = async (minItems: number, maxItems: number) => {
          // Changes written since the last relay join the job rather than wait for it (up to 250 ms).
          // Only here: at every job's start it would make a trickle's jobs relay another
          // workspace's backlog first. A relay that fails here is the relay loop's to retry.
          await this.relayOnce().catch(() => undefined);
          const { merged, added } = await this.#takeIn(job.id, current, minItems, current.items.length + maxItems);
          current = merged;
          return added;
        };
        let report;
        try {
          report = await activator.run(current, { jobId: job.id, retryCount: job.retryCount, takeMore });
        } catch (error) {
          if (error instanceof RateLimitWait) {
            // The slot goes back at once: the work comes back when the budget allows, and
            // another group's work (or another family's) runs meanwhile.
            await this.boss.send(ACTIVATION_QUEUE, current, { startAfter: error.retryAt, group: { id: groupOf(current) } });
            log.info({ category: 'rate_limited', family: error.family, retryAt: error.retryAt, items: current.items.length }, 'activation job deferred until the rate limit allows');
            return { deferred: current.items.length, until: error.retryAt };
          }
          // Brevo out of retries (rate limits, outages) or our own failure: pg-boss retries the job.
          log.warn({ category: categoryOf(error), err: error }, 'activation job failed; retried');
          throw error;
        }
        log.debug(report, 'activation job done');
        this.metrics?.countActivation(report);
        return report;
      },
    );
    for (const consumer of this.consumers) await consumer.start(this.boss);
    this.#relay = this.#relayLoop();
    this.#started = true;
  }

  /** Started and not stopping: the relay and the job workers are at work (readiness). */
  running(): boolean {
    return this.#started && !this.#stopping;
  }

  /**
   * Batches by backlog: the job takes in the jobs of its group that wait behind it, so however the
   * relay cut the changes, a job carries what is pending: when it starts, up to its entity type's
   * job size; while it runs, when the activator asks (takeMore). Nothing is taken when fewer than
   * `minItems` wait, nor past `maxItems` in all. The items taken move into this job's own row in
   * the transaction that deletes their jobs: if the worker dies, pg-boss retries this job with all
   * of them. Jobs another worker is taking in (locked) are left to it.
   */
  async #takeIn(jobId: string, data: ActivationJob, minItems: number, maxItems: number): Promise<{ merged: ActivationJob; added: ActivationItem[] }> {
    return inTransaction(this.db.sql, async (client) => {
      const { rows } = await client.query<{ id: string; data: ActivationJob }>(
        `SELECT id, data FROM pgboss.job
         WHERE name = $1 AND group_id = $2 AND state = 'created' AND start_after <= now() AND id <> $3
         ORDER BY created_on, id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
        [ACTIVATION_QUEUE, groupOf(data), jobId],
      );
      const taken: string[] = [];
      let merged = data;
      let added: ActivationJob = { ...data, items: [] };
      for (const row of rows) {
        const next = mergeJobs(merged, row.data);
        if (next.items.length > maxItems) break;
        merged = next;
        added = mergeJobs(added, row.data);
        taken.push(row.id);
      }
      if (taken.length === 0 || added.items.length < minItems) return { merged: data, added: [] };
      await client.query('DELETE FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])', [ACTIVATION_QUEUE, taken]);
      await client.query('UPDATE pgboss.job SET data = $3 WHERE name = $1 AND id = $2', [ACTIVATION_QUEUE, jobId, JSON.stringify(merged)]);
      return { merged, added: added.items };
    });
  }

  /** Moves pending outbox rows into jobs; resolves with the number moved. */
  async relayOnce(): Promise<number> {
    const client = await this.db.sql.connect();
    try {
      await client.query(RELAY_BEGIN);
      const { rows } = await client.query<OutboxRow>(RELAY_STATEMENT, [RELAY_BATCH, this.#handled()]);
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const tx = { executeSql: (text: string, values?: unknown[]) => client.query(text, values) };
      // A dead letter's creation is only announced, never activated, and a consumer's own rows are its work alone.
      const owned = new Set(this.consumers.flatMap((consumer) => consumer.entityTypes));
      const jobs = toJobs(rows.filter((row) => !ANNOUNCED_ONLY.has(row.entity_type) && !owned.has(row.entity_type))).map((data) => ({ data, group: { id: groupOf(data) } }));
      if (jobs.length > 0) await this.boss.insert(ACTIVATION_QUEUE, jobs, { db: tx });
      for (const consumer of this.consumers) await consumer.queue(rows, tx);
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Relays at once instead of at the next poll (after a write, or in tests). */
  nudge() {
    this.#wake?.();
  }

  async #relayLoop() {
    while (!this.#stopping) {
      let moved = 0;
      try {
        moved = await this.relayOnce();
      } catch (error) {
        this.log.error({ err: error, category: 'internal' }, 'activation relay failed; retrying');
      }
      if (moved < RELAY_BATCH && !this.#stopping) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, RELAY_IDLE_MS);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }

  /**
   * Outbox rows this deployment handles and activation jobs waiting or running, for tests and readiness. One statement, so
   * one snapshot: read apart, a job could commit the outbox rows it makes and complete between the
   * two reads, and both would look empty.
   */
  async pending(): Promise<number> {
    const { rows } = await this.db.sql.query<{ count: string }>(
      `SELECT (SELECT count(*) FROM activation_outbox WHERE processed_at IS NULL AND entity_type = ANY($2::text[]))
            + (SELECT count(*) FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')) AS count`,
      [ACTIVATION_QUEUE, this.#handled()],
    );
    return Number(rows[0]!.count);
  }

  async stop() {
    this.#stopping = true;
    this.nudge();
    await this.#relay;
    await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}

/** The pg-boss group of a job: one workspace's entity type, carried out one job at a time. */
const groupOf = (job: Pick<ActivationJob, 'workspaceId' | 'entityType'>) => `${job.workspaceId}:${job.entityType}`;

/** Adds an item after the others; an entity's later item replaces its earlier one (a resend stays one). */
function addItem(items: Map<string, ActivationItem>, item: ActivationItem) {
  const resend = item.resend === true || items.get(item.entityId)?.resend === true;
  items.delete(item.entityId);
  items.set(item.entityId, { ...item, ...(resend ? { resend } : {}) });
}

/** The earlier of two ISO times, either of which may be absent (jobs queued before queuedAt existed). */
const earliest = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined || a <= b ? a : b);

/** One job carrying the items of both, the later job's after the earlier's. */
function mergeJobs(earlier: ActivationJob, later: ActivationJob): ActivationJob {
  const items = new Map(earlier.items.map((item) => [item.entityId, item]));
  for (const item of later.items) addItem(items, item);
  const queuedAt = earliest(earlier.queuedAt, later.queuedAt);
  return { ...earlier, items: [...items.values()], ...(queuedAt ? { queuedAt } : {}) };
}

/**
 * Groups outbox rows by workspace and entity type into jobs, in outbox order; an entity's later
 * row replaces its earlier one (the activator reads the entity's current state anyway).
 */
function toJobs(rows: OutboxRow[]): ActivationJob[] {
  const groups = new Map<string, { workspaceId: string; entityType: string; queuedAt: string; items: Map<string, ActivationItem> }>();
  for (const row of rows) {
    const key = groupOf({ workspaceId: row.workspace_id, entityType: row.entity_type });
    const written = row.created_at.toISOString();
    const group = groups.get(key) ?? { workspaceId: row.workspace_id, entityType: row.entity_type, queuedAt: written, items: new Map<string, ActivationItem>() };
    group.queuedAt = earliest(group.queuedAt, written)!;
    addItem(group.items, { entityId: row.entity_id, operation: row.operation, ...(row.external_id ? { externalId: row.external_id } : {}), ...(row.resend ? { resend: true } : {}) });
    groups.set(key, group);
  }
  const jobs: ActivationJob[] = [];
  for (const { workspaceId, entityType, queuedAt, items } of groups.values()) {
    const list = [...items.values()];
    const size = ITEMS_PER_JOB[entityType] ?? DEFAULT_ITEMS_PER_JOB;
    for (let i = 0; i < list.length; i += size) jobs.push({ workspaceId, entityType, items: list.slice(i, i + size), queuedAt });
  }
  return jobs;
}
