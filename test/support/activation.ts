import { pino, type DestinationStream } from 'pino';
import { expect } from 'vitest';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { loggerOptions } from '../../api/src/logging.ts';
import { ActivationWorkers } from '../../api/src/jobs/activation-workers.ts';
import { createActivators, createOutboxConsumers } from '../../api/src/jobs/activators.ts';
import { startBrevoSimulator, type BrevoSimulator, type BrevoSimulatorOptions } from '../../api/src/simulators/brevo/server.ts';
import type { SyncWorkerOptions } from '../../api/src/sync/workers.ts';
import type { ObjectActivationOptions } from '../../api/src/brevo/object-activation.ts';
import { createTestApp, withKey, type TestApp, type TestWorkspace } from './app.ts';
import { BrevoSpecValidator, brevoSpecAvailable } from './brevo-spec.ts';
import { freshDatabase, type ScratchDatabase } from './scratch-database.ts';

export const BREVO_KEY = 'xkeysib-simulated-account-0001';

/** Generous limits for tests about correctness; the limiter has its own tests. */
export const GENEROUS_LIMITS = { contacts: { limit: 1000, windowSeconds: 1 }, events: { limit: 1000, windowSeconds: 1 }, other: { limit: 1000, windowSeconds: 1 } };
/** Contacts at Brevo's general tier (10 requests a second), the rest generous: more contacts waiting than that go as an import. */
export const GENERAL_TIER_CONTACTS = { ...GENEROUS_LIMITS, contacts: { limit: 10, windowSeconds: 1 } };

/** Connects the workspace to the simulator through the API (the credential smoke test included). */
export async function connectToSimulator(app: TestApp['app'], ws: TestWorkspace, brevo: BrevoSimulator, limits: object = GENEROUS_LIMITS) {
  const response = await app.inject({ method: 'PUT', url: '/v1/brevo/connection', headers: withKey(ws.adminKey), payload: { apiKey: BREVO_KEY, baseUrl: brevo.baseUrl, limits } });
  expect(response.statusCode, response.body).toBe(200);
}

/** A Brevo simulator whose every request is checked against Brevo's published spec (when ../shared is there). */
export async function startCheckedSimulator(options: Partial<BrevoSimulatorOptions> = {}) {
  const validator = brevoSpecAvailable ? new BrevoSpecValidator() : null;
  const brevo = await startBrevoSimulator({
    apiKeys: [BREVO_KEY],
    limits: GENEROUS_LIMITS,
    ...(validator ? { onRequest: (request) => validator.check(request) } : {}),
    ...options,
  });
  return { brevo, validator };
}

export interface HarnessOptions {
  /** Where the app's and the workers' log lines go, every level; silent otherwise. */
  logStream?: DestinationStream;
}

export interface ActivationHarness {
  t: TestApp;
  brevo: BrevoSimulator;
  workers: ActivationWorkers;
  /** Checks every request the simulator receives against Brevo's spec; null when ../shared is absent. */
  validator: BrevoSpecValidator | null;
  databaseUrl: string;
  /** Connects the workspace to the simulator through the API (the credential smoke test included). */
  connect(ws: TestWorkspace, limits?: object): Promise<void>;
  /** Waits until the outbox is empty and no activation job is waiting or running. */
  settle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The app, activation workers and a Brevo simulator on a database of their own: outbox relays of
 * two test files on one database would take each other's rows.
 */
export async function startActivationHarness(
  simulator: Partial<BrevoSimulatorOptions> = {},
  options: HarnessOptions & { workatoBaseUrl?: string; sync?: Partial<SyncWorkerOptions>; objects?: Partial<ObjectActivationOptions> } = {},
): Promise<ActivationHarness> {
  const database: ScratchDatabase = await freshDatabase('tajo_activation');
  await applyMigrations(database.url);
  const t = await createTestApp(database.url, undefined, {
    ...(options.workatoBaseUrl ? { workatoBaseUrl: options.workatoBaseUrl } : {}),
    ...(options.logStream ? { logStream: options.logStream } : {}),
  });
  const { brevo, validator } = await startCheckedSimulator(simulator);
  const log = options.logStream ? pino(loggerOptions('debug'), options.logStream) : pino({ level: 'silent' });
  // Webhook retries a second apart (doubling), so retry tests run in seconds.
  const consumers = createOutboxConsumers(t.db, t.app.services, log, { webhooks: { retryDelaySeconds: 1 }, ...(options.sync ? { sync: options.sync } : {}) });
  const workers = ActivationWorkers.create(database.url, t.db, createActivators(t.db, t.app.services, log, options.objects), consumers, log, t.app.services.metrics);
  await workers.start();
  return {
    t,
    brevo,
    workers,
    validator,
    databaseUrl: database.url,
    connect: (ws, limits) => connectToSimulator(t.app, ws, brevo, limits),
    async settle(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        workers.nudge();
        if ((await workers.pending()) === 0) return;
        if (Date.now() > deadline) throw new Error('activation did not settle');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      await workers.stop();
      await brevo.close();
      await t.close();
      await database.drop();
    },
  };
}
