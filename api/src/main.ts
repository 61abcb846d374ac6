import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { applyMigrations, pendingMigrations } from './db/migrate.ts';
import { createDb } from './db/client.ts';
import { loggerOptions } from './logging.ts';
import { loadSecretBox } from './security/secret-box.ts';
import { createActivators, createOutboxConsumers } from './jobs/activators.ts';
import { ActivationWorkers } from './jobs/activation-workers.ts';
import { jobEngineCheck } from './jobs/readiness.ts';
import { Metrics } from './metrics/registry.ts';

const IDEMPOTENCY_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** The main job: the API on the configured database (embedded PostgreSQL by default). */
async function main() {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.LOG_LEVEL));

  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_DB_PORT });
  logger.info({ database: database.kind }, database.kind === 'embedded' ? `embedded PostgreSQL, data in ${config.DATA_DIR}` : 'PostgreSQL from DATABASE_URL');
  const { applied } = await applyMigrations(database.url, { log: (message) => logger.info(message) });
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const db = createDb(database.url, config.DATABASE_POOL_SIZE);
  const secrets = await loadSecretBox(config.TAJO_ENCRYPTION_KEY, config.DATA_DIR);
  if (secrets.source === 'data-dir') logger.warn(`vendor credentials and access tokens are sealed under a key kept in ${config.DATA_DIR}; set TAJO_ENCRYPTION_KEY in production, the same for every API and worker process`);
  // The API's routes and its in-process workers count into one registry, the one /metrics serves.
  const metrics = new Metrics();
  let workers: ActivationWorkers | null = null;
  const app = await buildApp({
    config,
    db,
    secrets: secrets.box,
    metrics,
    logger: loggerOptions(config.LOG_LEVEL),
    readiness: [
      jobEngineCheck(db, config.ACTIVATION_WORKERS === 'in-process' ? () => workers : null),
      {
        name: 'migrations',
        async check() {
          const pending = await pendingMigrations(database.url);
          return pending.length === 0 ? null : `pending migrations: ${pending.join(', ')}`;
        },
      },
    ],
  });

  const bootstrap = (await app.services.workspaces.count()) === 0
    ? await app.services.workspaces.createWithAdminKey({ name: 'Default workspace' })
    : null;

  // Expired Idempotency-Key records are taken over lazily on reuse; this keeps the table from growing.
  const purgeIdempotencyKeys = setInterval(() => {
    app.services.idempotency.purgeExpired().then(
      (count) => count > 0 && logger.info({ count }, 'expired idempotency keys purged'),
      (error: unknown) => logger.warn({ err: error, category: 'internal' }, 'purging expired idempotency keys failed'),
    );
  }, IDEMPOTENCY_PURGE_INTERVAL_MS).unref();

  if (config.ACTIVATION_WORKERS === 'in-process') {
    workers = ActivationWorkers.create(database.url, db, createActivators(db, app.services, logger), createOutboxConsumers(db, app.services, logger), logger, metrics);
    await workers.start();
  }

  closeWithGrace({ delay: 10_000, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err, category: 'internal' }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    clearInterval(purgeIdempotencyKeys);
    await app.close();
    await workers?.stop();
    await db.$disconnect();
    await database.stop();
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = config.PUBLIC_URL ?? `http://${config.HOST}:${port}`;
  const lines = [``, `Tajo API listening on ${url}`, `API reference: ${url}/docs`];
  if (bootstrap) {
    lines.push(
      ``,
      `First run: created workspace "${bootstrap.workspace.name}" with an admin API key.`,
      `It is shown only now; store it:`,
      ``,
      `  ${bootstrap.secret}`,
      ``,
      `Try: curl -H "X-API-Key: ${bootstrap.secret}" ${url}/v1/workspace`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Tajo failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
