import { randomBytes } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { inject } from 'vitest';
import { SecretBox } from '../../api/src/security/secret-box.ts';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { createDb, type Db } from '../../api/src/db/client.ts';
import { loggerOptions } from '../../api/src/logging.ts';

/** A throwaway credentials key: what tests seal is never read by another process. */
export const testSecrets = () => new SecretBox(randomBytes(32));

export interface TestApp {
  app: App;
  db: Db;
  close(): Promise<void>;
}

export interface TestAppOptions {
  workatoBaseUrl?: string;
  /** Where the app's log lines go, every level, as production writes them; silent otherwise. */
  logStream?: DestinationStream;
}

/** The real app on the run's database (or the one given), called in-process with app.inject(). */
export async function createTestApp(databaseUrl = inject('databaseUrl'), secrets = testSecrets(), options: TestAppOptions = {}): Promise<TestApp> {
  const db = createDb(databaseUrl, 4);
  const app = await buildApp({
    // Tests' webhook callbacks listen on 127.0.0.1; Workato is the simulator's, when a test runs one.
    config: loadConfig({ LOG_LEVEL: 'silent', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', ...(options.workatoBaseUrl ? { WORKATO_BASE_URL: options.workatoBaseUrl } : {}) }),
    db,
    secrets,
    // Quick retries, so fault-injection tests run in seconds.
    brevo: { retry: { maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 100 }, timeoutSeconds: 2 },
    workato: { retry: { attempts: 6, baseDelayMs: 5, maxDelayMs: 100 }, timeoutMs: 5_000 },
    logger: options.logStream ? { ...loggerOptions('debug'), stream: options.logStream } : { level: 'silent' },
  });
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.$disconnect();
    },
  };
}

export interface TestWorkspace {
  id: string;
  adminKey: string;
  writeKey: string;
  readKey: string;
}

/** A fresh workspace per test keeps tests independent on one shared database. */
export async function createWorkspace(app: App, settings: { defaultPhoneRegion?: string; sourceName?: string } = {}): Promise<TestWorkspace> {
  const { workspace, secret: adminKey } = await app.services.workspaces.createWithAdminKey({ name: 'Test workspace', ...settings });
  const keyWith = async (scope: 'read' | 'write') =>
    (await app.services.apiKeys.create(workspace.id, { name: `${scope} key`, scopes: [scope] })).secret;
  return { id: workspace.id, adminKey, writeKey: await keyWith('write'), readKey: await keyWith('read') };
}

export const withKey = (key: string, headers: Record<string, string> = {}) => ({ 'x-api-key': key, ...headers });
