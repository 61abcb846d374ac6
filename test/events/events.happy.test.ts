import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

interface EventBody {
  id: string;
  eventId: string;
  name: string;
  occurredAt: string;
  contact: { externalId: string | null; email: string | null; phone: string | null };
  properties: Record<string, unknown>;
  contactProperties: Record<string, unknown>;
}
interface BatchBody {
  results: { index: number; status: string; id: string | null; eventId: string | null; errors: { field: string; reason: string }[] }[];
  counts: { created: number; unchanged: number; rejected: number };
}

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app, { defaultPhoneRegion: 'DE' });
});
afterAll(() => t.close());

const track = (payload: unknown, key = ws.writeKey, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/events', headers: withKey(key, headers), payload: payload as object });
const batch = (events: unknown[]) => t.app.inject({ method: 'POST', url: '/v1/events/batch', headers: withKey(ws.writeKey), payload: { events } });
const outbox = (workspaceId = ws.id) => t.db.activationOutbox.count({ where: { workspaceId, entityType: 'event' } });

describe('tracking one event', () => {
  const order = {
    eventId: 'shop:order:1',
    name: 'order_created',
    occurredAt: '2026-11-23T10:15:00+01:00',
    contact: { externalId: 'shop:7001', email: ' Max@Example.COM ', phone: '030 901820' },
    properties: { order_id: '1', total_cents: 4990, items: [{ sku: 'BK-1', quantity: 2 }] },
    contactProperties: { firstName: 'Max', AGE: 41 },
  };

  it('normalizes, stores and queues it once; the same ID and content again is unchanged', async () => {
    const before = await outbox();
    const created = await track(order);
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json<{ result: string; event: EventBody }>();
    expect(body.result).toBe('created');
    expect(body.event).toMatchObject({
      eventId: 'shop:order:1',
      name: 'order_created',
      occurredAt: '2026-11-23T09:15:00.000Z',
      contact: { externalId: 'shop:7001', email: 'max@example.com', phone: '+4930901820' },
      properties: order.properties,
      contactProperties: { FIRSTNAME: 'Max', AGE: 41 },
    });
    expect(await outbox()).toBe(before + 1);

    // The same event written differently (epoch seconds, other casing) is the same event.
    const again = await track({ ...order, occurredAt: 1795425300, contact: { ...order.contact, email: 'max@example.com' } });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ result: 'unchanged', event: { id: body.event.id } });
    expect(await outbox()).toBe(before + 1);

    const read = await t.app.inject({ method: 'GET', url: `/v1/events/${body.event.id}`, headers: withKey(ws.readKey) });
    expect(read.json()).toEqual(body.event);
  });

  it('answers 409 problem+json for the same ID with different content', async () => {
    const conflict = await track({ ...order, properties: { order_id: '1', total_cents: 5990 } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.headers['content-type']).toContain('application/problem+json');
    expect(conflict.json()).toMatchObject({ type: 'conflict' });
  });

  it('derives the ID from the content when none is given, and needs occurredAt then', async () => {
    const event = { name: 'page_viewed', occurredAt: '2026-11-20T08:00:00Z', contact: { email: 'ana@example.com' }, properties: { path: '/pricing' } };
    const first = await track(event);
    expect(first.statusCode).toBe(201);
    const eventId = first.json<{ event: EventBody }>().event.eventId;
    expect(eventId).toMatch(/^h:[0-9a-f]{32}$/);
    expect((await track(event)).json()).toMatchObject({ result: 'unchanged', event: { eventId } });
    const later = await track({ ...event, occurredAt: '2026-11-20T08:00:01Z' });
    expect(later.json<{ event: EventBody }>().event.eventId).not.toBe(eventId);

    const timeless = await track({ name: 'page_viewed', contact: { email: 'ana@example.com' } });
    expect(timeless.statusCode).toBe(400);
    expect(timeless.json()).toMatchObject({ type: 'validation', errors: [{ field: 'body.occurredAt' }] });
  });

  it('a re-send of an event tracked without occurredAt is unchanged (its time is the first receipt)', async () => {
    const event = { eventId: 'no-time:1', name: 'signed_up', contact: { externalId: 'crm:9' } };
    const first = (await track(event)).json<{ result: string; event: EventBody }>();
    expect(first.result).toBe('created');
    const again = (await track(event)).json<{ result: string; event: EventBody }>();
    expect(again).toMatchObject({ result: 'unchanged', event: { occurredAt: first.event.occurredAt } });
  });

  it('rejects what Brevo would refuse, naming every field', async () => {
    const response = await track({ eventId: 'bad:1', name: 'order created', contact: { email: 'not-an-email' }, properties: { 'bad key': 1 }, contactProperties: { '1AGE': 4 } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field).sort();
    expect(fields).toEqual(['body.contact.email', 'body.contactProperties.1AGE', 'body.name', 'body.properties.bad key']);
    // Values Brevo cannot hold are refused by the schema already.
    const typed = await track({ eventId: 'bad:3', name: 'x', contact: { externalId: 'a' }, properties: { fine: null }, contactProperties: { AGE: 4.5 } });
    expect(typed.json<{ errors: { field: string }[] }>().errors.map((error) => error.field).sort()).toEqual(['body.contactProperties.AGE', 'body.properties.fine']);
    const noContact = await track({ eventId: 'bad:2', name: 'x', contact: {} });
    expect(noContact.json()).toMatchObject({ errors: [{ field: 'body.contact' }] });
  });

  it('replays the first answer for a repeated Idempotency-Key', async () => {
    const event = { eventId: 'idem:1', name: 'trial_started', occurredAt: 1763889300000, contact: { externalId: 'crm:1' } };
    const first = await track(event, ws.writeKey, { 'idempotency-key': 'k-1' });
    const second = await track(event, ws.writeKey, { 'idempotency-key': 'k-1' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
  });

  it('needs the write scope to track', async () => {
    expect((await track({ eventId: 'scope:1', name: 'x', occurredAt: 1, contact: { externalId: 'a' } }, ws.readKey)).statusCode).toBe(403);
  });
});

describe('batch tracking', () => {
  it('gives each event its exact result, and one bad event never fails the batch', async () => {
    const bws = await createWorkspace(t.app);
    await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: withKey(bws.writeKey),
      payload: { eventId: 'b:known', name: 'known', occurredAt: '2026-11-01T00:00:00Z', contact: { externalId: 'c1' } },
    });
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/events/batch',
      headers: withKey(bws.writeKey),
      payload: {
        events: [
          { eventId: 'b:1', name: 'cart_updated', occurredAt: '2026-11-02T00:00:00Z', contact: { externalId: 'c1' }, properties: { items: 3 } },
          { eventId: 'b:2', name: 'bad name!', contact: { externalId: 'c1' } },
          { eventId: 'b:known', name: 'known', occurredAt: '2026-11-01T00:00:00Z', contact: { externalId: 'c1' } },
          { eventId: 'b:known', name: 'known', occurredAt: '2026-11-01T00:00:00Z', contact: { externalId: 'c2' } },
          { eventId: 'b:1', name: 'cart_updated', occurredAt: '2026-11-02T00:00:00Z', contact: { externalId: 'c1' }, properties: { items: 3 } },
          { eventId: 'b:4', name: 'cart_updated', occurredAt: 'yesterday', contact: { externalId: 'c1' } },
          { eventId: 'b:3', name: 'cart_updated', occurredAt: '2026-11-03T00:00:00Z', contact: { phone: '+14155552671' }, extra: true },
        ],
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<BatchBody>();
    expect(body.results.map((r) => [r.index, r.status, r.eventId])).toEqual([
      [0, 'created', 'b:1'],
      [1, 'rejected', null],
      [2, 'unchanged', 'b:known'],
      [3, 'rejected', 'b:known'],
      [4, 'unchanged', 'b:1'],
      [5, 'rejected', null],
      [6, 'rejected', null],
    ]);
    expect(body.results[1]!.errors).toEqual([{ field: 'name', reason: expect.stringContaining('letters, digits') }]);
    expect(body.results[3]!.errors).toEqual([{ field: 'eventId', reason: expect.stringContaining('different content') }]);
    expect(body.results[4]!.id).toBe(body.results[0]!.id);
    expect(body.results[5]!.errors).toEqual([{ field: 'occurredAt', reason: expect.stringContaining('not a timestamp') }]);
    expect(body.results[6]!.errors).toEqual([{ field: 'extra', reason: expect.stringContaining('unknown field') }]);
    expect(body.counts).toEqual({ created: 1, unchanged: 2, rejected: 4 });
    expect(await outbox(bws.id)).toBe(2);
  });

  it('refuses more than 1,000 events with a problem', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({ eventId: `x${i}`, name: 'x', contact: { externalId: 'c' } }));
    const response = await batch(events);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});

describe('searching events', () => {
  it('filters by contact, email, name and time, in occurrence order, page by page', async () => {
    const sws = await createWorkspace(t.app);
    const events = Array.from({ length: 7 }, (_, i) => ({
      eventId: `s:${i}`,
      name: i % 2 === 0 ? 'even' : 'odd',
      // Out of order on purpose: search orders by occurrence, not by arrival.
      occurredAt: `2026-11-0${7 - i}T12:00:00Z`,
      contact: { externalId: i < 4 ? 'crm:a' : 'crm:b', email: i < 4 ? 'a@example.com' : 'b@example.com' },
    }));
    await t.app.inject({ method: 'POST', url: '/v1/events/batch', headers: withKey(sws.writeKey), payload: { events } });
    const search = async (query: string) => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/events?${query}`, headers: withKey(sws.readKey) });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ data: EventBody[]; nextCursor: string | null }>();
    };
    const ids = (page: { data: EventBody[] }) => page.data.map((event) => event.eventId);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['s:6', 's:5', 's:4', 's:3', 's:2', 's:1', 's:0']);

    expect(ids(await search('contactExternalId=crm:a'))).toEqual(['s:3', 's:2', 's:1', 's:0']);
    expect(ids(await search('email=B@Example.com'))).toEqual(['s:6', 's:5', 's:4']);
    expect(ids(await search('name=odd'))).toEqual(['s:5', 's:3', 's:1']);
    expect(ids(await search('since=2026-11-05T12:00:00%2B00:00&name=even'))).toEqual(['s:2', 's:0']);
    const invalid = await t.app.inject({ method: 'GET', url: '/v1/events?cursor=garbage', headers: withKey(sws.readKey) });
    expect(invalid.statusCode).toBe(400);
  });

  it("never shows another workspace's events: 404 by ID, absent from search", async () => {
    const mine = await createWorkspace(t.app);
    const other = await createWorkspace(t.app);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: withKey(mine.writeKey),
      payload: { eventId: 'private:1', name: 'secret', occurredAt: 1, contact: { externalId: 'x' } },
    });
    const { id } = created.json<{ event: EventBody }>().event;
    expect((await t.app.inject({ method: 'GET', url: `/v1/events/${id}`, headers: withKey(other.readKey) })).statusCode).toBe(404);
    const search = await t.app.inject({ method: 'GET', url: '/v1/events?name=secret', headers: withKey(other.readKey) });
    expect(search.json()).toEqual({ data: [], nextCursor: null });
    // The same event ID is free in another workspace.
    const theirs = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: withKey(other.writeKey),
      payload: { eventId: 'private:1', name: 'other', occurredAt: 1, contact: { externalId: 'x' } },
    });
    expect(theirs.statusCode).toBe(201);
  });
});

describe('polling events by receipt', () => {
  it('orders by receipt with receivedSince, so an event that occurred long ago but arrived late still comes after the last poll', async () => {
    const poller = await createWorkspace(t.app);
    const trackFor = (eventId: string, occurredAt: string) =>
      t.app.inject({ method: 'POST', url: '/v1/events', headers: withKey(poller.writeKey), payload: { eventId, name: 'visit', occurredAt, contact: { externalId: 'p:1' } } });
    const search = (query: string) => t.app.inject({ method: 'GET', url: `/v1/events?${query}`, headers: withKey(poller.readKey) });
    expect((await trackFor('new', '2026-11-20T00:00:00Z')).statusCode).toBe(201);
    const firstPoll = (await search('receivedSince=2020-01-01T00:00:00Z')).json<{ data: { eventId: string; createdAt: string }[] }>().data;
    expect(firstPoll.map((event) => event.eventId)).toEqual(['new']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await trackFor('late', '2025-01-01T00:00:00Z')).statusCode).toBe(201);

    const since = encodeURIComponent(firstPoll[0]!.createdAt);
    // By occurrence the late event sorts first and falls before the boundary; by receipt it comes after.
    expect((await search(`since=${since}`)).json<{ data: unknown[] }>().data).toEqual([]);
    const byReceipt = (await search(`receivedSince=${since}`)).json<{ data: { eventId: string }[] }>().data;
    expect(byReceipt.map((event) => event.eventId)).toEqual(['new', 'late']);
    const page = (await search('receivedSince=2020-01-01T00:00:00Z&limit=1')).json<{ data: { eventId: string }[]; nextCursor: string }>();
    expect(page.data.map((event) => event.eventId)).toEqual(['new']);
    const next = (await search(`receivedSince=2020-01-01T00:00:00Z&limit=1&cursor=${page.nextCursor}`)).json<{ data: { eventId: string }[] }>();
    expect(next.data.map((event) => event.eventId)).toEqual(['late']);
  });
});
