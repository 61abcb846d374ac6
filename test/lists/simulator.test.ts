import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { ZAddContactsToList, ZCreateFolder, ZCreateList, ZRemoveContactsFromList, ZUpdateList } from '../../api/src/simulators/brevo/schemas.ts';
import { BrevoSpecValidator, brevoSpecAvailable, SPEC_RELAXATIONS } from '../support/brevo-spec.ts';

const KEY = 'xkeysib-list-simulator-test';
let brevo: BrevoSimulator;
beforeAll(async () => {
  brevo = await startBrevoSimulator({ apiKeys: [KEY], limits: { other: { limit: 1000, windowSeconds: 1 } } });
});
afterAll(() => brevo.close());

async function call(method: string, path: string, body?: unknown) {
  const init: RequestInit = body === undefined ? { headers: { 'api-key': KEY } } : { headers: { 'api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  const response = await fetch(`${brevo.baseUrl}${path}`, { method, ...init });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('Brevo simulator: folders and lists', () => {
  it("keeps Brevo's uniqueness rules: folder names, and list names within a folder", async () => {
    const folder = await call('POST', '/contacts/folders', { name: 'Unique' });
    expect(folder.status).toBe(201);
    expect((await call('POST', '/contacts/folders', { name: 'Unique' })).body).toMatchObject({ code: 'duplicate_parameter' });
    const other = (await call('POST', '/contacts/folders', { name: 'Other' })).body!.id as number;
    const folderId = folder.body!.id as number;
    expect((await call('POST', '/contacts/lists', { name: 'Buyers', folderId })).status).toBe(201);
    const duplicate = await call('POST', '/contacts/lists', { name: 'Buyers', folderId });
    expect(duplicate).toMatchObject({ status: 400, body: { code: 'duplicate_parameter' } });
    // The same name in another folder is another list.
    const elsewhere = await call('POST', '/contacts/lists', { name: 'Buyers', folderId: other });
    expect(elsewhere.status).toBe(201);
    expect((await call('PUT', `/contacts/lists/${elsewhere.body!.id as number}`, { folderId })).body).toMatchObject({ code: 'duplicate_parameter' });
    expect((await call('POST', '/contacts/lists', { name: 'Orphan', folderId: 9999 })).status).toBe(400);
  });

  it('pages folder lists oldest or newest first, with their count', async () => {
    const folderId = (await call('POST', '/contacts/folders', { name: 'Paged' })).body!.id as number;
    for (const name of ['one', 'two', 'three']) await call('POST', '/contacts/lists', { name, folderId });
    const asc = await call('GET', `/contacts/folders/${folderId}/lists?limit=2&offset=1&sort=asc`);
    expect(asc.body).toMatchObject({ count: 3, lists: [{ name: 'two' }, { name: 'three' }] });
    const desc = await call('GET', `/contacts/folders/${folderId}/lists?limit=1`);
    expect(desc.body).toMatchObject({ count: 3, lists: [{ name: 'three' }] });
    expect((await call('GET', '/contacts/lists?limit=51')).status).toBe(400);
  });

  it("adds and removes contacts, keeping each contact's listIds, and reports what it could not do", async () => {
    const folderId = (await call('POST', '/contacts/folders', { name: 'Members' })).body!.id as number;
    const listId = (await call('POST', '/contacts/lists', { name: 'Members', folderId })).body!.id as number;
    await call('POST', '/contacts', { email: 'in@example.com', ext_id: 'in' });
    const added = await call('POST', `/contacts/lists/${listId}/contacts/add`, { extIds: ['in', 'nobody'] });
    expect(added).toEqual({ status: 201, body: { contacts: { success: ['in'], failure: ['nobody'] } } });
    expect(brevo.state.byExtId('in')!.listIds).toEqual([listId]);
    expect((await call('POST', `/contacts/lists/${listId}/contacts/add`, { emails: ['in@example.com'] })).body).toEqual({ contacts: { success: [], failure: ['in@example.com'] } });
    expect((await call('GET', `/contacts/lists/${listId}`)).body).toMatchObject({ uniqueSubscribers: 1 });

    expect((await call('POST', `/contacts/lists/${listId}/contacts/remove`, { extIds: ['in'] })).body).toEqual({ contacts: { success: ['in'], failure: [] } });
    expect(brevo.state.byExtId('in')!.listIds).toEqual([]);
    await call('POST', `/contacts/lists/${listId}/contacts/add`, { extIds: ['in'] });
    expect((await call('DELETE', `/contacts/lists/${listId}`)).status).toBe(204);
    expect(brevo.state.byExtId('in')!.listIds).toEqual([]);
    expect((await call('POST', `/contacts/lists/${listId}/contacts/add`, { extIds: ['in'] })).status).toBe(404);
  });

  it('takes at most 150 contacts, of one kind, per membership request', async () => {
    const folderId = (await call('POST', '/contacts/folders', { name: 'Limits' })).body!.id as number;
    const listId = (await call('POST', '/contacts/lists', { name: 'Limits', folderId })).body!.id as number;
    const extIds = Array.from({ length: 151 }, (_, i) => `x${i}`);
    expect((await call('POST', `/contacts/lists/${listId}/contacts/add`, { extIds })).status).toBe(400);
    expect((await call('POST', `/contacts/lists/${listId}/contacts/add`, { extIds: extIds.slice(0, 150) })).status).toBe(201);
    expect((await call('POST', `/contacts/lists/${listId}/contacts/add`, { extIds: ['a'], emails: ['a@example.com'] })).status).toBe(400);
    expect((await call('POST', `/contacts/lists/${listId}/contacts/remove`, {})).status).toBe(400);
  });
});

describe.runIf(brevoSpecAvailable)("the list endpoints against Brevo's published spec", () => {
  const exact = brevoSpecAvailable ? new BrevoSpecValidator({ relax: false }) : null;
  const relaxed = brevoSpecAvailable ? new BrevoSpecValidator() : null;
  const ADD = '/v3/contacts/lists/:listId/contacts/add';
  const REMOVE = '/v3/contacts/lists/:listId/contacts/remove';

  it.each([ADD, REMOVE])("relaxation named: the spec's oneOf on POST %s rejects a valid body; Brevo's documentation accepts it", (route) => {
    expect(SPEC_RELAXATIONS[`POST ${route}`]).toBeDefined();
    exact!.check({ method: 'POST', route, body: { extIds: ['ext123'] } });
    expect(exact!.violations).toHaveLength(1);
    exact!.violations.length = 0;
    relaxed!.check({ method: 'POST', route, body: { extIds: ['ext123'] } });
    relaxed!.check({ method: 'POST', route, body: { emails: ['a@example.com'] } });
    expect(relaxed!.violations).toEqual([]);
    // Only that is relaxed: two kinds at once, or more than 150, still violate it.
    relaxed!.check({ method: 'POST', route, body: { extIds: ['a'], emails: ['a@example.com'] } });
    relaxed!.check({ method: 'POST', route, body: { extIds: Array.from({ length: 151 }, (_, i) => `x${i}`) } });
    expect(relaxed!.violations).toHaveLength(2);
    relaxed!.violations.length = 0;
  });

  const cases: [string, string, z.ZodObject][] = [
    ['POST', '/v3/contacts/folders', ZCreateFolder],
    ['POST', '/v3/contacts/lists', ZCreateList],
    ['PUT', '/v3/contacts/lists/:listId', ZUpdateList],
    ['POST', ADD, ZAddContactsToList],
    ['POST', REMOVE, ZRemoveContactsFromList],
  ];
  it.each(cases)('%s %s accepts exactly the properties the spec names', (method, route, schema) => {
    const spec = relaxed!.resolve(relaxed!.requestSchema(method, route)!);
    // A oneOf names its properties in its branches.
    const branches = ((spec.oneOf as object[] | undefined) ?? [spec]).map((branch) => relaxed!.resolve(branch));
    const specProperties = [...new Set(branches.flatMap((branch) => Object.keys((branch.properties ?? {}) as object)))].sort();
    expect(Object.keys(schema.shape).sort()).toEqual(specProperties);
  });
});
