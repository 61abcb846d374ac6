import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { GENERAL_TIER_CONTACTS, startActivationHarness, type ActivationHarness } from '../support/activation.ts';

let harness: ActivationHarness;

beforeAll(async () => {
  // Contacts at Brevo's general tier, in the simulator as in the connection: a backlog goes as an import.
  harness = await startActivationHarness({ limits: GENERAL_TIER_CONTACTS });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const count = (method: string, route: string) => harness.brevo.state.count((r) => r.method === method && r.route === route);

describe('backfill through Brevo imports', () => {
  it('activates the contacts written before Brevo was connected as one import, read back to confirm; the rest one by one', async () => {
    const { t, brevo } = harness;
    const ws = await createWorkspace(t.app);
    const records = Array.from({ length: 300 }, (_, i) => ({
      externalId: `bf:${i}`,
      email: `bf${i}@example.com`,
      firstName: `F${i}`,
      // Records 10 and 11 share a phone: Brevo's import takes one and skips the other without saying so.
      phone: `+1415556${String(i === 11 ? 10 : i).padStart(4, '0')}`,
      attributes: { tier: i % 2 === 0 ? 'gold' : 'silver' },
      // A lone opt-out goes on its own: an import's blocklist flag applies to all its rows, and one is too few for an import.
      ...(i === 20 ? { consent: { email: { status: 'opted_out', source: 'crm', timestamp: '2026-11-01T00:00:00Z' } } } : {}),
    }));
    const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect(written.json<{ counts: { created: number } }>().counts.created).toBe(300);
    const list = (await t.app.inject({ method: 'POST', url: '/v1/lists', headers: withKey(ws.writeKey), payload: { name: 'Early birds' } })).json<{ id: string }>();
    await t.app.inject({ method: 'POST', url: `/v1/lists/${list.id}/members/add`, headers: withKey(ws.writeKey), payload: { contacts: [{ externalId: 'bf:0' }, { externalId: 'bf:1' }, { externalId: 'bf:2' }] } });
    // Their activation ran and found no Brevo account: nothing was sent.
    await harness.settle();
    expect(brevo.state.contacts.size).toBe(0);
    const status = async () => (await t.app.inject({ method: 'GET', url: '/v1/brevo/activation', headers: withKey(ws.readKey) })).json<{ contacts: number; inBrevo: number; pending: number; refused: number }>();
    expect(await status()).toMatchObject({ contacts: 300, inBrevo: 0, pending: 300, refused: 0 });

    await harness.connect(ws, GENERAL_TIER_CONTACTS);
    await harness.settle();

    expect(count('POST', '/v3/contacts/import')).toBe(1);
    // The opt-out, and the phone Brevo's import skipped (sent alone, it is refused with a reason).
    expect(count('POST', '/v3/contacts')).toBe(2);
    // Read back on the contacts family; the import's process asked about once, when the reads stopped confirming rows.
    expect(count('GET', '/v3/contacts')).toBeGreaterThanOrEqual(1);
    expect(count('GET', '/v3/processes/:processId')).toBe(1);
    expect(count('GET', '/v3/processes')).toBe(0);
    // Tajo's folder, made once; the import list and the early list, each made once.
    expect(count('POST', '/v3/contacts/folders')).toBe(1);
    expect(count('POST', '/v3/contacts/lists')).toBe(2);
    expect(brevo.state.contacts.size).toBe(299);
    expect(brevo.state.byExtId('bf:7')).toMatchObject({ email: 'bf7@example.com', attributes: { FIRSTNAME: 'F7', TIER: 'silver', SMS: '+14155560007' }, emailBlacklisted: false });
    expect(brevo.state.byExtId('bf:20')).toMatchObject({ emailBlacklisted: true });
    // The list made before the connection, with its members.
    const early = [...brevo.state.listStore.lists.values()].find((candidate) => candidate.name.startsWith('Tajo · Early birds · '))!;
    expect(early).toBeDefined();
    expect([...brevo.state.contacts.values()].filter((contact) => contact.listIds.includes(early.id)).map((contact) => contact.extId).sort()).toEqual(['bf:0', 'bf:1', 'bf:2']);
    const refused = brevo.state.byExtId('bf:10') ? 'bf:11' : 'bf:10';
    expect(brevo.state.byExtId(refused)).toBeUndefined();
    // Tajo's own account of it: the refused contact is the one with an open dead letter.
    expect(await status()).toMatchObject({ contacts: 300, inBrevo: 299, pending: 0, refused: 1 });

    const letters = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: withKey(ws.readKey) })).json<{ data: { category: string; sourceObjectId: string; reason: string }[] }>().data;
    expect(letters).toEqual([expect.objectContaining({ category: 'mapping', sourceObjectId: refused })]);
    expect(letters[0]!.reason).toContain('duplicate_parameter');

    // Running the backfill again queues only what Brevo does not have (the refused contact).
    const again = await t.app.inject({ method: 'POST', url: '/v1/brevo/backfill', headers: withKey(ws.writeKey) });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual({ queued: 1, lists: 1, objects: 0 });
    await harness.settle();
    expect(count('POST', '/v3/contacts/import')).toBe(1);
    expect(count('POST', '/v3/contacts/lists')).toBe(2);
  });

  it('confirms a clean import by reading it back, asking nothing of the hourly family', async () => {
    const { t, brevo } = harness;
    const ws = await createWorkspace(t.app);
    await harness.connect(ws, GENERAL_TIER_CONTACTS);
    const [imports, reads, processes] = [count('POST', '/v3/contacts/import'), count('GET', '/v3/contacts'), brevo.state.count((r) => r.route.startsWith('/v3/processes'))];
    const records = Array.from({ length: 120 }, (_, i) => ({ externalId: `clean:${i}`, email: `clean${i}@example.com`, lastName: `L${i}` }));
    await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    await harness.settle();
    expect(count('POST', '/v3/contacts/import') - imports).toBe(1);
    expect(count('GET', '/v3/contacts') - reads).toBeGreaterThanOrEqual(1);
    expect(brevo.state.count((r) => r.route.startsWith('/v3/processes')) - processes).toBe(0);
    for (const record of records) expect(brevo.state.byExtId(record.externalId)).toMatchObject({ email: record.email });
    expect(await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })).toBe(120);
  });

  it('imports opt-outs too, one import per blocklist, and lifts no blocklist Brevo holds', async () => {
    const { t, brevo } = harness;
    const ws = await createWorkspace(t.app);
    const optOut = (status: string) => ({ status, source: 'crm', timestamp: '2026-11-01T00:00:00Z' });
    // A third opted out of email (as the demo's customers), a tenth of SMS: the two large
    // combinations go as imports, the two small ones (10 SMS only, 5 both) one by one.
    const records = Array.from({ length: 150 }, (_, i) => ({
      externalId: `out:${i}`,
      email: `out${i}@example.com`,
      phone: `+1415557${String(i).padStart(4, '0')}`,
      consent: { ...(i % 3 === 1 ? { email: optOut('opted_out') } : i % 3 === 0 ? { email: optOut('opted_in') } : {}), ...(i % 10 === 0 ? { sms: optOut('opted_out') } : {}) },
    }));
    // Unsubscribed in Brevo itself, not opted out in Tajo: the import must leave that as it is.
    brevo.state.write({ email: 'out2@example.com', extId: 'out:2', emailBlacklisted: true }, true);
    const [imports, singles] = [count('POST', '/v3/contacts/import'), count('POST', '/v3/contacts')];
    await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    await harness.connect(ws, GENERAL_TIER_CONTACTS);
    await harness.settle();

    expect(count('POST', '/v3/contacts/import') - imports).toBe(2);
    expect(count('POST', '/v3/contacts') - singles).toBe(15);
    for (let i = 0; i < 150; i += 1) {
      expect(brevo.state.byExtId(`out:${i}`), `out:${i}`).toMatchObject({ emailBlacklisted: i % 3 === 1 || i === 2, smsBlacklisted: i % 10 === 0 });
    }
    expect(await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })).toBe(150);
  });

  it('answers 404 to a backfill without a Brevo connection', async () => {
    const ws = await createWorkspace(harness.t.app);
    const response = await harness.t.app.inject({ method: 'POST', url: '/v1/brevo/backfill', headers: withKey(ws.writeKey) });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
