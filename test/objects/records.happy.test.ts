import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { defineTypes, type RecordResultBody } from './support.ts';

/**
 * 200 messy subscriptions, every tenth with one bad typed attribute (5%... and 5% with two
 * mistakes spread over the others would blur the per-field check, so exactly one each).
 */
function messySubscriptions(count: number) {
  const dates = ['2026-12-01', '2026-12-01T23:30:00-05:00', 1796083200, '1796083200000'];
  const badFields = ['renews_on', 'monthly_price', 'billing_phone', 'billing_email', 'seats', 'active', 'started_at'] as const;
  const bad: Record<(typeof badFields)[number], unknown> = {
    renews_on: '31/02/2026',
    monthly_price: { currency: 'EUR', amount: '9.999' },
    billing_phone: '12',
    billing_email: 'ada at example.com',
    seats: 'twelve',
    active: 'maybe',
    started_at: 'yesterday',
  };
  return Array.from({ length: count }, (_, i) => {
    const attributes: Record<string, unknown> = {
      subscription_id: `SUB-${1000 + i}`,
      seats: i % 2 === 0 ? 12 : '12',
      active: i % 3 === 0 ? 'yes' : true,
      renews_on: dates[i % dates.length],
      started_at: i % 2 === 0 ? '2026-11-01T09:30:00+01:00' : 1761985800,
      monthly_price: i % 2 === 0 ? { currency: 'eur', amount: '49.90' } : { currency: 'JPY', amount: 4990 },
      billing_email: `  Billing.${i}@Example.COM `,
      billing_phone: i % 2 === 0 ? '(415) 555-2671' : '+44 20 7946 0018',
    };
    const field = i % 20 === 7 ? badFields[(i / 20) % badFields.length | 0]! : undefined;
    if (field) attributes[field] = bad[field];
    return { record: { attributes }, field };
  });
}

describe('object records', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const outboxRows = (entityType: string) => t.db.activationOutbox.count({ where: { workspaceId: ws.id, entityType } });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app, { defaultPhoneRegion: 'US' });
    await defineTypes(t.app, ws);
  });
  afterAll(() => t.close());

  it('defines types with a deterministic Brevo object type, and lists them for pick lists', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/v1/object-types', headers: withKey(ws.readKey) });
    expect(list.json<{ data: { name: string; brevoObjectType: string }[] }>().data.map(({ name, brevoObjectType }) => ({ name, brevoObjectType }))).toEqual([
      { name: 'vehicle', brevoObjectType: 'vehicle' },
      { name: 'subscription', brevoObjectType: 'subscription' },
    ]);
    const get = await t.app.inject({ method: 'GET', url: '/v1/object-types/subscription', headers: withKey(ws.readKey) });
    expect(get.json()).toMatchObject({ associations: ['contact', 'vehicle'], attributes: expect.arrayContaining([{ name: 'seats', type: 'number', required: false }]) });
  });

  it('batch: exact per-record results on messy typed attributes; an identical re-send is all unchanged and queues nothing', async () => {
    const cases = messySubscriptions(200);
    const send = async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/objects/subscription/records/batch', headers: withKey(ws.writeKey), payload: { records: cases.map((c) => c.record) } });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ results: RecordResultBody[]; counts: Record<string, number> }>();
    };
    const first = await send();
    expect(first.counts).toEqual({ created: 190, updated: 0, unchanged: 0, stale: 0, rejected: 10 });
    first.results.forEach((result, index) => {
      const { field } = cases[index]!;
      expect(result.index).toBe(index);
      if (field) {
        expect(result).toMatchObject({ status: 'rejected', id: null, externalId: null });
        expect(result.errors.map((error) => error.field)).toEqual([`attributes.${field}`]);
      } else {
        expect(result).toMatchObject({ status: 'created', externalId: `SUB-${1000 + index}`, errors: [] });
      }
    });

    const lookup = async (externalId: string) =>
      (await t.app.inject({ method: 'GET', url: `/v1/objects/subscription/records/lookup?externalId=${externalId}`, headers: withKey(ws.readKey) })).json<{ attributes: Record<string, unknown> }>();
    expect((await lookup('SUB-1000')).attributes).toEqual({
      subscription_id: 'SUB-1000',
      seats: 12,
      active: true,
      renews_on: '2026-12-01',
      started_at: '2026-11-01T08:30:00.000Z',
      monthly_price: { currency: 'EUR', amountMinor: 4990 },
      billing_email: 'billing.0@example.com',
      billing_phone: '+14155552671',
    });
    const odd = (await lookup('SUB-1001')).attributes;
    // A time is read in UTC and its date kept; epoch seconds; JPY has no minor unit.
    expect(odd).toMatchObject({ seats: 12, renews_on: '2026-12-02', started_at: '2025-11-01T08:30:00.000Z', monthly_price: { currency: 'JPY', amountMinor: 4990 }, billing_phone: '+442079460018' });
    expect((await lookup('SUB-1002')).attributes.renews_on).toBe('2026-12-01');

    const queued = await outboxRows('object_record');
    expect(queued).toBe(190);
    const again = await send();
    expect(again.counts).toEqual({ created: 0, updated: 0, unchanged: 190, stale: 0, rejected: 10 });
    expect(again.results.filter((r) => r.status === 'unchanged').map((r) => r.id)).toEqual(first.results.filter((r) => r.status === 'created').map((r) => r.id));
    expect(await outboxRows('object_record')).toBe(queued);
    expect(await t.db.objectRecordVersion.count({ where: { workspaceId: ws.id } })).toBe(190);
  });

  it('upserts one record with associations: to a contact by email, to one not in Tajo yet (pending), to a vehicle', async () => {
    const contact = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { sourceId: 'c-1', email: 'ada@example.com' } });
    const contactId = contact.json<{ contact: { id: string; externalId: string } }>().contact.id;
    const payload = {
      attributes: { subscription_id: 'SUB-A', monthly_price: { currency: 'USD', amountMinor: 1999 } },
      associations: [
        { objectType: 'contact', email: ' ADA@example.com ' },
        { objectType: 'contact', externalId: 'crm:later' },
        { objectType: 'vehicle', externalId: 'VIN-1' },
      ],
    };
    const upsert = (key: string) => t.app.inject({ method: 'POST', url: '/v1/objects/subscription/records', headers: withKey(ws.writeKey, { 'idempotency-key': key }), payload });
    const created = await upsert('sub-a-1');
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json<{ result: string; record: { id: string; associations: { objectType: string; externalId: string; targetId: string | null; pending: boolean }[] } }>();
    expect(body.result).toBe('created');
    expect(body.record.associations.map(({ objectType, externalId, targetId, pending }) => ({ objectType, externalId, targetId, pending }))).toEqual([
      { objectType: 'contact', externalId: 'api:c-1', targetId: contactId, pending: false },
      { objectType: 'contact', externalId: 'crm:later', targetId: null, pending: true },
      { objectType: 'vehicle', externalId: 'VIN-1', targetId: null, pending: true },
    ]);
    expect(await outboxRows('object_association')).toBe(3);

    // Idempotency-Key: the same request replays the first answer; a new key on identical content is unchanged.
    const replay = await upsert('sub-a-1');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(body);
    const unchanged = await upsert('sub-a-2');
    expect(unchanged.statusCode).toBe(200);
    expect(unchanged.json<{ result: string }>().result).toBe('unchanged');
    expect(await outboxRows('object_association')).toBe(3);

    // The pending ends arrive: the associations resolve, with nothing rewritten.
    await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId: 'crm:later', email: 'later@example.com' } });
    const vehicle = await t.app.inject({ method: 'POST', url: '/v1/objects/vehicle/records', headers: withKey(ws.writeKey), payload: { externalId: 'VIN-1', attributes: { vin: 'WVWZZZ1JZXW000001' } } });
    expect(vehicle.statusCode, vehicle.body).toBe(201);
    const got = await t.app.inject({ method: 'GET', url: `/v1/objects/subscription/records/${body.record.id}`, headers: withKey(ws.readKey) });
    expect(got.json<{ associations: { pending: boolean }[] }>().associations.map((a) => a.pending)).toEqual([false, false, false]);

    // Search by associated contact (Tajo ID or external ID), in a stable order.
    for (const query of [`contactId=${contactId}`, 'contactExternalId=crm:later']) {
      const found = await t.app.inject({ method: 'GET', url: `/v1/objects/subscription/records?${query}`, headers: withKey(ws.readKey) });
      expect(found.json<{ data: { externalId: string }[] }>().data.map((r) => r.externalId)).toEqual(['SUB-A']);
    }
  });

  it('associates and dissociates as operations, with per-reference results and refusals', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/objects/subscription/records', headers: withKey(ws.writeKey), payload: { attributes: { subscription_id: 'SUB-B' } } });
    const id = created.json<{ record: { id: string } }>().record.id;
    const url = `/v1/objects/subscription/records/${id}/associations`;
    const associations = [
      { objectType: 'contact', externalId: 'crm:x' },
      { objectType: 'contact', externalId: 'crm:x' },
      { objectType: 'list', externalId: 'l-1' },
      { objectType: 'contact', email: 'nobody@example.com' },
      { objectType: 'vehicle', email: 'v@example.com' },
    ];
    const added = await t.app.inject({ method: 'POST', url, headers: withKey(ws.writeKey), payload: { associations } });
    expect(added.statusCode, added.body).toBe(200);
    const results = added.json<{ results: RecordResultBody[] }>().results;
    expect(results.map((r) => r.status)).toEqual(['created', 'unchanged', 'rejected', 'rejected', 'rejected']);
    expect(results[2]!.errors).toEqual([{ field: 'associations.2.objectType', reason: "subscription records may not be associated with 'list'; allowed: contact, vehicle" }]);
    expect(results[3]!.errors).toEqual([{ field: 'associations.3.email', reason: 'no contact with this email in the workspace' }]);
    expect(results[4]!.errors[0]!.field).toBe('associations.4');

    const before = await outboxRows('object_association');
    const removed = await t.app.inject({ method: 'DELETE', url, headers: withKey(ws.writeKey), payload: { associations: [{ objectType: 'contact', externalId: 'crm:x' }, { objectType: 'contact', externalId: 'crm:y' }] } });
    expect(removed.json<{ results: RecordResultBody[] }>().results.map((r) => r.status)).toEqual(['removed', 'unchanged']);
    expect(await outboxRows('object_association')).toBe(before + 1);
    const removal = await t.db.activationOutbox.findFirst({ where: { workspaceId: ws.id, entityType: 'object_association' }, orderBy: { id: 'desc' } });
    expect(removal).toMatchObject({ operation: 'delete', entityVersion: 2 });
    const got = await t.app.inject({ method: 'GET', url: `/v1/objects/subscription/records/${id}`, headers: withKey(ws.readKey) });
    expect(got.json<{ associations: unknown[] }>().associations).toEqual([]);
  });

  it('soft-deletes (revived by an upsert) and erases, queuing each', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/objects/vehicle/records', headers: withKey(ws.writeKey), payload: { attributes: { vin: 'VIN-DEL', plate: 'AB-123' } } });
    const { id, externalId } = created.json<{ record: { id: string; externalId: string } }>().record;
    expect(externalId).toMatch(/^h:[0-9a-f]{32}$/);
    const url = `/v1/objects/vehicle/records/${id}`;
    expect((await t.app.inject({ method: 'DELETE', url, headers: withKey(ws.writeKey) })).json()).toEqual({ id, status: 'deleted' });
    expect((await t.app.inject({ method: 'GET', url, headers: withKey(ws.readKey) })).statusCode).toBe(404);
    const revived = await t.app.inject({ method: 'POST', url: '/v1/objects/vehicle/records', headers: withKey(ws.writeKey), payload: { attributes: { vin: 'VIN-DEL', plate: 'AB-123' } } });
    expect(revived.json()).toMatchObject({ result: 'updated', record: { id, version: 3 } });
    expect((await t.app.inject({ method: 'POST', url: `${url}/erasure`, headers: withKey(ws.adminKey) })).json()).toEqual({ id, status: 'erased' });
    expect(await t.db.objectRecordVersion.count({ where: { recordId: id } })).toBe(0);
    const rows = await t.db.activationOutbox.findMany({ where: { entityId: id }, orderBy: { id: 'asc' } });
    // Pending work for the erased record is dropped; only the erasure, with its external ID, remains.
    expect(rows.map((row) => [row.operation, row.externalId])).toEqual([['erase', externalId]]);
  });

  it('pages searches with a cursor in (updatedAt, id) order, for the polling trigger', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=70${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.app.inject({ method: 'GET', url: `/v1/objects/subscription/records?${query}`, headers: withKey(ws.readKey) });
      const body = page.json<{ data: { id: string }[]; nextCursor: string | null }>();
      seen.push(...body.data.map((record) => record.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(await t.db.objectRecord.count({ where: { workspaceId: ws.id, deletedAt: null, objectType: { name: 'subscription' } } }));
  });
});
