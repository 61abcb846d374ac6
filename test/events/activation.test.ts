import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { waitFor } from '../support/worker.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { pino } from 'pino';
import { EventActivator } from '../../api/src/events/activation.ts';

let harness: ActivationHarness;
let t: TestApp;
let brevo: BrevoSimulator;

beforeAll(async () => {
  harness = await startActivationHarness();
  ({ t, brevo } = harness);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(() => brevo.setFaults({}));

async function trackBatch(ws: TestWorkspace, events: object[]) {
  const response = await t.app.inject({ method: 'POST', url: '/v1/events/batch', headers: withKey(ws.writeKey), payload: { events } });
  expect(response.statusCode, response.body).toBe(200);
  const body = response.json<{ counts: { created: number; rejected: number } }>();
  expect(body.counts.rejected).toBe(0);
  return body;
}

/** What identifies an event's content in Brevo, for comparing multisets of events. */
const key = (event: { event_name: string; event_date?: string; identifiers: object; event_properties?: object }) =>
  JSON.stringify([event.event_name, event.event_date, event.identifiers, event.event_properties ?? {}]);

/** The events the simulator holds for contacts whose ext_id starts with a prefix. */
const brevoEvents = (prefix: string) => brevo.state.events.filter((event) => event.identifiers.ext_id?.startsWith(prefix));

/** Tajo's events of a workspace, as Brevo should hold them. */
async function tajoEvents(ws: TestWorkspace, exceptIds: string[] = []) {
  const rows = await t.db.event.findMany({ where: { workspaceId: ws.id, eventId: { notIn: exceptIds } } });
  return rows.map((row) =>
    key({
      event_name: row.name,
      event_date: row.occurredAt.toISOString(),
      identifiers: { ext_id: row.contactExternalId!, ...(row.email ? { email_id: row.email } : {}) },
      event_properties: row.properties as object,
    }),
  );
}

const requeue = (ws: TestWorkspace, eventIds: string[]) =>
  t.db.activationOutbox.createMany({ data: eventIds.map((entityId) => ({ workspaceId: ws.id, entityType: 'event', entityId, operation: 'track', entityVersion: 1 })) });

const event = (prefix: string, i: number, extra: object = {}) => ({
  eventId: `${prefix}:${i}`,
  name: i % 3 === 0 ? 'order_created' : 'page_viewed',
  occurredAt: 1_795_425_300 + i,
  contact: { externalId: `${prefix}-c${i % 7}` },
  properties: { n: i, path: `/p/${i}`, items: [{ sku: `S${i}` }] },
  ...extra,
});

describe('event activation', () => {
  it('sends each job as one batch request, exactly once, and a re-run job sends nothing again', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const batchesBefore = brevo.state.count((r) => r.route === '/v3/events/batch');
    await trackBatch(ws, Array.from({ length: 120 }, (_, i) => event('once', i)));
    await settle();
    expect(brevoEvents('once-')).toHaveLength(120);
    expect(brevoEvents('once-').map(key).sort()).toEqual((await tajoEvents(ws)).sort());
    // 120 events: one job, one request (a batch takes up to 200).
    expect(brevo.state.count((r) => r.route === '/v3/events/batch') - batchesBefore).toBe(1);

    const requests = brevo.state.count();
    const rows = await t.db.event.findMany({ where: { workspaceId: ws.id }, select: { id: true } });
    await requeue(ws, rows.map((row) => row.id));
    await settle();
    expect(brevo.state.count()).toBe(requests);
    expect(brevoEvents('once-')).toHaveLength(120);

    // A single event goes out on POST /events, with its contact properties.
    await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: withKey(ws.writeKey),
      payload: { eventId: 'once:single', name: 'signed_up', occurredAt: '2026-11-23T10:00:00+01:00', contact: { externalId: 'once-solo', email: 'Solo@Example.com' }, contactProperties: { firstName: 'Solo' } },
    });
    await settle();
    expect(brevoEvents('once-solo')).toEqual([
      expect.objectContaining({ event_name: 'signed_up', event_date: '2026-11-23T09:00:00.000Z', identifiers: { ext_id: 'once-solo', email_id: 'solo@example.com' }, contact_properties: { FIRSTNAME: 'Solo' } }),
    ]);
  }, 60_000);

  it('after a worker died: re-sends what was not in flight, dead-letters what was (in doubt), and a retry of the letter sends it once', async () => {
    const ws = await createWorkspace(t.app);
    // Tracked before the workspace is connected: nothing is sent yet.
    await trackBatch(ws, [event('crash', 1), event('crash', 2), event('crash', 3)]);
    await settle();
    await harness.connect(ws);
    const rows = await t.db.event.findMany({ where: { workspaceId: ws.id }, orderBy: { eventId: 'asc' } });
    const [claimed, sending, accepted] = rows;
    const longAgo = new Date(Date.now() - 60 * 60_000);
    // What a run killed an hour ago left behind: one claimed (not yet sent), one in flight, one accepted.
    await t.db.brevoEventState.createMany({
      data: [
        { eventId: claimed!.id, workspaceId: ws.id, status: 'claimed', claimedAt: longAgo },
        { eventId: sending!.id, workspaceId: ws.id, status: 'sending', claimedAt: longAgo },
        { eventId: accepted!.id, workspaceId: ws.id, status: 'accepted', claimedAt: longAgo, settledAt: longAgo },
      ],
    });
    await requeue(ws, rows.map((row) => row.id));
    await settle();
    expect(brevoEvents('crash-').map((e) => e.event_properties?.n)).toEqual([1]);

    const letters = await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: withKey(ws.readKey) });
    const [letter, ...others] = letters.json<{ data: { id: string; entityType: string; sourceObjectId: string; category: string; reason: string }[] }>().data;
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ entityType: 'event', sourceObjectId: 'crash:2', category: 'vendor_unavailable' });
    expect(letter!.reason).toContain('in doubt');

    const retried = await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter!.id}/retry`, headers: withKey(ws.writeKey) });
    expect(retried.json()).toMatchObject({ status: 'retried' });
    await settle();
    expect(brevoEvents('crash-').map((e) => e.event_properties?.n)).toEqual([1, 2]);
    // Retrying again (the event is accepted now) sends nothing.
    await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter!.id}/retry`, headers: withKey(ws.writeKey) });
    await settle();
    expect(brevoEvents('crash-')).toHaveLength(2);
    expect(await t.db.brevoEventState.groupBy({ by: ['status'], where: { workspaceId: ws.id }, _count: true, orderBy: { status: 'asc' } })).toEqual([
      { status: 'accepted', _count: 3 },
    ]);
  }, 60_000);

  it('leaves events another job holds to it, failing the job so it comes back; a retry of the holding job takes over at once', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const activator = new EventActivator(t.db, t.app.services.brevoAccounts, t.app.services.deadLetters, pino({ level: 'silent' }));
    const data = (eventId: string) => ({ workspaceId: ws.id, eventId, name: 'held', occurredAt: new Date(), contactExternalId: `held-${eventId}`, contentHash: eventId, payload: {} });
    const inFlight = await t.db.event.create({ data: data('in-flight') });
    const claimed = await t.db.event.create({ data: data('claimed') });
    // What the run of job-1, killed a moment ago, left: one event in flight, one claimed.
    await t.db.brevoEventState.createMany({
      data: [
        { eventId: inFlight.id, workspaceId: ws.id, status: 'sending', claimedBy: 'job-1' },
        { eventId: claimed.id, workspaceId: ws.id, status: 'claimed', claimedBy: 'job-1' },
      ],
    });
    const job = { workspaceId: ws.id, entityType: 'event', items: [{ entityId: inFlight.id, operation: 'track' }, { entityId: claimed.id, operation: 'track' }] };
    await expect(activator.run(job, { jobId: 'job-2' })).rejects.toThrow('2 event(s) of this job are held by another activation run');
    expect(await activator.run(job, { jobId: 'job-1' })).toEqual({ activated: 1, deleted: 0, skipped: 0, deadLettered: 1 });
    expect(brevoEvents('held-').map((event) => event.identifiers.ext_id)).toEqual(['held-claimed']);
    expect(await t.db.deadLetter.findMany({ where: { workspaceId: ws.id }, select: { sourceObjectId: true, category: true } })).toEqual([
      { sourceObjectId: 'in-flight', category: 'vendor_unavailable' },
    ]);
    // Run again (any job): nothing more is sent or dead-lettered.
    expect(await activator.run(job, { jobId: 'job-3' })).toEqual({ activated: 0, deleted: 0, skipped: 2, deadLettered: 0 });
  });

  it('ends with Brevo equal to Tajo under 20% 429s and 5% 5xx; events Brevo refuses become dead letters with its reason', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    brevo.state.write({ email: 'load-one@example.com', extId: 'load-one' }, true);
    brevo.state.write({ email: 'load-two@example.com', extId: 'load-two' }, true);
    const count = 1000;
    // Three events name two different Brevo contacts at once (ext_id of one, email of the other): Brevo refuses them.
    const refusedIds = ['load:17', 'load:180', 'load:533'];
    const events = Array.from({ length: count }, (_, i) =>
      refusedIds.includes(`load:${i}`) ? event('load', i, { contact: { externalId: 'load-one', email: 'load-two@example.com' } }) : event('load', i),
    );
    // The first requests all answered 429, so the faults are met whatever the seed: a job carries
    // up to 1,000 events, and a handful of batch requests might otherwise all go through.
    brevo.setFaults({ rateLimited: 1 });
    for (let i = 0; i < count; i += 500) await trackBatch(ws, events.slice(i, i + 500));
    await waitFor(() => brevo.state.count((r) => r.status === 429) > 0, 30_000, 'a 429');
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05, latencyMs: [0, 10] });
    await settle(120_000);
    brevo.setFaults({});

    const sent = brevoEvents('load-');
    expect(sent).toHaveLength(count - refusedIds.length);
    expect(sent.map(key).sort()).toEqual((await tajoEvents(ws, refusedIds)).sort());

    const letters = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters?limit=200', headers: withKey(ws.readKey) })).json<{
      data: { sourceObjectId: string; category: string; reason: string; request: { body: { identifiers: object } } }[];
    }>().data;
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual([...refusedIds].sort());
    for (const letter of letters) {
      expect(letter).toMatchObject({ category: 'validation', request: { body: { identifiers: { ext_id: 'load-one', email_id: 'load-two@example.com' } } } });
      expect(letter.reason).toContain('belong to different contacts');
    }
    const states = await t.db.brevoEventState.groupBy({ by: ['status'], where: { workspaceId: ws.id }, _count: true, orderBy: { status: 'asc' } });
    expect(states).toEqual([
      { status: 'accepted', _count: count - refusedIds.length },
      { status: 'rejected', _count: refusedIds.length },
    ]);
  }, 180_000);
});

const settle = (timeoutMs?: number) => harness.settle(timeoutMs);

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it (POST /events/batch checked as Brevo documents it)', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
