import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

interface ListBody {
  id: string;
  name: string;
  memberCount: number;
  version: number;
}

describe('lists', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}, key?: string) =>
    t.app.inject({ method, url, headers: withKey(key ?? ws.writeKey, headers), ...(payload ? { payload } : {}) });
  const outbox = (entityId: string) => t.db.activationOutbox.findMany({ where: { workspaceId: ws.id, entityId }, orderBy: { id: 'asc' } });

  async function contact(externalId: string) {
    const response = await call('POST', '/v1/contacts/upsert', { externalId, email: `${externalId.replace(/\W/g, '')}@example.com` });
    return response.json<{ contact: { id: string } }>().contact.id;
  }

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
  });
  afterAll(() => t.close());

  it('creates, reads, renames and deletes a list, queueing each change with it', async () => {
    const created = await call('POST', '/v1/lists', { name: '  VIP customers ' });
    expect(created.statusCode).toBe(201);
    const list = created.json<ListBody>();
    expect(list).toMatchObject({ name: 'VIP customers', memberCount: 0, version: 1 });
    expect((await call('GET', `/v1/lists/${list.id}`, undefined, {}, ws.readKey)).json()).toEqual(created.json());

    const duplicate = await call('POST', '/v1/lists', { name: 'VIP customers' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers['content-type']).toContain('application/problem+json');

    const renamed = await call('PATCH', `/v1/lists/${list.id}`, { name: 'Top customers' });
    expect(renamed.json()).toMatchObject({ name: 'Top customers', version: 2 });
    // The same name again changes nothing and queues nothing.
    expect((await call('PATCH', `/v1/lists/${list.id}`, { name: 'Top customers' })).json()).toMatchObject({ version: 2 });
    const other = (await call('POST', '/v1/lists', { name: 'Other' })).json<ListBody>();
    expect((await call('PATCH', `/v1/lists/${other.id}`, { name: 'Top customers' })).statusCode).toBe(409);

    expect((await call('DELETE', `/v1/lists/${list.id}`)).json()).toEqual({ id: list.id, status: 'deleted' });
    expect((await call('GET', `/v1/lists/${list.id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/lists/${list.id}`)).statusCode).toBe(404);
    expect((await outbox(list.id)).map((row) => [row.entityType, row.operation, row.entityVersion])).toEqual([
      ['list', 'upsert', 1],
      ['list', 'upsert', 2],
      ['list', 'delete', 3],
    ]);
    // The name is free again.
    expect((await call('POST', '/v1/lists', { name: 'Top customers' })).statusCode).toBe(201);
  });

  it('adds and removes members by Tajo ID or external ID, with a result per reference', async () => {
    const list = (await call('POST', '/v1/lists', { name: 'Members' })).json<ListBody>();
    const ana = await contact('crm:ana');
    const bo = await contact('crm:bo');
    const added = await call('POST', `/v1/lists/${list.id}/members/add`, {
      contacts: [{ contactId: ana }, { externalId: 'crm:bo' }, { externalId: 'crm:ana' }, { externalId: 'crm:nobody' }, { contactId: 'not-a-uuid' }, {}, { contactId: ana, externalId: 'crm:ana' }],
    });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toEqual({
      results: [
        { index: 0, status: 'added', contactId: ana, reason: null },
        { index: 1, status: 'added', contactId: bo, reason: null },
        { index: 2, status: 'already_member', contactId: ana, reason: null },
        { index: 3, status: 'rejected', contactId: null, reason: 'no contact with this external ID in the workspace' },
        { index: 4, status: 'rejected', contactId: null, reason: 'contactId is not a Tajo ID' },
        { index: 5, status: 'rejected', contactId: null, reason: 'give exactly one of contactId or externalId' },
        { index: 6, status: 'rejected', contactId: null, reason: 'give exactly one of contactId or externalId' },
      ],
      counts: { added: 2, already_member: 1, rejected: 4 },
    });
    expect((await call('GET', `/v1/lists/${list.id}`)).json()).toMatchObject({ memberCount: 2 });
    // Nothing changed: nothing is queued.
    expect((await call('POST', `/v1/lists/${list.id}/members/add`, { contacts: [{ contactId: bo }] })).json()).toMatchObject({ counts: { already_member: 1 } });

    const removed = await call('POST', `/v1/lists/${list.id}/members/remove`, { contacts: [{ externalId: 'crm:ana' }, { externalId: 'crm:ana' }] });
    expect(removed.json()).toMatchObject({ results: [{ status: 'removed', contactId: ana }, { status: 'not_member', contactId: ana }], counts: { removed: 1, not_member: 1 } });
    expect((await call('GET', `/v1/lists/${list.id}`)).json()).toMatchObject({ memberCount: 1 });
    // A deleted contact is not counted, nor can it be added.
    await call('DELETE', `/v1/contacts/${bo}`);
    expect((await call('GET', `/v1/lists/${list.id}`)).json()).toMatchObject({ memberCount: 0 });
    expect((await call('POST', `/v1/lists/${list.id}/members/add`, { contacts: [{ contactId: bo }] })).json()).toMatchObject({ counts: { rejected: 1 } });
    expect((await outbox(list.id)).map((row) => [row.entityType, row.operation])).toEqual([
      ['list', 'upsert'],
      ['list_membership', 'sync'],
      ['list_membership', 'sync'],
    ]);
  });

  it('replays a membership change sent again with the same Idempotency-Key', async () => {
    const list = (await call('POST', '/v1/lists', { name: 'Idempotent' })).json<ListBody>();
    const id = await contact('crm:idem');
    const first = await call('POST', `/v1/lists/${list.id}/members/add`, { contacts: [{ contactId: id }] }, { 'idempotency-key': 'add-once' });
    const again = await call('POST', `/v1/lists/${list.id}/members/add`, { contacts: [{ contactId: id }] }, { 'idempotency-key': 'add-once' });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(first.json()).toMatchObject({ counts: { added: 1 } });
  });

  it('searches by part of the name, page by page, and keeps workspaces apart', async () => {
    const mine = await createWorkspace(t.app);
    const names = ['Spring sale', 'Summer SALE', 'Newsletter'];
    for (const name of names) await call('POST', '/v1/lists', { name }, {}, mine.writeKey);
    const first = await call('GET', '/v1/lists?name=sale&limit=1', undefined, {}, mine.readKey);
    const page1 = first.json<{ data: ListBody[]; nextCursor: string }>();
    expect(page1.data.map((l) => l.name)).toEqual(['Spring sale']);
    const page2 = (await call('GET', `/v1/lists?name=sale&limit=1&cursor=${page1.nextCursor}`, undefined, {}, mine.readKey)).json<{ data: ListBody[]; nextCursor: null }>();
    expect(page2.data.map((l) => l.name)).toEqual(['Summer SALE']);
    const all = (await call('GET', '/v1/lists?limit=200', undefined, {}, mine.readKey)).json<{ data: ListBody[]; nextCursor: string | null }>();
    expect(all.data.map((l) => l.name).sort()).toEqual([...names].sort());
    expect(all.nextCursor).toBeNull();
    // Another workspace's list answers 404, whatever the operation.
    const foreign = all.data[0]!.id;
    expect((await call('GET', `/v1/lists/${foreign}`)).statusCode).toBe(404);
    expect((await call('PATCH', `/v1/lists/${foreign}`, { name: 'Mine now' })).statusCode).toBe(404);
    expect((await call('POST', `/v1/lists/${foreign}/members/add`, { contacts: [{ externalId: 'crm:ana' }] })).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/lists/${foreign}`)).statusCode).toBe(404);
  });

  it('refuses bad input with problem+json', async () => {
    const empty = await call('POST', '/v1/lists', { name: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    const list = (await call('POST', '/v1/lists', { name: 'Limits' })).json<ListBody>();
    const tooMany = await call('POST', `/v1/lists/${list.id}/members/add`, { contacts: Array.from({ length: 1001 }, (_, i) => ({ externalId: `x:${i}` })) });
    expect(tooMany.statusCode).toBe(400);
    expect((await call('POST', `/v1/lists/${list.id}/members/add`, { contacts: [] })).statusCode).toBe(400);
    expect((await call('POST', '/v1/lists', { name: 'Read only' }, {}, ws.readKey)).statusCode).toBe(403);
  });
});
