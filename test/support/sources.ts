/** Workato sources in tests: the Workato simulator beside the activation harness, and the API calls a test makes. */
import { expect } from 'vitest';
import type { BrevoSimulatorOptions } from '../../api/src/simulators/brevo/server.ts';
import { startWorkatoSimulator, type WorkatoSimulator, type WorkatoSimulatorOptions } from '../../api/src/simulators/workato/server.ts';
import { startActivationHarness, type ActivationHarness, type HarnessOptions } from './activation.ts';
import { withKey, type TestApp, type TestWorkspace } from './app.ts';
import { waitFor } from './worker.ts';

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

export interface SourceView {
  id: string;
  hintPath: string;
  smokeTest: { status: string; failure: { category: string; detail: string } | null };
}

export interface SyncJobView {
  id: string;
  status: string;
  cursor: { messageId: string; time: string } | { page: string | null } | null;
  progress: { pages: number; recordsSeen: number; created: number; updated: number; unchanged: number; deadLettered: number; readCalls: number };
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
