import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

describe('contacts', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, key?: string) =>
    t.app.inject({ method, url, headers: withKey(key ?? ws.writeKey), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app, { defaultPhoneRegion: 'GB', sourceName: 'workato' });
  });
  afterAll(() => t.close());

  it('creates a normalized contact, then refuses a second create with the same external ID', async () => {
    const created = await call('POST', '/v1/contacts', {
      sourceId: 'row-1',
      email: ' Grace.Hopper@Navy.MIL ',
      phone: '020 7946 0018',
      firstName: ' Grace ',
      locale: 'en_us',
      lifetimeValue: { currency: 'jpy', amount: '1200' },
      consent: { sms: { status: 'denied', timestamp: '2024-01-01' } },
    });
    expect(created.statusCode).toBe(201);
    const { result, contact } = created.json();
    expect(result).toBe('created');
    expect(contact).toMatchObject({
      externalId: 'workato:row-1',
      source: 'workato',
      email: 'grace.hopper@navy.mil',
      phone: '+442079460018',
      firstName: 'Grace',
      locale: 'en-US',
      lifetimeValue: { currency: 'JPY', amountMinor: 1200 },
      consent: { sms: { status: 'opted_out', source: 'workato', timestamp: '2024-01-01T00:00:00.000Z' } },
      version: 1,
    });
    expect(contact.consent.email).toBeUndefined();

    const again = await call('POST', '/v1/contacts', { sourceId: 'row-1', email: 'other@example.com' });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json().type).toBe('conflict');
  });

  it('upserts: created, then updated, then unchanged', async () => {
    const first = await call('POST', '/v1/contacts/upsert', { sourceId: 'u-1', email: 'a@example.com' });
    expect([first.statusCode, first.json().result]).toEqual([201, 'created']);
    const second = await call('POST', '/v1/contacts/upsert', { sourceId: 'u-1', email: 'b@example.com' });
    expect([second.statusCode, second.json().result, second.json().contact.version]).toEqual([200, 'updated', 2]);
    const third = await call('POST', '/v1/contacts/upsert', { sourceId: 'u-1', email: 'B@Example.com ' });
    expect([third.statusCode, third.json().result, third.json().contact.version]).toEqual([200, 'unchanged', 2]);
  });

  it('answers every write with the contact exactly as a later read returns it', async () => {
    const full = {
      sourceId: 'echo-1',
      email: 'Echo@Example.com',
      phone: '020 7946 0019',
      firstName: 'Echo',
      lastName: 'Reader',
      locale: 'fr_ca',
      lifetimeValue: { currency: 'eur', amount: '12.5' },
      consent: { email: { status: 'opted_in', timestamp: 1_700_000_000 }, whatsapp: { status: 'pending' } },
      attributes: { plan: 'pro', seats: 3, trial: false, note: null },
      sourceCreatedAt: '2024-02-29T23:30:00+02:00',
      sourceUpdatedAt: 1_717_171_717_171,
    };
    const readBack = async (id: string) => (await call('GET', `/v1/contacts/${id}`, undefined, ws.readKey)).json();
    // created, updated, unchanged: the answers are built from the write, the reads from the stored row
    for (const [body, result] of [
      [full, 'created'],
      [{ ...full, lastName: 'Writer', attributes: { seats: 4 } }, 'updated'],
      [{ ...full, lastName: 'Writer', attributes: { seats: 4 } }, 'unchanged'],
    ] as const) {
      const answer = (await call('POST', '/v1/contacts/upsert', body)).json();
      expect(answer.result).toBe(result);
      expect(answer.contact).toEqual(await readBack(answer.contact.id));
    }
    const { contact } = (await call('POST', '/v1/contacts/upsert', full)).json();
    for (const patch of [{ firstName: null, lifetimeValue: null, attributes: { tier: 'gold' } }, { attributes: { tier: 'gold' } }]) {
      const answer = (await call('PATCH', `/v1/contacts/${contact.id}`, patch)).json();
      expect(answer.contact).toEqual(await readBack(contact.id));
    }
    expect((await call('DELETE', `/v1/contacts/${contact.id}`)).statusCode).toBe(200);
    const created = (await call('POST', '/v1/contacts', full)).json();
    expect(created.result).toBe('created');
    expect(created.contact).toEqual(await readBack(contact.id));
  });

  it('gets by Tajo ID, by external ID and by email', async () => {
    const { contact } = (await call('POST', '/v1/contacts/upsert', { sourceId: 'g-1', email: 'lookup@example.com' })).json();
    expect((await call('GET', `/v1/contacts/${contact.id}`, undefined, ws.readKey)).json().id).toBe(contact.id);
    const byExternal = await call('GET', `/v1/contacts/lookup?externalId=${encodeURIComponent('workato:g-1')}`, undefined, ws.readKey);
    expect(byExternal.json().id).toBe(contact.id);
    const byEmail = await call('GET', `/v1/contacts/lookup?email=${encodeURIComponent(' LOOKUP@example.com')}`, undefined, ws.readKey);
    expect(byEmail.json().id).toBe(contact.id);
    const neither = await call('GET', '/v1/contacts/lookup', undefined, ws.readKey);
    expect(neither.statusCode).toBe(400);
    const missing = await call('GET', '/v1/contacts/lookup?email=nobody@example.com', undefined, ws.readKey);
    expect(missing.statusCode).toBe(404);
  });

  it('updates partially: absent keeps, null clears, attributes and consent merge by key', async () => {
    const { contact } = (
      await call('POST', '/v1/contacts/upsert', {
        sourceId: 'p-1',
        email: 'patch@example.com',
        phone: '+14155552671',
        firstName: 'Pat',
        attributes: { plan: 'pro', seats: 3 },
        consent: { email: { status: 'opted_in' } },
      })
    ).json();
    const patched = await call('PATCH', `/v1/contacts/${contact.id}`, {
      firstName: null,
      attributes: { seats: 4, plan: null, tier: 'gold' },
      consent: { sms: { status: 'opted_in' } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().result).toBe('updated');
    expect(patched.json().contact).toMatchObject({
      email: 'patch@example.com',
      phone: '+14155552671',
      firstName: null,
      attributes: { seats: 4, tier: 'gold' },
      consent: { email: { status: 'opted_in' }, sms: { status: 'opted_in' } },
      externalId: 'workato:p-1',
      version: 2,
    });
    const same = await call('PATCH', `/v1/contacts/${contact.id}`, { attributes: { seats: 4 } });
    expect(same.json().result).toBe('unchanged');
    const identity = await call('PATCH', `/v1/contacts/${contact.id}`, { externalId: 'other' });
    expect(identity.statusCode).toBe(400);
  });

  it('soft-deletes (hidden, kept for audit, deletion queued) and revives on upsert', async () => {
    const { contact } = (await call('POST', '/v1/contacts/upsert', { sourceId: 'd-1', email: 'delete@example.com' })).json();
    const deleted = await call('DELETE', `/v1/contacts/${contact.id}`);
    expect(deleted.json()).toEqual({ id: contact.id, status: 'deleted' });
    expect((await call('GET', `/v1/contacts/${contact.id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/contacts/${contact.id}`)).statusCode).toBe(404);
    expect(await t.db.contact.findUnique({ where: { id: contact.id } })).not.toBeNull();
    const work = await t.db.activationOutbox.findMany({ where: { entityId: contact.id }, orderBy: { id: 'asc' } });
    expect(work.map((w) => w.operation)).toEqual(['upsert', 'delete']);

    const revived = await call('POST', '/v1/contacts/upsert', { sourceId: 'd-1', email: 'delete@example.com' });
    expect(revived.json()).toMatchObject({ result: 'updated', contact: { id: contact.id } });
  });

  it('create over a soft-deleted contact brings it back as created', async () => {
    const { contact } = (await call('POST', '/v1/contacts', { sourceId: 'rc-1', email: 'again@example.com' })).json();
    await call('DELETE', `/v1/contacts/${contact.id}`);
    const recreated = await call('POST', '/v1/contacts', { sourceId: 'rc-1', email: 'again@example.com' });
    expect(recreated.statusCode).toBe(201);
    expect(recreated.json()).toMatchObject({ result: 'created', contact: { id: contact.id, version: 3 } });
  });

  it('concurrent partial updates of different fields both survive', async () => {
    const { contact } = (await call('POST', '/v1/contacts/upsert', { sourceId: 'cc-1', email: 'cc@example.com' })).json();
    const patches = Array.from({ length: 8 }, (_, i) => call('PATCH', `/v1/contacts/${contact.id}`, { attributes: { [`field${i}`]: i } }));
    const responses = await Promise.all(patches);
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    const final = (await call('GET', `/v1/contacts/${contact.id}`)).json();
    expect(final.attributes).toEqual(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`field${i}`, i])));
    expect(final.version).toBe(9);
  });

  it('stored responses quoting an erased contact are forgotten with it', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts/upsert',
      headers: withKey(ws.writeKey, { 'idempotency-key': 'erase-me-key' }),
      payload: { sourceId: 'e-2', email: 'quoted@example.com' },
    });
    const id = created.json().contact.id;
    expect(await t.db.idempotencyKey.count({ where: { workspaceId: ws.id, key: 'erase-me-key' } })).toBe(1);
    await call('POST', `/v1/contacts/${id}/erasure`, undefined, ws.adminKey);
    expect(await t.db.idempotencyKey.count({ where: { workspaceId: ws.id, key: 'erase-me-key' } })).toBe(0);
  });

  it('erases for GDPR: contact, versions and payloads are gone, only the fact remains', async () => {
    const { contact } = (await call('POST', '/v1/contacts/upsert', { sourceId: 'e-1', email: 'erase-me@example.com' }, ws.writeKey)).json();
    await call('POST', '/v1/contacts/upsert', { sourceId: 'e-1', email: 'erase-me2@example.com' });
    expect(await t.db.contactVersion.count({ where: { contactId: contact.id } })).toBe(2);
    const forbidden = await call('POST', `/v1/contacts/${contact.id}/erasure`);
    expect(forbidden.statusCode).toBe(403);
    const erased = await call('POST', `/v1/contacts/${contact.id}/erasure`, undefined, ws.adminKey);
    expect(erased.json()).toEqual({ id: contact.id, status: 'erased' });
    expect(await t.db.contact.findUnique({ where: { id: contact.id } })).toBeNull();
    expect(await t.db.contactVersion.count({ where: { contactId: contact.id } })).toBe(0);
    const work = await t.db.activationOutbox.findMany({ where: { entityId: contact.id } });
    expect(work.map((w) => w.operation)).toEqual(['erase']);
    expect(await t.db.contactErasure.count({ where: { contactId: contact.id } })).toBe(1);
    expect((await call('GET', `/v1/contacts/${contact.id}`)).statusCode).toBe(404);
  });

  it('searches with filters and stable cursor pagination', async () => {
    const other = await createWorkspace(t.app);
    const records = Array.from({ length: 25 }, (_, i) => ({ sourceId: `s-${i}`, email: `search${i}@example.com` }));
    await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(other.writeKey), payload: { records } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/contacts?limit=10${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await t.app.inject({ method: 'GET', url, headers: withKey(other.readKey) })).json();
      seen.push(...page.data.map((c: { externalId: string }) => c.externalId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(25);

    const byEmail = (await t.app.inject({ method: 'GET', url: '/v1/contacts?email=SEARCH3@example.com', headers: withKey(other.readKey) })).json();
    expect(byEmail.data.map((c: { externalId: string }) => c.externalId)).toEqual(['api:s-3']);
    const future = (await t.app.inject({ method: 'GET', url: '/v1/contacts?updatedSince=2999-01-01T00:00:00Z', headers: withKey(other.readKey) })).json();
    expect(future.data).toEqual([]);
    const badCursor = await t.app.inject({ method: 'GET', url: '/v1/contacts?cursor=garbage', headers: withKey(other.readKey) });
    expect(badCursor.statusCode).toBe(400);
  });
});
