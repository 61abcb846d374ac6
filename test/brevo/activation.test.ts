import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { BREVO_KEY, startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';

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

const connect = (ws: TestWorkspace) => harness.connect(ws);
const settle = (timeoutMs?: number) => harness.settle(timeoutMs);

async function upsert(ws: TestWorkspace, record: Record<string, unknown>) {
  const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: record });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<{ contact: { id: string; externalId: string } }>();
}

const brevoContact = (extId: string) => brevo.state.byExtId(extId);

describe('Brevo connection', () => {
  it('stores the key encrypted after a smoke test and never returns it', async () => {
    const ws = await createWorkspace(t.app);
    await connect(ws);
    const connection = await t.app.inject({ method: 'GET', url: '/v1/brevo/connection', headers: withKey(ws.readKey) });
    expect(connection.json()).toMatchObject({ apiKeyHint: '0001', accountEmail: 'simulator@brevo.invalid' });
    const row = await t.db.brevoConnection.findUniqueOrThrow({ where: { workspaceId: ws.id } });
    expect(row.apiKeyCiphertext).not.toContain(BREVO_KEY);
    const read = await t.app.inject({ method: 'GET', url: '/v1/brevo/connection', headers: withKey(ws.readKey) });
    expect(read.body).not.toContain(BREVO_KEY);
  });

  it('refuses a key Brevo rejects, naming the failure', async () => {
    const ws = await createWorkspace(t.app);
    const response = await t.app.inject({ method: 'PUT', url: '/v1/brevo/connection', headers: withKey(ws.adminKey), payload: { apiKey: 'xkeysib-wrong-key', baseUrl: brevo.baseUrl } });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ type: 'authentication' });
    expect(response.json<{ detail: string }>().detail).toContain('authentication');
    expect(await t.db.brevoConnection.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it('answers unreachable when Brevo cannot be reached', async () => {
    const ws = await createWorkspace(t.app);
    const response = await t.app.inject({ method: 'PUT', url: '/v1/brevo/connection', headers: withKey(ws.adminKey), payload: { apiKey: BREVO_KEY, baseUrl: 'http://127.0.0.1:1/v3' } });
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ type: 'vendor_unavailable' });
  });

  it('needs an admin key to connect', async () => {
    const ws = await createWorkspace(t.app);
    const response = await t.app.inject({ method: 'PUT', url: '/v1/brevo/connection', headers: withKey(ws.writeKey), payload: { apiKey: BREVO_KEY } });
    expect(response.statusCode).toBe(403);
  });
});

describe('contact activation', () => {
  it('activates upserts, deletions and erasures, and an identical re-send sends nothing', async () => {
    const ws = await createWorkspace(t.app);
    await connect(ws);
    const ana = await upsert(ws, { externalId: 'crm:1', email: 'Ana@Example.com', firstName: 'Ana', phone: '+14155552671' });
    const bo = await upsert(ws, { externalId: 'crm:2', email: 'bo@example.com' });
    await settle();
    expect(brevoContact('crm:1')).toMatchObject({ email: 'ana@example.com', attributes: { FIRSTNAME: 'Ana', SMS: '+14155552671' }, emailBlacklisted: false });
    expect(brevoContact('crm:2')).toMatchObject({ email: 'bo@example.com' });

    const before = brevo.state.count();
    await upsert(ws, { externalId: 'crm:1', email: 'Ana@Example.com', firstName: 'Ana', phone: '+14155552671' });
    await settle();
    expect(brevo.state.count()).toBe(before);

    await t.app.inject({ method: 'DELETE', url: `/v1/contacts/${ana.contact.id}`, headers: withKey(ws.writeKey) });
    await t.app.inject({ method: 'POST', url: `/v1/contacts/${bo.contact.id}/erasure`, headers: withKey(ws.adminKey) });
    await settle();
    expect(brevoContact('crm:1')).toBeUndefined();
    expect(brevoContact('crm:2')).toBeUndefined();
  });

  it('ends with Brevo equal to Tajo under 20% 429s, 5% 5xx and latency; refusals become dead letters', async () => {
    const ws = await createWorkspace(t.app);
    await connect(ws);
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05, latencyMs: [0, 15] });
    const count = 200;
    for (let i = 0; i < count; i += 1) {
      // Records 7 and 8 share a phone: Brevo refuses the second (SMS is unique in Brevo).
      const phone = `+1415555${String(i === 8 ? 7 : i).padStart(4, '0')}`;
      await upsert(ws, { externalId: `load:${i}`, email: `load${i}@example.com`, lastName: `L${i}`, phone });
    }
    // Each 429 pauses the account for the second Brevo announces: a fifth of 200 requests take a while.
    await settle(110_000);
    brevo.setFaults({});
    const refused = ['load:7', 'load:8'].filter((id) => !brevoContact(id));
    expect(refused).toHaveLength(1);
    for (let i = 0; i < count; i += 1) {
      if (refused.includes(`load:${i}`)) continue;
      expect(brevoContact(`load:${i}`)).toMatchObject({ email: `load${i}@example.com`, attributes: { LASTNAME: `L${i}` } });
    }
    const emails = [...brevo.state.contacts.values()].map((c) => c.email);
    expect(new Set(emails).size).toBe(emails.length);
    const letters = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?status=open', headers: withKey(ws.readKey) });
    const page = letters.json<{ data: { id: string; category: string; reason: string; sourceObjectId: string }[] }>();
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({ category: 'mapping', sourceObjectId: refused[0] });
    expect(page.data[0]!.reason).toContain('duplicate_parameter');
    // The simulator answered 429 and 5xx along the way, and the client got through anyway.
    expect(brevo.state.count((r) => r.status === 429)).toBeGreaterThan(0);
  }, 120_000);

  it('retries a dead letter with the current data once the cause is fixed, and only once', async () => {
    const ws = await createWorkspace(t.app);
    await connect(ws);
    await upsert(ws, { externalId: 'dl:1', email: 'dl1@example.com', phone: '+14155550901' });
    await upsert(ws, { externalId: 'dl:2', email: 'dl2@example.com', phone: '+14155550901' });
    await settle();
    const [letter] = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: withKey(ws.readKey) })).json<{ data: { id: string }[] }>().data;
    expect(letter).toBeDefined();
    await upsert(ws, { externalId: 'dl:2', email: 'dl2@example.com', phone: '+14155550902' });
    const retried = await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter!.id}/retry`, headers: withKey(ws.writeKey) });
    expect(retried.json()).toMatchObject({ status: 'retried' });
    await settle();
    expect(brevoContact('dl:2')).toMatchObject({ attributes: { SMS: '+14155550902' } });
    const sent = brevo.state.count();
    const again = await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter!.id}/retry`, headers: withKey(ws.writeKey) });
    expect(again.json()).toMatchObject({ status: 'retried', result: 'already_retried' });
    await settle();
    // A second retry of the letter re-sends nothing, and never creates anything.
    expect(brevo.state.count()).toBe(sent);
    expect([...brevo.state.contacts.values()].filter((c) => c.extId === 'dl:2')).toHaveLength(1);
    // Retried, it is handled: it can no longer be discarded.
    const discarded = await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter!.id}/discard`, headers: withKey(ws.writeKey) });
    expect(discarded.statusCode).toBe(409);
    const other = await createWorkspace(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/v1/dead-letters/${letter!.id}`, headers: withKey(other.readKey) })).statusCode).toBe(404);
  });
});

describe('custom attributes', () => {
  it('ensures each attribute once, with the type of its values, before the first contact that uses it', async () => {
    const ws = await createWorkspace(t.app);
    await connect(ws);
    const creations = () => brevo.state.count((r) => r.method === 'POST' && r.route.startsWith('/v3/contacts/attributes/'));
    const reads = () => brevo.state.count((r) => r.method === 'GET' && r.route === '/v3/contacts/attributes');
    const [creationsBefore, readsBefore] = [creations(), reads()];
    for (let i = 0; i < 30; i += 1) await upsert(ws, { externalId: `attr:${i}`, email: `attr${i}@example.com`, attributes: { plan: 'pro', seats: i, vip: i % 2 === 0, nickname: null } });
    await settle();
    expect(brevo.state.attributes.get('PLAN')).toMatchObject({ type: 'text' });
    expect(brevo.state.attributes.get('SEATS')).toMatchObject({ type: 'float' });
    expect(brevo.state.attributes.get('VIP')).toMatchObject({ type: 'boolean' });
    expect(brevo.state.attributes.has('NICKNAME')).toBe(false);
    expect(brevoContact('attr:3')).toMatchObject({ attributes: { PLAN: 'pro', SEATS: 3, VIP: false } });
    expect(creations() - creationsBefore).toBe(3);
    expect(reads() - readsBefore).toBe(1);

    // A value Brevo cannot store in the attribute's type is a mapping dead letter naming it.
    await upsert(ws, { externalId: 'attr:bad', email: 'attr-bad@example.com', attributes: { seats: 'many' } });
    await settle();
    const letters = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: withKey(ws.readKey) })).json<{ data: { category: string; reason: string; sourceObjectId: string }[] }>().data;
    expect(letters).toEqual([expect.objectContaining({ category: 'mapping', sourceObjectId: 'attr:bad' })]);
    expect(letters[0]!.reason).toContain('SEATS');
  });
});

describe('consent safety', () => {
  it('keeps a blocklisted contact blocklisted through updates, email changes and replays', async () => {
    const ws = await createWorkspace(t.app);
    await connect(ws);
    await upsert(ws, { externalId: 'c:1', email: 'old@example.com' });
    await upsert(ws, { externalId: 'c:2', email: 'out@example.com', consent: { email: { status: 'opted_out', source: 'preference-center', timestamp: '2026-11-01T00:00:00Z' } } });
    await settle();
    expect(brevoContact('c:2')).toMatchObject({ emailBlacklisted: true });
    // c:1 unsubscribes inside Brevo: Tajo does not know.
    brevoContact('c:1')!.emailBlacklisted = true;

    // Updates with unknown consent, an email change (which makes Brevo lift a blocklist), and a replay.
    await upsert(ws, { externalId: 'c:1', email: 'new@example.com', firstName: 'Changed' });
    await upsert(ws, { externalId: 'c:2', email: 'out-new@example.com', consent: { email: { status: 'opted_out', source: 'preference-center', timestamp: '2026-11-01T00:00:00Z' } } });
    await settle();
    expect(brevoContact('c:1')).toMatchObject({ email: 'new@example.com', emailBlacklisted: true });
    expect(brevoContact('c:2')).toMatchObject({ email: 'out-new@example.com', emailBlacklisted: true });

    const contact = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'c:1' } });
    await t.db.brevoContactState.deleteMany({ where: { contactId: contact.id } });
    await t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'contact', entityId: contact.id, operation: 'upsert', entityVersion: contact.version } });
    await settle();
    expect(brevoContact('c:1')).toMatchObject({ emailBlacklisted: true });
  });
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
