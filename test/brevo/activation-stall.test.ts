import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../api/src/alerts/service.ts';
import { ACTIVATION_QUEUE } from '../../api/src/jobs/activation-workers.ts';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { GENEROUS_LIMITS, startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { waitFor } from '../support/worker.ts';

// Brevo's slowest family spent for an hour: the work that needs it waits outside the worker slots
// and comes back when Brevo's window resets, other families go on meanwhile, and the stall shows
// (the alert, the family and until when).
let h: ActivationHarness;

/** The hourly family at 4 requests: the connection's smoke test and the list's folder and list take them. */
const TINY_HOURLY_FAMILY = { ...GENEROUS_LIMITS, other: { limit: 4, windowSeconds: 3600 } };

beforeAll(async () => {
  h = await startActivationHarness({ limits: TINY_HOURLY_FAMILY });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const get = async <T>(ws: TestWorkspace, url: string) => (await h.t.app.inject({ method: 'GET', url, headers: withKey(ws.readKey) })).json<T>();
const alert = async (ws: TestWorkspace) => (await get<{ data: Alert[] }>(ws, '/v1/alerts')).data.find((candidate) => candidate.name === 'activation_stalled')!;

interface RateLimitStatus {
  family: string;
  available: number;
  blockedUntil: string | null;
}

describe('a Brevo family spent until its reset', () => {
  it('waits for its reset outside the worker slots while other families go on; the stall is shown and alerted', async () => {
    const { t, brevo, workers } = h;
    const ws = await createWorkspace(t.app);
    await h.connect(ws, TINY_HOURLY_FAMILY);
    for (let i = 0; i < 3; i += 1) {
      const list = await t.app.inject({ method: 'POST', url: '/v1/lists', headers: withKey(ws.writeKey), payload: { name: `Spent ${i}` } });
      expect(list.statusCode, list.body).toBe(201);
    }
    // The budget knows the family's 4 requests are spent: the list jobs wait for its window to
    // reset, an hour away, as jobs to come (not in a worker slot), without drawing a 429.
    const hourly = async () => (await get<{ rateLimits: RateLimitStatus[] }>(ws, '/v1/brevo/activation')).rateLimits.find((limit) => limit.family === 'other')!;
    await waitFor(async () => (await hourly()).available === 0 && (await workers.pending()) > 0 && (await activeJobs()) === 0, 30_000, 'the list jobs to be deferred');
    expect(brevo.state.count((r) => r.family === 'other')).toBe(4);
    expect(brevo.state.count((r) => r.status === 429)).toBe(0);
    const status = await get<{ rateLimits: RateLimitStatus[] }>(ws, '/v1/brevo/activation');
    const other = status.rateLimits.find((limit) => limit.family === 'other')!;
    expect(Date.parse(other.blockedUntil!) - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(status.rateLimits.find((limit) => limit.family === 'contacts')).toMatchObject({ blockedUntil: null });

    // A smoke test of the connection (on that family) answers 429, saying when to come back.
    const smoke = await t.app.inject({ method: 'POST', url: '/v1/brevo/connection/test', headers: withKey(ws.adminKey) });
    expect(smoke.statusCode, smoke.body).toBe(429);
    expect(smoke.headers['content-type']).toContain('application/problem+json');
    expect(Number(smoke.headers['retry-after'])).toBeGreaterThan(50 * 60);

    // Contacts (their own family) go on meanwhile.
    const contact = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId: 'meanwhile', email: 'meanwhile@example.com' } });
    expect(contact.statusCode, contact.body).toBeLessThan(300);
    await waitFor(() => brevo.state.byExtId('meanwhile') !== undefined, 30_000, 'the contact to reach Brevo');

    expect(await alert(ws)).toMatchObject({ firing: false, value: 0 });
    // Ten minutes on, as if the clock had moved: the lists have waited that long with nothing done.
    await t.db.sql.query(
      `UPDATE pgboss.job SET data = jsonb_set(data, '{queuedAt}', to_jsonb((now() - interval '20 minutes')::text)) WHERE name = $1 AND data->>'workspaceId' = $2`,
      [ACTIVATION_QUEUE, ws.id],
    );
    // The lists' queue, and the list-membership sync the new contact queued (it needs the same family).
    const stalled = await alert(ws);
    expect(stalled).toMatchObject({ firing: true, severity: 'critical' });
    expect(stalled.value).toBeGreaterThanOrEqual(1);

    // The fix the runbook gives: a plan with room (the connection stored with its limits); the lists go, and the alert clears.
    brevo.setLimits(GENEROUS_LIMITS);
    await h.connect(ws, GENEROUS_LIMITS);
    await waitFor(async () => brevo.state.listStore.lists.size >= 3, 30_000, 'the lists to reach Brevo');
    await waitFor(async () => !(await alert(ws)).firing, 30_000, 'the alert to clear');
  }, 120_000);
});

/** Activation jobs a worker is running now. */
async function activeJobs() {
  const { rows } = await h.t.db.sql.query<{ count: string }>(`SELECT count(*) FROM pgboss.job WHERE name = $1 AND state = 'active'`, [ACTIVATION_QUEUE]);
  return Number(rows[0]!.count);
}
