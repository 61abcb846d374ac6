import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { waitFor } from '../support/worker.ts';
import type { WebhookEventType } from '../../api/src/webhooks/schemas.ts';
import { signatureValid, startCallbacks } from '../support/webhooks.ts';

interface Delivery {
  id: string;
  type: WebhookEventType;
  entityId: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

let harness: ActivationHarness;
let t: TestApp;
let callbacks: Awaited<ReturnType<typeof startCallbacks>>;

beforeAll(async () => {
  harness = await startActivationHarness();
  t = harness.t;
  callbacks = await startCallbacks();
}, 60_000);

afterAll(async () => {
  await callbacks?.close();
  await harness?.close();
});

const call = (key: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: withKey(key), ...(payload ? { payload } : {}) });

async function subscribe(ws: TestWorkspace, path: string, events: WebhookEventType[]) {
  const response = await call(ws.writeKey, 'POST', '/v1/webhooks', { url: callbacks.url(path), events });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; secret: string }>();
}

async function createContact(ws: TestWorkspace, externalId: string, extra: object = {}) {
  const response = await call(ws.writeKey, 'POST', '/v1/contacts', { externalId, email: `${externalId.replace(/\W/g, '')}@example.com`, ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ contact: { id: string } }>().contact.id;
}

const deliveries = async (ws: TestWorkspace, subscriptionId: string) =>
  (await call(ws.readKey, 'GET', `/v1/webhooks/${subscriptionId}/deliveries`)).json<{ data: Delivery[] }>().data;

const arrivals = (path: string, count: number, timeoutMs = 20_000) => waitFor(() => callbacks.received(path).length >= count, timeoutMs, `${count} notification(s) at ${path}`);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhook deliveries', () => {
  it('sends a signed contact.created, then contact.updated with the new data', async () => {
    const ws = await createWorkspace(t.app);
    const { id: subscriptionId, secret } = await subscribe(ws, '/contacts', ['contact.created', 'contact.updated']);
    const contactId = await createContact(ws, 'crm:ada', { firstName: 'Ada' });
    await arrivals('/contacts', 1);

    const [created] = callbacks.received('/contacts');
    expect(signatureValid(secret, created!)).toBe(true);
    expect(signatureValid(`whsec_${Buffer.alloc(32).toString('base64')}`, created!)).toBe(false);
    expect(created!.headers['content-type']).toBe('application/json');
    expect(Math.abs(Number(created!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    const contact = (await call(ws.readKey, 'GET', `/v1/contacts/${contactId}`)).json();
    expect(created!.notification).toEqual({ id: created!.headers['webhook-id'], type: 'contact.created', occurredAt: expect.any(String), workspaceId: ws.id, data: contact });

    expect((await call(ws.writeKey, 'PATCH', `/v1/contacts/${contactId}`, { firstName: 'Augusta' })).statusCode).toBe(200);
    await arrivals('/contacts', 2);
    const updated = callbacks.received('/contacts')[1]!;
    expect(signatureValid(secret, updated)).toBe(true);
    expect(updated.notification).toMatchObject({ type: 'contact.updated', data: { id: contactId, firstName: 'Augusta', version: 2 } });
    expect(updated.notification.id).not.toBe(created!.notification.id);

    await waitFor(async () => (await deliveries(ws, subscriptionId)).every((d) => d.status === 'delivered'), 5_000, 'deliveries recorded');
    expect(await deliveries(ws, subscriptionId)).toEqual([
      expect.objectContaining({ id: created!.notification.id, type: 'contact.created', entityId: contactId, attempts: 1, lastStatusCode: 200, lastError: null, deliveredAt: expect.any(String) }),
      expect.objectContaining({ id: updated.notification.id, type: 'contact.updated', entityId: contactId, attempts: 1, lastStatusCode: 200 }),
    ]);
  });

  it('sends nothing more to a subscription once it is deleted', async () => {
    const ws = await createWorkspace(t.app);
    const gone = await subscribe(ws, '/unsubscribed', ['contact.created', 'contact.updated']);
    await subscribe(ws, '/still-subscribed', ['contact.created', 'contact.updated']);
    const contactId = await createContact(ws, 'crm:bo');
    await arrivals('/unsubscribed', 1);
    expect((await call(ws.writeKey, 'DELETE', `/v1/webhooks/${gone.id}`)).statusCode).toBe(200);

    await call(ws.writeKey, 'PATCH', `/v1/contacts/${contactId}`, { firstName: 'Bo' });
    // The change reached the other subscription, so the relay has handled it: the deleted one got nothing.
    await arrivals('/still-subscribed', 2);
    await pause(1_500);
    expect(callbacks.received('/unsubscribed')).toHaveLength(1);
  });

  it('never attempts again a delivery that was retrying when its subscription was deleted', async () => {
    const ws = await createWorkspace(t.app);
    callbacks.answer('/retrying', ...Array<number>(20).fill(503));
    const { id } = await subscribe(ws, '/retrying', ['contact.created']);
    await createContact(ws, 'crm:retrying');
    await arrivals('/retrying', 1);
    expect((await call(ws.writeKey, 'DELETE', `/v1/webhooks/${id}`)).statusCode).toBe(200);
    const attempted = callbacks.received('/retrying').length;
    // Retries come 1-2 s, then 2-4 s apart here.
    await pause(6_000);
    expect(callbacks.received('/retrying')).toHaveLength(attempted);
  });

  it('retries 503s with backoff and records every attempt until delivered', async () => {
    const ws = await createWorkspace(t.app);
    callbacks.answer('/flaky', 503, 503);
    const { id, secret } = await subscribe(ws, '/flaky', ['contact.created']);
    await createContact(ws, 'crm:flaky');
    await arrivals('/flaky', 3, 30_000);
    const attempts = callbacks.received('/flaky');
    // One delivery ID throughout, each attempt signed afresh.
    expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
    expect(attempts.every((a) => signatureValid(secret, a))).toBe(true);
    await waitFor(async () => (await deliveries(ws, id))[0]?.status === 'delivered', 5_000, 'the delivery to be recorded');
    expect(await deliveries(ws, id)).toEqual([expect.objectContaining({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null })]);
    await pause(1_000);
    expect(callbacks.received('/flaky')).toHaveLength(3);
  });

  it('records a 400 as failed for good, without retrying', async () => {
    const ws = await createWorkspace(t.app);
    callbacks.answer('/refusing', 400, 400, 400);
    const { id } = await subscribe(ws, '/refusing', ['contact.created']);
    await createContact(ws, 'crm:refused');
    await waitFor(async () => (await deliveries(ws, id))[0]?.status === 'failed', 20_000, 'the delivery to fail');
    const [delivery] = await deliveries(ws, id);
    expect(delivery).toMatchObject({ attempts: 1, lastStatusCode: 400, deliveredAt: null });
    expect(delivery!.lastError).toContain('not retried');
    await pause(3_000);
    expect(callbacks.received('/refusing')).toHaveLength(1);
  });

  it('disables a subscription whose callback answers 410 Gone', async () => {
    const ws = await createWorkspace(t.app);
    callbacks.answer('/gone', 410);
    const { id } = await subscribe(ws, '/gone', ['contact.created', 'contact.updated']);
    const contactId = await createContact(ws, 'crm:gone');
    await waitFor(async () => (await call(ws.writeKey, 'GET', `/v1/webhooks/${id}`)).json<{ status: string }>().status === 'disabled', 20_000, 'the subscription to be disabled');
    await call(ws.writeKey, 'PATCH', `/v1/contacts/${contactId}`, { firstName: 'Gone' });
    await pause(2_000);
    expect(callbacks.received('/gone')).toHaveLength(1);
    expect((await deliveries(ws, id)).map((d) => [d.type, d.status, d.lastStatusCode])).toEqual([['contact.created', 'failed', 410]]);
  });

  it('announces deletion and erasure, an erased contact with nothing but its ID', async () => {
    const ws = await createWorkspace(t.app);
    await subscribe(ws, '/deleted', ['contact.deleted']);
    const deleted = await createContact(ws, 'crm:deleted');
    const erased = await createContact(ws, 'crm:erased', { firstName: 'Private', phone: '+14155550999' });
    expect((await call(ws.writeKey, 'DELETE', `/v1/contacts/${deleted}`)).statusCode).toBe(200);
    expect((await call(ws.adminKey, 'POST', `/v1/contacts/${erased}/erasure`)).statusCode).toBe(200);
    await arrivals('/deleted', 2);
    const data = callbacks.received('/deleted').map((r) => r.notification);
    expect(data.map((n) => [n.type, n.data])).toEqual(
      expect.arrayContaining([
        ['contact.deleted', { id: deleted, status: 'deleted' }],
        ['contact.deleted', { id: erased, status: 'erased' }],
      ]),
    );
    expect(callbacks.received('/deleted').map((r) => r.body).join()).not.toMatch(/Private|4155550999|crmerased/);
  });

  it('sends event.tracked with the event as its GET returns it, and only the types subscribed', async () => {
    const ws = await createWorkspace(t.app);
    await subscribe(ws, '/events', ['event.tracked']);
    await createContact(ws, 'shop:7001');
    const tracked = await call(ws.writeKey, 'POST', '/v1/events', { eventId: 'order:5001', name: 'order_created', contact: { externalId: 'shop:7001' }, properties: { total_cents: 4990 } });
    expect(tracked.statusCode, tracked.body).toBe(201);
    const eventId = tracked.json<{ event: { id: string } }>().event.id;
    await arrivals('/events', 1);
    const event = (await call(ws.readKey, 'GET', `/v1/events/${eventId}`)).json();
    expect(callbacks.received('/events').map((r) => r.notification)).toEqual([expect.objectContaining({ type: 'event.tracked', workspaceId: ws.id, data: event })]);
  });

  it('sends dead_letter.created when Brevo refuses a record for good, and no activation job for it', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    await subscribe(ws, '/dead-letters', ['dead_letter.created']);
    // Brevo refuses a second contact with the same SMS number.
    await createContact(ws, 'crm:sms1', { phone: '+14155550901' });
    await createContact(ws, 'crm:sms2', { phone: '+14155550901' });
    await arrivals('/dead-letters', 1, 30_000);
    const [letter] = (await call(ws.readKey, 'GET', '/v1/dead-letters')).json<{ data: { id: string }[] }>().data;
    expect(callbacks.received('/dead-letters').map((r) => r.notification)).toEqual([expect.objectContaining({ type: 'dead_letter.created', data: letter })]);
    await harness.settle();
    const { rows } = await t.db.sql.query(`SELECT count(*)::int AS count FROM pgboss.job WHERE data->>'entityType' = 'dead_letter'`);
    expect(rows[0]).toEqual({ count: 0 });
  });

  it('announces no replay: a Brevo backfill of unchanged contacts sends nothing', async () => {
    const ws = await createWorkspace(t.app);
    const { id } = await subscribe(ws, '/replays', ['contact.created', 'contact.updated']);
    await createContact(ws, 'crm:replayed');
    await arrivals('/replays', 1);
    // Connecting Brevo queues every contact it lacks again, unchanged.
    await harness.connect(ws);
    expect((await call(ws.writeKey, 'POST', '/v1/brevo/backfill')).statusCode).toBe(202);
    await harness.settle();
    await pause(1_000);
    expect(callbacks.received('/replays')).toHaveLength(1);
    expect(await deliveries(ws, id)).toHaveLength(1);
  });

  it('queues nothing for a workspace without subscriptions', async () => {
    const ws = await createWorkspace(t.app);
    await createContact(ws, 'crm:unheard');
    await harness.settle();
    expect(await t.db.webhookDelivery.count({ where: { workspaceId: ws.id } })).toBe(0);
  });
});
