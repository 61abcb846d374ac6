import type { Db } from '../db/client.ts';
import type { AlertService } from '../alerts/service.ts';
import type { Metrics } from './registry.ts';

/** pg-boss's schema: the job engine runs with its default. */
export const JOB_SCHEMA = 'pgboss';

const rows = async <T extends object>(db: Db, sql: string): Promise<T[]> => (await db.sql.query<T>(sql)).rows;

/**
 * Sets the gauges that describe shared state (job queues, sync jobs, dead letters, alerts) from the
 * database at scrape time: right whichever API or worker process did the work. Each is reset first,
 * so a queue or source that went away leaves no stale series.
 */
export async function readDatabaseGauges(db: Db, metrics: Metrics, alerts: AlertService) {
  const [engine] = await rows<{ present: boolean }>(db, `SELECT to_regclass('${JOB_SCHEMA}.job') IS NOT NULL AS present`);
  const [queues, lags, rejections, deadLetters, rateLimits, firing] = await Promise.all([
    // The job engine's schema is created by the first process that starts workers.
    engine!.present
      ? rows<{ name: string; depth: number; oldest: number }>(
          db,
          `SELECT q.name, count(j.id)::int AS depth,
                  COALESCE(EXTRACT(EPOCH FROM now() - min(j.start_after) FILTER (WHERE j.start_after <= now())), 0)::float8 AS oldest
           FROM ${JOB_SCHEMA}.queue q LEFT JOIN ${JOB_SCHEMA}.job j ON j.name = q.name AND j.state IN ('created', 'retry')
           GROUP BY q.name`,
        )
      : [],
    rows<{ source_id: string; kind: string; lag: number; stalled: number }>(
      db,
      `SELECT source_id::text, kind, max(EXTRACT(EPOCH FROM now() - COALESCE(cursor_advanced_at, started_at)))::float8 AS lag,
              count(*) FILTER (WHERE stalled_since IS NOT NULL)::int AS stalled
       FROM sync_jobs WHERE status = 'running' GROUP BY source_id, kind`,
    ),
    rows<{ reason: string; count: number }>(db, 'SELECT reason, count(*)::int AS count FROM webhook_hint_rejections GROUP BY reason'),
    rows<{ category: string; count: number }>(db, `SELECT category, count(*)::int AS count FROM dead_letters WHERE status = 'open' GROUP BY category`),
    rows<{ id: string; at: number; remaining: number | null }>(
      db,
      `SELECT id::text, EXTRACT(EPOCH FROM rate_limited_at)::float8 AS at, (rate_limit->>'remaining')::float8 AS remaining
       FROM sources WHERE rate_limited_at IS NOT NULL`,
    ),
    alerts.evaluate(null),
  ]);

  metrics.queueDepth.reset();
  metrics.queueOldestAge.reset();
  for (const queue of queues) {
    metrics.queueDepth.set({ queue: queue.name }, queue.depth);
    metrics.queueOldestAge.set({ queue: queue.name }, queue.oldest);
  }
  metrics.cursorLag.reset();
  for (const job of lags) metrics.cursorLag.set({ source_id: job.source_id, kind: job.kind }, job.lag);
  metrics.stalledJobs.set(lags.reduce((sum, job) => sum + job.stalled, 0));
  metrics.hintRejections.reset();
  for (const { reason, count } of rejections) metrics.hintRejections.set({ reason }, count);
  metrics.openDeadLetters.reset();
  for (const { category, count } of deadLetters) metrics.openDeadLetters.set({ category }, count);
  metrics.workatoRateLimitedAt.reset();
  metrics.workatoRemaining.reset();
  for (const source of rateLimits) {
    metrics.workatoRateLimitedAt.set({ source_id: source.id }, source.at);
    if (source.remaining !== null) metrics.workatoRemaining.set({ source_id: source.id }, source.remaining);
  }
  for (const alert of firing) metrics.alertFiring.set({ name: alert.name }, alert.firing ? 1 : 0);
}
