/** /ready checks the job engine: in-process workers running, or else a live worker process on the database. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { createDb, type Db } from '../../api/src/db/client.ts';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { ActivationWorkers } from '../../api/src/jobs/activation-workers.ts';
import { jobEngineCheck } from '../../api/src/jobs/readiness.ts';
import { testSecrets } from '../support/app.ts';
import { freshDatabase, type ScratchDatabase } from '../support/scratch-database.ts';

describe('/ready and the job engine', () => {
  let database: ScratchDatabase;
  let db: Db;
  const log = pino({ level: 'silent' });
  const apps: App[] = [];

  beforeAll(async () => {
    database = await freshDatabase('tajo_ready');
    await applyMigrations(database.url);
    db = createDb(database.url, 2);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db.$disconnect();
    await database.drop();
  });

  async function appWith(check: ReturnType<typeof jobEngineCheck>) {
    const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db, secrets: testSecrets(), logger: { level: 'silent' }, readiness: [check] });
    apps.push(app);
    return async () => {
      const response = await app.inject({ method: 'GET', url: '/ready' });
      return { status: response.statusCode, jobs: response.json<{ checks: Record<string, { ok: boolean; detail: string | null }> }>().checks.jobs };
    };
  }

  const workersOn = () => ActivationWorkers.create(database.url, db, {}, [], log);

  it('with in-process workers: ready while they run, not ready before they start or once they stop', async () => {
    let workers: ActivationWorkers | null = null;
    const ready = await appWith(jobEngineCheck(db, () => workers));
    expect(await ready()).toEqual({ status: 503, jobs: { ok: false, detail: 'the in-process job workers are not running' } });
    workers = workersOn();
    await workers.start();
    expect(await ready()).toEqual({ status: 200, jobs: { ok: true, detail: null } });
    await workers.stop();
    expect(await ready()).toEqual({ status: 503, jobs: { ok: false, detail: 'the in-process job workers are not running' } });
  });

  it('with ACTIVATION_WORKERS=off: ready while some worker process is live in the job engine, not once none is', async () => {
    const ready = await appWith(jobEngineCheck(db, null));
    // The first test's workers have stopped: the engine's schema exists, but no instance is live.
    expect(await ready()).toEqual({ status: 503, jobs: { ok: false, detail: 'no job worker is running: start one (npm run worker)' } });
    const workers = workersOn();
    await workers.start();
    expect(await ready()).toEqual({ status: 200, jobs: { ok: true, detail: null } });
    await workers.stop();
    expect((await ready()).status).toBe(503);
  });

  it('with ACTIVATION_WORKERS=off: not ready on a database where the job engine never ran', async () => {
    const fresh = await freshDatabase('tajo_ready_fresh');
    await applyMigrations(fresh.url);
    const freshDb = createDb(fresh.url, 1);
    try {
      expect(await jobEngineCheck(freshDb, null).check()).toBe('the job engine has never run on this database: start a worker (npm run worker)');
    } finally {
      // Prisma never connected here, so its disconnect leaves the pg pool open.
      await freshDb.$disconnect();
      if (!freshDb.sql.ended) await freshDb.sql.end();
      await fresh.drop();
    }
  });
});
