/** A separate worker process (`npm run worker`) serves its own /metrics: what it activated is counted there. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_QUEUE } from '../../api/src/jobs/activation-workers.ts';
import { createWorkspace, withKey } from '../support/app.ts';
import { parseMetrics, scrape, valueOf } from '../support/metrics.ts';
import { startWorkerCrashRig, waitFor, type WorkerCrashRig } from '../support/worker.ts';

const CONTACTS = 40;
let rig: WorkerCrashRig;

beforeAll(async () => {
  rig = await startWorkerCrashRig('tajo_worker_metrics', [0, 2]);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

describe("a worker process's /metrics", () => {
  it('counts the activations and Brevo requests of that worker, which the API (running no workers) does not', async () => {
    const { t, brevo, workers } = rig;
    const ws = await createWorkspace(t.app);
    await rig.connect(ws);
    const { metricsUrl } = await workers.startServingMetrics();
    const base = metricsUrl.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);

    const records = Array.from({ length: CONTACTS }, (_, i) => ({ externalId: `wm:${i}`, email: `worker.metrics${i}@example.com` }));
    const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect(written.json<{ counts: { created: number } }>().counts.created).toBe(CONTACTS);
    // Brevo's states are written inside the job; the worker counts the job once it returns, and
    // pg-boss completes it after that: wait for the job too, not just the states.
    const unfinishedJobs = async () =>
      Number((await t.db.sql.query<{ count: string }>("SELECT count(*) FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry', 'active')", [ACTIVATION_QUEUE])).rows[0]!.count);
    await waitFor(async () => (await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })) === CONTACTS && (await unfinishedJobs()) === 0, 60_000, 'every contact to be activated');
    expect(brevo.state.contacts.size).toBe(CONTACTS);

    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const samples = parseMetrics(text);
    expect(valueOf(samples, 'tajo_records_total', { stage: 'activated', category: '' }), text).toBe(CONTACTS);
    const brevoRequests = samples.filter((sample) => sample.name === 'tajo_vendor_requests_total' && sample.labels.vendor === 'brevo' && sample.labels.status?.startsWith('2'));
    expect(brevoRequests.reduce((sum, sample) => sum + sample.value, 0)).toBeGreaterThan(0);
    // The API wrote the records but activated none of them: its registry says so.
    expect(valueOf(await scrape(t.app), 'tajo_records_total', { stage: 'activated', category: '' })).toBeUndefined();

    const unknown = await fetch(`${base}/v1/contacts`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(await unknown.json()).toMatchObject({ type: 'not_found', status: 404 });
  }, 120_000);
});
