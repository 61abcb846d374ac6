import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERAL_TIER_LIMITS } from '../../api/src/brevo/rate-limit.ts';
import { createWorkspace, withKey } from '../support/app.ts';
import { post } from './object-activation.support.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';

// Brevo's general tier on every family (contacts and events 10 requests a second; lists, folders,
// attributes and processes 100 an hour), with 20% of requests answered 429 and 5% 5xx: 10,000
// contacts, a list of 1,000 members and 1,000 events must end in Brevo exactly, within 5 minutes.
// Sized for a real PostgreSQL: CI runs it in its PostgreSQL pass.
const realPostgres = Boolean(process.env.DATABASE_URL);
const CONTACTS = 10_000;
const MEMBERS = 1_000;
const EVENTS = 1_000;

let harness: ActivationHarness;

beforeAll(async () => {
  if (realPostgres) harness = await startActivationHarness({ seed: 23, limits: GENERAL_TIER_LIMITS });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

describe.runIf(realPostgres)("activation at Brevo's general tier under faults", () => {
  it('10,000 contacts, a list of 1,000 members and 1,000 events converge exactly within 5 minutes', async () => {
    const { t, brevo } = harness;
    const ws = await createWorkspace(t.app);
    await harness.connect(ws, GENERAL_TIER_LIMITS);
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05, latencyMs: [0, 5] });
    const started = Date.now();

    for (let from = 0; from < CONTACTS; from += 1_000) {
      const records = Array.from({ length: 1_000 }, (_, k) => ({ externalId: `g:${from + k}`, email: `g${from + k}@example.com`, lastName: `L${from + k}` }));
      await post(harness, ws, '/v1/contacts/batch', { records });
    }
    const list = await post<{ id: string }>(harness, ws, '/v1/lists', { name: 'General tier' });
    await post(harness, ws, `/v1/lists/${list.id}/members/add`, { contacts: Array.from({ length: MEMBERS }, (_, i) => ({ externalId: `g:${i}` })) });
    const events = Array.from({ length: EVENTS }, (_, i) => ({ eventId: `ge:${i}`, name: 'order_created', occurredAt: '2026-11-20T10:00:00Z', contact: { externalId: `g:${i}` }, properties: { n: i } }));
    await post(harness, ws, '/v1/events/batch', { events });
    await harness.settle(5 * 60_000);
    const seconds = (Date.now() - started) / 1000;
    brevo.setFaults({});

    expect(seconds).toBeLessThan(300);
    for (let i = 0; i < CONTACTS; i += 1) expect(brevo.state.byExtId(`g:${i}`), `g:${i}`).toMatchObject({ email: `g${i}@example.com`, attributes: { LASTNAME: `L${i}` } });
    expect(brevo.state.contacts.size).toBe(CONTACTS);
    const brevoList = [...brevo.state.listStore.lists.values()].find((candidate) => candidate.name.startsWith('Tajo · General tier · '))!;
    expect([...brevo.state.contacts.values()].filter((contact) => contact.listIds.includes(brevoList.id))).toHaveLength(MEMBERS);
    const sent = brevo.state.events.filter((event) => event.identifiers.ext_id?.startsWith('g:'));
    expect(sent).toHaveLength(EVENTS);
    expect(new Set(sent.map((event) => JSON.stringify(event.event_properties))).size).toBe(EVENTS);
    const letters = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?status=open', headers: withKey(ws.readKey) });
    expect(letters.json<{ data: unknown[] }>().data).toEqual([]);
    // The storm was met (events take a handful of batch requests: they may all have gone through),
    // and no window went over Brevo's limits.
    for (const family of ['contacts', 'other'] as const) expect(brevo.state.count((r) => r.family === family && r.status >= 429), family).toBeGreaterThan(0);
    for (const family of ['contacts', 'events'] as const) {
      const perSecond = new Map<number, number>();
      for (const r of brevo.state.requests) if (r.family === family) perSecond.set(Math.floor(r.at / 1000), (perSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
      expect(Math.max(...perSecond.values()), family).toBeLessThanOrEqual(GENERAL_TIER_LIMITS[family].limit + 1);
    }
    expect(brevo.state.count((r) => r.family === 'other')).toBeLessThanOrEqual(GENERAL_TIER_LIMITS.other.limit);
  }, 6 * 60_000);
});

describe.runIf(brevoSpecAvailable && realPostgres)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
