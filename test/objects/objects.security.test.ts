import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { defineTypes, SUBSCRIPTION } from './support.ts';

describe('object types and records: refusals, scopes and workspace isolation', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let recordId: string;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
    other = await createWorkspace(t.app);
    await defineTypes(t.app, ws);
    const created = await t.app.inject({ method: 'POST', url: '/v1/objects/subscription/records', headers: withKey(ws.writeKey), payload: { attributes: { subscription_id: 'SUB-1' } } });
    recordId = created.json<{ record: { id: string } }>().record.id;
  });
  afterAll(() => t.close());

  it('refuses invalid definitions per field, and a taken name', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/object-types',
      headers: withKey(ws.adminKey),
      payload: { name: 'booking', attributes: [{ name: 'ref', type: 'money' }, { name: 'ref', type: 'text' }], externalIdRule: { kind: 'attribute', attribute: 'nope' }, associations: ['ghost'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.attributes.1.name', 'body.externalIdRule', 'body.associations.0']);
    const taken = await t.app.inject({ method: 'POST', url: '/v1/object-types', headers: withKey(ws.adminKey), payload: SUBSCRIPTION });
    expect(taken.statusCode).toBe(409);
  });

  it('accepts additive type changes with records, refuses the others per field, and deletes only an empty type', async () => {
    const url = '/v1/object-types/subscription';
    const additive = await t.app.inject({
      method: 'PATCH',
      url,
      headers: withKey(ws.adminKey),
      payload: { attributes: [...SUBSCRIPTION.attributes.map((a) => ({ ...a, required: false })), { name: 'notes', type: 'text' }] },
    });
    expect(additive.statusCode, additive.body).toBe(200);
    expect(additive.json()).toMatchObject({ version: 2 });
    const refused = await t.app.inject({
      method: 'PATCH',
      url,
      headers: withKey(ws.adminKey),
      payload: { attributes: [{ name: 'subscription_id', type: 'number', required: true }], externalIdRule: { kind: 'given' }, brevoObjectType: 'subs', associations: [] },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual([
      'body.attributes.subscription_id',
      'body.attributes.seats',
      'body.attributes.active',
      'body.attributes.renews_on',
      'body.attributes.started_at',
      'body.attributes.monthly_price',
      'body.attributes.billing_email',
      'body.attributes.billing_phone',
      'body.attributes.notes',
      'body.externalIdRule',
      'body.brevoObjectType',
      'body.associations',
      'body.associations',
    ]);
    expect((await t.app.inject({ method: 'DELETE', url, headers: withKey(ws.adminKey) })).statusCode).toBe(409);
    // vehicle is named by subscription's allowed associations.
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/object-types/vehicle', headers: withKey(ws.adminKey) })).statusCode).toBe(409);
  });

  it('rejects a record whose type forbids an association, field by field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/objects/subscription/records',
      headers: withKey(ws.writeKey),
      payload: { attributes: { subscription_id: 'SUB-2', seats: 'many' }, associations: [{ objectType: 'booking', externalId: 'b-1' }, { objectType: 'contact', id: '00000000-0000-4000-8000-000000000000' }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toEqual(['body.attributes.seats', 'body.associations.0.objectType']);
    const missingContact = await t.app.inject({
      method: 'POST',
      url: '/v1/objects/subscription/records',
      headers: withKey(ws.writeKey),
      payload: { attributes: { subscription_id: 'SUB-2' }, associations: [{ objectType: 'contact', id: '00000000-0000-4000-8000-000000000000' }] },
    });
    expect(missingContact.json<{ errors: unknown[] }>().errors).toEqual([{ field: 'body.associations.0.id', reason: 'no contact with this ID in the workspace' }]);
  });

  it('answers 404 for another workspace’s types and records', async () => {
    for (const [method, url] of [
      ['GET', '/v1/object-types/subscription'],
      ['GET', `/v1/objects/subscription/records/${recordId}`],
      ['GET', '/v1/objects/subscription/records'],
      ['DELETE', `/v1/objects/subscription/records/${recordId}`],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: withKey(other.adminKey) });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    const write = await t.app.inject({ method: 'POST', url: '/v1/objects/subscription/records/batch', headers: withKey(other.writeKey), payload: { records: [{ attributes: { subscription_id: 'X' } }] } });
    expect(write.statusCode).toBe(404);
    expect(await t.db.objectRecord.count({ where: { workspaceId: other.id } })).toBe(0);
  });

  it('refuses writes to a read key (403) and type administration to a write key', async () => {
    const cases = [
      { key: ws.readKey, method: 'POST', url: '/v1/objects/subscription/records', payload: { attributes: { subscription_id: 'SUB-3' } } },
      { key: ws.readKey, method: 'DELETE', url: `/v1/objects/subscription/records/${recordId}` },
      { key: ws.readKey, method: 'POST', url: `/v1/objects/subscription/records/${recordId}/associations`, payload: { associations: [{ objectType: 'contact', externalId: 'x' }] } },
      { key: ws.writeKey, method: 'POST', url: '/v1/object-types', payload: { ...SUBSCRIPTION, name: 'other' } },
      { key: ws.writeKey, method: 'POST', url: `/v1/objects/subscription/records/${recordId}/erasure` },
    ] as const;
    for (const { key, method, url, ...rest } of cases) {
      const response = await t.app.inject({ method, url, headers: withKey(key), ...rest });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
    }
  });
});
