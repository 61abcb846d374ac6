/** Workato sources in tests: the Workato simulator beside the activation harness, and the API calls a test makes. */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { components } from '../../openapi/types.ts';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { SecretBox } from '../../api/src/security/secret-box.ts';
import type { BrevoSimulatorOptions } from '../../api/src/simulators/brevo/server.ts';
import { startWorkatoSimulator, type WorkatoSimulator, type WorkatoSimulatorOptions } from '../../api/src/simulators/workato/server.ts';
import { startActivationHarness, type ActivationHarness, type HarnessOptions } from './activation.ts';
import { createTestApp, withKey, type TestApp, type TestWorkspace } from './app.ts';
import { freshDatabase } from './scratch-database.ts';
import { waitFor, WorkerProcesses } from './worker.ts';

export const WORKATO_TOKEN = 'wrk_test_api_client_token_0001';

export interface SyncHarness extends ActivationHarness {
  workato: WorkatoSimulator;
}

/** The app and its workers reading the Workato simulator, activating into the Brevo simulator. */
export async function startSyncHarness(
  options: Partial<WorkatoSimulatorOptions> = {},
  { brevo = {}, ...harnessOptions }: HarnessOptions & { brevo?: Partial<BrevoSimulatorOptions> } = {},
): Promise<SyncHarness> {
  const workato = await startWorkatoSimulator({ tokens: [WORKATO_TOKEN], ...options });
  const harness = await startActivationHarness(brevo, { ...harnessOptions, workatoBaseUrl: workato.url, sync: { sliceMs: 5_000, stallAfterMs: 1_000 } });
  return {
    ...harness,
    workato,
    async close() {
      await harness.close();
      await workato.close();
    },
  };
}

export interface SyncCrashRig {
  t: TestApp;
  workato: WorkatoSimulator;
  workers: WorkerProcesses;
  close(): Promise<void>;
}

/** A database of its own, the app on it (no workers inside), the Workato simulator, and worker processes to kill and restart. */
export async function startSyncCrashRig(databasePrefix: string): Promise<SyncCrashRig> {
  const encryptionKey = randomBytes(32);
  const database = await freshDatabase(databasePrefix);
  await applyMigrations(database.url);
  const workato = await startWorkatoSimulator({ tokens: [WORKATO_TOKEN] });
  const t = await createTestApp(database.url, new SecretBox(encryptionKey), { workatoBaseUrl: workato.url });
  const workers = new WorkerProcesses(database.url, encryptionKey, { WORKATO_BASE_URL: workato.url });
  return {
    t,
    workato,
    workers,
    async close() {
      workers.killAll();
      await workato.close();
      await t.close();
      await database.drop();
    },
  };
}

export interface SourceView {
  id: string;
  hintPath: string;
  smokeTest: { status: string; failure: { category: string; detail: string } | null };
}

export interface SyncJobView {
  id: string;
  status: string;
  cursor: { messageId: string; time: string } | { page: string | null } | null;
  progress: components['schemas']['SyncJob']['progress'];
  lastError: { category: string; detail: string } | null;
  stalledSince: string | null;
}

type App = TestApp['app'];

export async function createSource(app: App, ws: TestWorkspace, body: Record<string, unknown>): Promise<SourceView> {
  const response = await app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<SourceView>();
}

export async function startJob(app: App, ws: TestWorkspace, sourceId: string, body: Record<string, unknown>): Promise<SyncJobView> {
  const response = await app.inject({ method: 'POST', url: `/v1/sources/${sourceId}/sync-jobs`, headers: withKey(ws.writeKey), payload: body });
  expect(response.statusCode, response.body).toBe(202);
  return response.json<SyncJobView>();
}

export async function getJob(app: App, ws: TestWorkspace, id: string): Promise<SyncJobView> {
  const response = await app.inject({ method: 'GET', url: `/v1/sync-jobs/${id}`, headers: withKey(ws.readKey) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<SyncJobView>();
}

export async function jobAction(app: App, ws: TestWorkspace, id: string, action: 'pause' | 'resume' | 'cancel' | 'replay', payload?: object) {
  return app.inject({ method: 'POST', url: `/v1/sync-jobs/${id}/${action}`, headers: withKey(ws.writeKey), ...(payload ? { payload } : {}) });
}

/** Waits for the job to satisfy `done`; returns it. */
export async function waitForJob(app: App, ws: TestWorkspace, id: string, done: (job: SyncJobView) => boolean, timeoutMs = 60_000): Promise<SyncJobView> {
  let job = await getJob(app, ws, id);
  await waitFor(async () => done((job = await getJob(app, ws, id))), timeoutMs, `sync job ${id} (last seen ${JSON.stringify({ status: job.status, cursor: job.cursor, progress: job.progress })})`);
  return job;
}

/**
 * A topic payload: a Workato record carrying a contact; every 33rd has an email no one can fix and no
 * phone (about 3% unmappable). Tests sharing a Brevo simulator give each topic an email domain of its
 * own: Brevo keys contacts by email, so another workspace writing the same address takes the Brevo
 * contact over (its ext_id becomes that workspace's).
 */
export function topicPayload(i: number, { version = 1, emailDomain = 'Example.COM' } = {}): Record<string, unknown> {
  const broken = i % 33 === 7;
  return {
    id: `cust-${i}`,
    email: broken ? `not-an-email-${i}` : `  Customer${i}@${emailDomain} `,
    first_name: `Name${i}`,
    plan: version === 1 ? 'free' : 'pro',
    updated_at: 1_732_350_000 + i,
  };
}

/** The mapping topic payloads take: the customer ID as external ID, the plan as a Brevo attribute, the rest in Tajo only. */
export const TOPIC_MAPPING = {
  externalId: '$string(id)',
  contact: '{"email": email, "firstName": first_name, "sourceUpdatedAt": updated_at, "attributes": {"PLAN": plan}}',
  tajoOnly: '{"rawUpdatedAt": updated_at}',
};

/** A fleet's vehicles: identified by VIN, with typed attributes, associated with their owner contacts. */
export const VEHICLE_TYPE = {
  name: 'vehicle',
  attributes: [
    { name: 'vin', type: 'text', required: true },
    { name: 'model', type: 'text' },
    { name: 'year', type: 'number' },
    { name: 'registered_on', type: 'date' },
    { name: 'electric', type: 'boolean' },
  ],
  externalIdRule: { kind: 'attribute', attribute: 'vin' },
  associations: ['contact'],
};

export async function createObjectType(app: App, ws: TestWorkspace, type: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/v1/object-types', headers: withKey(ws.adminKey), payload: type });
  expect(response.statusCode, response.body).toBe(201);
}

/** Every 33rd vehicle row (about 3%) has a year no one can read: its vehicle is dead-lettered, its owner still a contact. */
export const badVehicle = (i: number) => i % 33 === 5;

/** A data-table row: a vehicle and its owner. */
export const vehicleRow = (i: number, model = `Model ${i % 7}`) => ({
  vin: `VIN${String(i).padStart(6, '0')}`,
  owner_id: i,
  owner_email: `owner${i}@example.com`,
  model,
  year: badVehicle(i) ? 'unknown' : 2000 + (i % 25),
  registered_on: `2020-01-${String((i % 28) + 1).padStart(2, '0')}`,
  electric: i % 3 === 0 ? 'yes' : 'no',
});

/** The owner becomes a contact and the row a vehicle associated with it (by the contact's Tajo external ID). */
export const VEHICLE_MAPPING = {
  externalId: '$string(owner_id)',
  contact: '{"email": owner_email}',
  objects:
    '{"type": "vehicle", "attributes": {"vin": vin, "model": model, "year": year, "registered_on": registered_on, "electric": electric}, "associations": [{"objectType": "contact", "externalId": $source & ":" & $string(owner_id)}]}',
};
