import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testSecrets } from '../support/app.ts';
import { buildApp, type App } from '../../api/src/app.ts';
import { createDb, type Db } from '../../api/src/db/client.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { pendingMigrations } from '../../api/src/db/migrate.ts';

const config = loadConfig({ LOG_LEVEL: 'silent' });

describe('/health and /ready', () => {
  let app: App;
  let db: Db;

  beforeAll(async () => {
    db = createDb(inject('databaseUrl'), 2);
    app = await buildApp({
      config,
      db,
      logger: { level: 'silent' },
      secrets: testSecrets(),
      readiness: [
        {
          name: 'migrations',
          async check() {
            const pending = await pendingMigrations(inject('databaseUrl'));
            return pending.length === 0 ? null : `pending: ${pending.join(', ')}`;
          },
        },
      ],
    });
  });
  afterAll(async () => {
    await app.close();
    await db.$disconnect();
  });

  it('/health answers without a key', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' });
    expect([response.statusCode, response.json()]).toEqual([200, { status: 'ok' }]);
  });

  it('/ready is ready when the database answers and migrations are current', async () => {
    const response = await app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true, detail: null }, migrations: { ok: true, detail: null } },
    });
  });

  it('/ready answers 503 naming each failing check', async () => {
    const unreachable = createDb('postgresql://nobody@127.0.0.1:1/none', 1);
    const broken = await buildApp({
      config,
      db: unreachable,
      logger: { level: 'silent' },
      secrets: testSecrets(),
      readiness: [{ name: 'migrations', check: async () => 'pending: 20990101000000_future' }],
    });
    const response = await broken.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(503);
    const body = response.json();
    expect(body.status).toBe('not_ready');
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.database.detail).toMatch(/database unreachable/);
    expect(body.checks.migrations).toEqual({ ok: false, detail: 'pending: 20990101000000_future' });
    await broken.close();
  });
});
