import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

let t: TestApp;
let ws: TestWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app);
  const records = [
    { sourceId: '1', email: 'a@example.com', attributes: { plan: 'pro', seats: 12, beta: true } },
    { sourceId: '2', email: 'b@example.com', attributes: { plan: 'free', seats: '12' } },
    { sourceId: '3', email: 'c@example.com', attributes: { plan: 'pro', note: null } },
    { sourceId: '4', email: 'd@example.com', attributes: { plan: 'pro' } },
  ];
  await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records: records.map((record) => ({ source: 'crm', ...record })) } });
  const gone = await t.app.inject({ method: 'GET', url: '/v1/contacts/lookup?externalId=crm:4', headers: withKey(ws.readKey) });
  await t.app.inject({ method: 'DELETE', url: `/v1/contacts/${gone.json<{ id: string }>().id}`, headers: withKey(ws.writeKey) });
});
afterAll(() => t.close());

const get = (url: string, key = ws.readKey) => t.app.inject({ method: 'GET', url, headers: withKey(key) });
const emails = async (query: string) => (await get(`/v1/contacts?${query}`)).json<{ data: { email: string }[] }>().data.map((contact) => contact.email).sort();

describe('contact attributes', () => {
  it('lists the attributes in use on live contacts, with their value types and counts', async () => {
    const response = await get('/v1/contacts/attributes');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      data: [
        { name: 'beta', type: 'boolean', contacts: 1 },
        { name: 'plan', type: 'string', contacts: 3 },
        { name: 'seats', type: 'number', contacts: 1 },
        { name: 'seats', type: 'string', contacts: 1 },
      ],
    });
  });

  it('searches by an attribute value given as text, matching text, numbers and booleans', async () => {
    expect(await emails('attribute=plan&attributeValue=pro')).toEqual(['a@example.com', 'c@example.com']);
    expect(await emails('attribute=seats&attributeValue=12')).toEqual(['a@example.com', 'b@example.com']);
    expect(await emails('attribute=beta&attributeValue=true')).toEqual(['a@example.com']);
    expect(await emails('attribute=beta')).toEqual(['a@example.com']);
    expect(await emails('attribute=plan&attributeValue=enterprise')).toEqual([]);
  });

  it('refuses a value without the attribute to match, rather than answering every contact', async () => {
    const response = await get('/v1/contacts?attributeValue=pro');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: 'validation', errors: [{ field: 'querystring.attributeValue', reason: expect.stringMatching(/needs attribute/) }] });
  });

  it('keeps each workspace to its own attributes', async () => {
    const other = await createWorkspace(t.app);
    expect((await get('/v1/contacts/attributes', other.readKey)).json()).toEqual({ data: [] });
    expect((await get('/v1/contacts?attribute=plan&attributeValue=pro', other.readKey)).json<{ data: unknown[] }>().data).toEqual([]);
  });
});
