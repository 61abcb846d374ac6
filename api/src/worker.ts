import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { createServices } from './app.ts';
import { ConfigError, loadConfig } from './config/config.ts';
import { openDatabase } from './db/database.ts';
import { pendingMigrations } from './db/migrate.ts';
import { createDb } from './db/client.ts';
import { loggerOptions } from './logging.ts';
import { loadSecretBox } from './security/secret-box.ts';
import { createActivators, createOutboxConsumers } from './jobs/activators.ts';
import { ActivationWorkers } from './jobs/activation-workers.ts';
import { Metrics } from './metrics/registry.ts';
import { serveWorkerMetrics } from './metrics/worker-server.ts';

/**
 * Activation and webhook delivery workers without the HTTP API (`npm run worker`), so API and
 * workers scale apart: run the API with ACTIVATION_WORKERS=off and as many of these as Brevo's
 * limits reward. They share the API's database (DATABASE_URL, or the embedded one a running API
 * serves) and its encryption key (TAJO_ENCRYPTION_KEY, or the key file in DATA_DIR). Each serves its
 * own /metrics and /health on WORKER_METRICS_PORT.
 */
async function worker() {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.LOG_LEVEL));
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_DB_PORT });
  // The API applies migrations at start-up; a worker running ahead of it would read tables that are not there yet.
  const pending = await pendingMigrations(database.url);
  if (pending.length > 0) throw new ConfigError(`The database has pending migrations (${pending.join(', ')}): start the API once to apply them, then the worker.`);

  const db = createDb(database.url, config.DATABASE_POOL_SIZE);
  const secrets = await loadSecretBox(config.TAJO_ENCRYPTION_KEY, config.DATA_DIR);
  // One registry for the services' vendor clients and the workers, served on the worker's own port.
  const metrics = new Metrics();
  const services = createServices(db, { config, secrets: secrets.box, log: logger, metrics });
  const workers = ActivationWorkers.create(database.url, db, createActivators(db, services, logger), createOutboxConsumers(db, services, logger), logger, metrics);
  const scrape = await serveWorkerMetrics(metrics, config.HOST, config.WORKER_METRICS_PORT).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    throw new ConfigError(`WORKER_METRICS_PORT ${config.WORKER_METRICS_PORT} is in use (another worker on this machine?): give each worker its own port, or 0 for a free one.`);
  });
  await workers.start();
  logger.info({ database: database.kind, pid: process.pid, metricsUrl: `${scrape.url}/metrics` }, 'activation worker started');

  closeWithGrace({ delay: 15_000, logger }, async ({ err, signal }) => {
    if (err) logger.error({ err, category: 'internal' }, 'worker shutting down after an error');
    else logger.info({ signal }, 'worker shutting down');
    await workers.stop();
    scrape.server.close();
    await db.$disconnect();
    await database.stop();
  });
}

worker().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `Tajo worker failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
