import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { GENERAL_TIER_CONTACTS, GENEROUS_LIMITS, startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import type { BrevoSimulator, RequestRecord } from '../../api/src/simulators/brevo/server.ts';
import { brevoListName } from '../../api/src/brevo/list-activation.ts';
import { TAJO_FOLDER } from '../../api/src/brevo/catalog.ts';

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

const settle = () => harness.settle(180_000);

async function call(ws: TestWorkspace, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) {
  const response = await t.app.inject({ method, url, headers: withKey(ws.writeKey), ...(payload ? { payload } : {}) });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<{ id: string }>();
}

async function createContacts(ws: TestWorkspace, prefix: string, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({ externalId: `${prefix}:${i}`, email: `${prefix}${i}@example.com` }));
  for (let i = 0; i < records.length; i += 1000) await call(ws, 'POST', '/v1/contacts/batch', { records: records.slice(i, i + 1000) });
  return records.map((record) => record.externalId);
}

const createList = async (ws: TestWorkspace, name: string) => (await call(ws, 'POST', '/v1/lists', { name })).id;
const members = (ws: TestWorkspace, listId: string, externalIds: string[], operation: 'add' | 'remove') =>
  call(ws, 'POST', `/v1/lists/${listId}/members/${operation}`, { contacts: externalIds.map((externalId) => ({ externalId })) });

const brevoListId = async (listId: string) => (await t.db.brevoListState.findUniqueOrThrow({ where: { listId } })).brevoListId!;
const brevoMembers = (id: number) => [...brevo.state.contacts.values()].filter((c) => c.listIds.includes(id)).map((c) => c.extId!).sort();
const tajoMembers = async (listId: string) =>
  (await t.db.listMembership.findMany({ where: { listId }, include: { contact: true } })).map((m) => m.contact.externalId).sort();

/** Brevo's lists as Tajo should have them: one per Tajo list of the workspace, by its deterministic name, with its members. */
async function expectBrevoEqualsTajo(ws: TestWorkspace) {
  const lists = await t.db.list.findMany({ where: { workspaceId: ws.id } });
  for (const list of lists) {
    const id = await brevoListId(list.id);
    expect(brevo.state.listStore.lists.get(id)).toMatchObject({ name: brevoListName(list) });
    expect(brevoMembers(id)).toEqual(await tajoMembers(list.id));
  }
  const names = [...brevo.state.listStore.lists.values()].map((list) => list.name);
  expect(new Set(names).size).toBe(names.length);
}

const requestsTo = (route: string, method = 'POST') => (r: RequestRecord) => r.route === route && r.method === method && r.status < 300;
const ADD = '/v3/contacts/lists/:listId/contacts/add';
const REMOVE = '/v3/contacts/lists/:listId/contacts/remove';
const catalogRequests = () => brevo.state.count((r) => r.route.startsWith('/v3/contacts/folders') || (r.route === '/v3/contacts/lists' && r.method === 'POST'));

describe('list activation', () => {
  it('creates lists once in one Tajo folder, renames and deletes them, and finds a half-recorded list by name', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const vip = await createList(ws, 'VIP');
    const churn = await createList(ws, 'Churn risk');
    await settle();
    expect([...brevo.state.listStore.folders.values()].map((f) => f.name)).toEqual([TAJO_FOLDER]);
    await expectBrevoEqualsTajo(ws);
    // The folder was looked up and created once; each list looked up in it and created once.
    expect(brevo.state.count(requestsTo('/v3/contacts/folders', 'GET'))).toBe(1);
    expect(brevo.state.count(requestsTo('/v3/contacts/folders'))).toBe(1);
    expect(brevo.state.count(requestsTo('/v3/contacts/folders/:folderId/lists', 'GET'))).toBe(2);
    expect(brevo.state.count(requestsTo('/v3/contacts/lists'))).toBe(2);

    await call(ws, 'PATCH', `/v1/lists/${vip}`, { name: 'Very important' });
    await settle();
    await expectBrevoEqualsTajo(ws);
    expect(brevo.state.listStore.lists.size).toBe(2);

    // A crash after Brevo created the list but before Tajo recorded its ID, and a lost catalog:
    // the list is found again by its name, not created twice.
    const before = await brevoListId(churn);
    await t.db.brevoListState.update({ where: { listId: churn }, data: { brevoListId: null } });
    await t.db.brevoCatalogEntry.deleteMany({ where: { kind: 'list' } });
    await t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'list', entityId: churn, operation: 'upsert', entityVersion: 1 } });
    await settle();
    expect(await brevoListId(churn)).toBe(before);
    expect(brevo.state.listStore.lists.size).toBe(2);

    await call(ws, 'DELETE', `/v1/lists/${vip}`);
    await settle();
    expect([...brevo.state.listStore.lists.values()].map((l) => l.id)).toEqual([before]);
    expect(await t.db.brevoListState.count({ where: { listId: vip } })).toBe(0);
  });

  it('sends memberships in requests of at most 150 and ends with Brevo equal to Tajo; a replay changes nothing', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    const ids = await createContacts(ws, 'm', 400);
    const all = await createList(ws, 'Everyone');
    const some = await createList(ws, 'Some');
    await settle();
    const catalog = catalogRequests();
    await members(ws, all, ids, 'add');
    await members(ws, some, ids.slice(0, 160), 'add');
    await settle();
    await expectBrevoEqualsTajo(ws);
    // 400 in 150 + 150 + 100, and 160 in 150 + 10: a request of more than 150 would have been refused.
    expect(brevo.state.count(requestsTo(ADD))).toBe(5);
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);

    await members(ws, all, ids.slice(0, 200), 'remove');
    await settle();
    await expectBrevoEqualsTajo(ws);
    expect(brevo.state.count(requestsTo(REMOVE))).toBe(2);

    // Replay after a crash that lost every record of what Brevo has: the same changes go out once
    // more, Brevo reports them as already made, and the end state is unchanged.
    await t.db.brevoListMember.deleteMany({ where: { listId: { in: [all, some] } } });
    for (const listId of [all, some]) {
      await t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'list_membership', entityId: listId, operation: 'sync', entityVersion: 1 } });
    }
    await settle();
    await expectBrevoEqualsTajo(ws);
    expect(brevo.state.count(requestsTo(ADD))).toBe(5 + 2 + 2);
    // Lists already in Brevo cost no folder or list lookups.
    expect(catalogRequests()).toBe(catalog);
  }, 120_000);

  it('ends with Brevo equal to Tajo under 20% 429s and 5% 5xx, with memberships queued before their contacts reach Brevo', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05, latencyMs: [0, 10] });
    const ids = await createContacts(ws, 'f', 200);
    const lists = [await createList(ws, 'Faulty A'), await createList(ws, 'Faulty B'), await createList(ws, 'Faulty C')];
    await members(ws, lists[0]!, ids, 'add');
    await members(ws, lists[1]!, ids.slice(40, 200), 'add');
    await members(ws, lists[2]!, ids.slice(0, 20), 'add');
    await members(ws, lists[0]!, ids.slice(0, 30), 'remove');
    await call(ws, 'PATCH', `/v1/lists/${lists[1]}`, { name: 'Faulty B, renamed' });
    await settle();
    await call(ws, 'DELETE', `/v1/lists/${lists[2]}`);
    await settle();
    brevo.setFaults({});
    await expectBrevoEqualsTajo(ws);
    expect(brevoMembers(await brevoListId(lists[0]!))).toHaveLength(170);
    expect(brevoMembers(await brevoListId(lists[1]!))).toHaveLength(160);
    expect(await t.db.brevoListState.count({ where: { listId: lists[2] } })).toBe(0);
    expect([...brevo.state.listStore.lists.values()].filter((l) => l.name.startsWith('Tajo · Faulty'))).toHaveLength(2);
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(brevo.state.count((r) => r.status === 429 && r.family === 'other')).toBeGreaterThan(0);
  }, 240_000);

  it('does not wait for a refused contact, and takes it into its lists once it reaches Brevo, as it does a revived one', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    await call(ws, 'POST', '/v1/contacts/upsert', { externalId: 'r:1', email: 'r1@example.com', phone: '+14155550301' });
    await call(ws, 'POST', '/v1/contacts/upsert', { externalId: 'r:2', email: 'r2@example.com', phone: '+14155550301' });
    await settle();
    const list = await createList(ws, 'With a refused member');
    await members(ws, list, ['r:1', 'r:2'], 'add');
    await settle();
    const letter = await t.db.deadLetter.findFirstOrThrow({ where: { workspaceId: ws.id, entityType: 'contact' } });
    const refused = (await t.db.contact.findUniqueOrThrow({ where: { id: letter.entityId! } })).externalId;
    const accepted = refused === 'r:1' ? 'r:2' : 'r:1';
    expect(brevoMembers(await brevoListId(list))).toEqual([accepted]);

    // Fixed at the source: the contact reaches Brevo, and its list follows without any list change.
    await call(ws, 'POST', '/v1/contacts/upsert', { externalId: refused, email: `${refused.replace(':', '')}@example.com`, phone: '+14155550302' });
    await settle();
    expect(brevoMembers(await brevoListId(list))).toEqual(['r:1', 'r:2']);

    // Deleted (Brevo drops it from its lists), then revived: back in the list in Brevo too.
    const { id } = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: accepted } });
    await call(ws, 'DELETE', `/v1/contacts/${id}`);
    await settle();
    expect(brevoMembers(await brevoListId(list))).toEqual([refused]);
    await call(ws, 'POST', '/v1/contacts/upsert', { externalId: accepted, email: `${accepted.replace(':', '')}@example.com`, phone: '+14155550303' });
    await settle();
    await expectBrevoEqualsTajo(ws);
    expect(brevoMembers(await brevoListId(list))).toEqual(['r:1', 'r:2']);
  }, 120_000);

  it('takes contacts revived in bulk (sent to Brevo as an import) back into their Brevo lists', async () => {
    // Contacts at Brevo's general tier, in the simulator as in the connection: the revival goes as an import.
    brevo.setLimits(GENERAL_TIER_CONTACTS);
    onTestFinished(() => brevo.setLimits(GENEROUS_LIMITS));
    const ws = await createWorkspace(t.app);
    await harness.connect(ws, GENERAL_TIER_CONTACTS);
    const ids = await createContacts(ws, 'v', 60);
    const list = await createList(ws, 'Revived');
    await members(ws, list, ids, 'add');
    await settle();
    expect(brevoMembers(await brevoListId(list))).toHaveLength(60);
    for (const { id } of await t.db.contact.findMany({ where: { workspaceId: ws.id } })) {
      const response = await t.app.inject({ method: 'DELETE', url: `/v1/contacts/${id}`, headers: withKey(ws.writeKey) });
      expect(response.statusCode).toBe(200);
    }
    await settle();
    expect(brevoMembers(await brevoListId(list))).toEqual([]);
    const imports = brevo.state.count(requestsTo('/v3/contacts/import'));
    await createContacts(ws, 'v', 60);
    await settle();
    expect(brevo.state.count(requestsTo('/v3/contacts/import'))).toBeGreaterThan(imports);
    await expectBrevoEqualsTajo(ws);
    expect(brevoMembers(await brevoListId(list))).toHaveLength(60);
  }, 120_000);
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
