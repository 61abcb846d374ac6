import type { Db } from '../db/client.ts';
import type { ReadinessCheck } from '../health/routes.ts';
import { JOB_SCHEMA } from '../metrics/database.ts';
import type { ActivationWorkers } from './activation-workers.ts';

/**
 * The job engine, for /ready. With in-process workers: they are running. Without them (separate
 * `npm run worker` processes): pg-boss's instance registry holds a live instance, one that has
 * not stopped and whose heartbeat is recent (pg-boss reads three missed beats as gone).
 */
export function jobEngineCheck(db: Db, inProcess: (() => ActivationWorkers | null) | null): ReadinessCheck {
  return {
    name: 'jobs',
    async check() {
      if (inProcess) return inProcess()?.running() ? null : 'the in-process job workers are not running';
      const [registry] = (await db.sql.query<{ present: boolean }>(`SELECT to_regclass('${JOB_SCHEMA}.instance') IS NOT NULL AS present`)).rows;
      if (!registry!.present) return 'the job engine has never run on this database: start a worker (npm run worker)';
      const { rows } = await db.sql.query<{ live: number }>(
        `SELECT count(*)::int AS live FROM ${JOB_SCHEMA}.instance
         WHERE stopped_on IS NULL AND heartbeat_on >= now() - heartbeat_seconds * 3 * interval '1 second'`,
      );
      return rows[0]!.live > 0 ? null : 'no job worker is running: start one (npm run worker)';
    },
  };
}
