/**
 * Contract test: every action's execute and every trigger's poll of connector/connector.rb, run
 * against the API on a real loopback port, through the harness (test/support/workato), not
 * Workato's runtime. Each answer must match the fields the connector declares, and the results must
 * be what the API did. A connector generated from a mutated spec fails the same checks.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConnector } from '../../scripts/connector/render.ts';
import type { OpenApiDocument } from '../../api/src/operations/catalog.ts';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { conformance, WorkatoHarness, type HarnessResult, type Json } from '../support/workato/harness.ts';
import { defineTypes } from '../objects/support.ts';

type Row = Record<string, Json>;

let t: TestApp;
let ws: TestWorkspace;
let baseUrl: string;
let harness: WorkatoHarness;
const exercised = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app, { defaultPhoneRegion: 'GB' });
  baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0 });
  harness = await WorkatoHarness.load({ base_url: baseUrl, api_key: ws.writeKey });
}, 60_000);
afterAll(() => t.close());

/** Runs an action, checks its answer against the declared output fields, and returns it. */
async function act(action: string, input: Json, on = harness): Promise<Row> {
  exercised.add(action);
  const result = await on.execute(action, input);
  if (!result.ok) throw new Error(`${action}: ${result.error}`);
  const fields = await on.value({ kind: 'output_fields', key: action });
  expect(conformance(fields, result.value), `${action} output vs its output fields`).toEqual([]);
  return result.value as Row;
}

async function poll(trigger: string, input: Json, closure: Json = null) {
  exercised.add(trigger);
  const result = await harness.poll(trigger, input, closure);
  const fields = await harness.value({ kind: 'output_fields', key: trigger });
  for (const event of result.events) expect(conformance(fields, event), `${trigger} event vs its output fields`).toEqual([]);
  return result;
}

const actionKeys = () => JSON.parse(harness.eval('$connector[:actions].keys.map(&:to_s).to_json')) as string[];
const pickListKeys = () => JSON.parse(harness.eval('$connector[:pick_lists].keys.map(&:to_s).to_json')) as string[];
const triggerKeys = () => JSON.parse(harness.eval('$connector[:triggers].keys.select { |key| $connector[:triggers][key].key?(:poll) }.map(&:to_s).to_json')) as string[];

describe('every action and polling trigger against the running API', () => {
  it('test shows the workspace the key belongs to', async () => {
    const workspace = (await harness.value({ kind: 'test' })) as Row;
    expect(workspace.id).toBe(ws.id);
  });

  it('contacts', async () => {
    const created = await act('create_contact', { source: 'crm', sourceId: 'c-1', email: '  Grace.Hopper@Example.COM ', phone: '020 7946 0018', firstName: 'Grace' });
    expect(created.result).toBe('created');
    const contact = created.contact as Row;
    expect(contact).toMatchObject({ externalId: 'crm:c-1', email: 'grace.hopper@example.com', phone: '+442079460018' });

    const upserted = await act('upsert_contact', { source: 'crm', sourceId: 'c-1', email: 'grace.hopper@example.com', firstName: 'Grace', lastName: 'Hopper' });
    expect(upserted.result).toBe('updated');

    const batch = await act('batch_upsert_contacts', { records: [{ source: 'crm', sourceId: 'c-2', email: 'ada@example.com' }, { source: 'crm', sourceId: 'c-3', email: 'not-an-email' }] });
    expect(batch).toMatchObject({ success_count: 1, failed_count: 1 });
    expect((batch.failed_records as Row[])[0]).toMatchObject({ list_index: 1, status: 'rejected' });
    expect(((batch.failed_records as Row[])[0]!.errors as Row[])[0]!.field).toMatch(/email/);

    expect((await act('lookup_contact', { email: 'GRACE.HOPPER@example.com' })).id).toBe(contact.id);
    expect((await act('get_contact', { id: contact.id })).lastName).toBe('Hopper');
    const updated = await act('update_contact', { id: contact.id, locale: 'en_gb' });
    expect((updated.contact as Row).locale).toBe('en-GB');
    const page = await act('search_contacts', { externalId: 'crm:c-2' });
    expect((page.data as Row[]).map((row) => row.email)).toEqual(['ada@example.com']);
    await act('upsert_contact', { source: 'crm', sourceId: 'c-2', email: 'ada@example.com', attributes: { plan: 'pro' } });
    exercised.add('contact_attributes');
    expect(await harness.value({ kind: 'pick_list', key: 'contact_attributes' })).toEqual([['plan', 'plan']]);
    const pro = await act('search_contacts', { attribute: 'plan', attributeValue: 'pro' });
    expect((pro.data as Row[]).map((row) => row.externalId)).toEqual(['crm:c-2']);

    // An upsert repeated later with the same input acts again: no derived key replays a stale answer.
    for (const firstName of ['Ada', 'Augusta', 'Ada']) await act('upsert_contact', { source: 'crm', sourceId: 'c-5', email: 'ada.king@example.com', firstName });
    expect(await act('lookup_contact', { externalId: 'crm:c-5' })).toMatchObject({ firstName: 'Ada', version: 3 });
    // A create is not repeatable: its derived key makes Workato's retry of the same step answer the first result.
    const first = await harness.execute('create_list', { name: 'Retried list' });
    const retried = await harness.execute('create_list', { name: 'Retried list' });
    expect(retried).toMatchObject({ ok: true, value: (first as { value: Json }).value });
    expect(first.requests[0]!.headers['Idempotency-Key']).toMatch(/^workato-createList-[0-9a-f]{64}$/);

    const doomed = (await act('create_contact', { source: 'crm', sourceId: 'c-4', email: 'doomed@example.com' })).contact as Row;
    expect(await act('delete_contact', { id: doomed.id })).toMatchObject({ id: doomed.id, status: 'deleted' });

    // Erasure needs the admin scope: the write key gets a permission error Workato's log can tell apart.
    const refused = await harness.execute('erase_contact', { id: doomed.id });
    expect(refused).toMatchObject({ ok: false, class: 'ConnectorError' });
    expect((refused as { error: string }).error).toMatch(/^Permission denied \(permission, HTTP 403\): .*admin.* Check the API key/);
    const admin = await WorkatoHarness.load({ base_url: baseUrl, api_key: ws.adminKey });
    expect(await act('erase_contact', { id: doomed.id }, admin)).toMatchObject({ id: doomed.id, status: 'erased' });
  });

  it('events', async () => {
    const tracked = await act('track_event', {
      eventId: 'shop:order:1',
      name: 'order_completed',
      occurredAt: 1763900000,
      contact: { email: 'Ada@Example.com' },
      properties: { total_cents: 4990 },
    });
    expect(tracked.result).toBe('created');
    const event = tracked.event as Row;
    expect(event).toMatchObject({ name: 'order_completed', occurredAt: '2025-11-23T12:13:20.000Z' });

    const batch = await act('track_events', { events: [{ name: 'page_viewed', occurredAt: '2026-11-23', contact: { email: 'ada@example.com' } }, { name: 'page viewed!', occurredAt: '2026-11-23', contact: {} }] });
    expect(batch).toMatchObject({ success_count: 1, failed_count: 1 });

    expect((await act('get_event', { id: event.id })).eventId).toBe('shop:order:1');
    expect(((await act('search_events', { name: 'order_completed' })).data as Row[]).map((row) => row.id)).toEqual([event.id]);
    exercised.add('event_names');
    expect(await harness.value({ kind: 'pick_list', key: 'event_names' })).toEqual([
      ['order_completed', 'order_completed'],
      ['page_viewed', 'page_viewed'],
    ]);
  });

  it('lists', async () => {
    const list = await act('create_list', { name: 'VIP customers' });
    expect(list.name).toBe('VIP customers');
    exercised.add('lists');
    expect(await harness.value({ kind: 'pick_list', key: 'lists' })).toContainEqual(['VIP customers', list.id]);
    expect((await act('get_list', { id: list.id })).id).toBe(list.id);
    expect((await act('rename_list', { id: list.id, name: 'VIPs' })).name).toBe('VIPs');
    expect(((await act('search_lists', { name: 'VIPs' })).data as Row[]).map((row) => row.id)).toEqual([list.id]);

    const added = await act('add_list_members', { id: list.id, contacts: [{ externalId: 'crm:c-1' }, { externalId: 'crm:nobody' }] });
    expect(added.counts).toMatchObject({ added: 1, rejected: 1 });
    const removed = await act('remove_list_members', { id: list.id, contacts: [{ externalId: 'crm:c-1' }] });
    expect(removed.counts).toMatchObject({ removed: 1 });
    expect(await act('delete_list', { id: list.id })).toMatchObject({ id: list.id });
  });

  it('object records', async () => {
    await defineTypes(t.app, ws);
    exercised.add('object_types');
    expect(await harness.value({ kind: 'pick_list', key: 'object_types' })).toContainEqual(['subscription', 'subscription']);
    expect(((await act('search_object_types', {})).data as Row[]).map((row) => row.name)).toEqual(['vehicle', 'subscription']);
    expect((await act('get_object_type', { objectType: 'subscription' })).associations).toEqual(['contact', 'vehicle']);
    const written = await act('upsert_object_record', {
      objectType: 'subscription',
      attributes: { subscription_id: 'SUB-1', monthly_price: { currency: 'eur', amount: '9.90' } },
      associations: [{ objectType: 'contact', externalId: 'crm:c-1' }],
    });
    const record = written.record as Row;
    expect(record.attributes).toEqual({ subscription_id: 'SUB-1', monthly_price: { currency: 'EUR', amountMinor: 990 } });
    const batch = await act('batch_upsert_object_records', { objectType: 'subscription', records: [{ attributes: { subscription_id: 'SUB-2' } }, { attributes: { seats: 'x' } }] });
    expect(batch).toMatchObject({ success_count: 1, failed_count: 1 });
    expect((await act('get_object_record', { objectType: 'subscription', id: record.id })).externalId).toBe('SUB-1');
    expect((await act('lookup_object_record', { objectType: 'subscription', externalId: 'SUB-1' })).id).toBe(record.id);
    expect(((await act('search_object_records', { objectType: 'subscription', contactExternalId: 'crm:c-1' })).data as Row[]).map((row) => row.id)).toEqual([record.id]);
    const associated = await act('associate_object_record', { objectType: 'subscription', id: record.id, associations: [{ objectType: 'vehicle', externalId: 'VIN-1' }] });
    expect((associated.results as Row[])[0]!.status).toBe('created');
    const dissociated = await act('dissociate_object_record', { objectType: 'subscription', id: record.id, associations: [{ objectType: 'vehicle', externalId: 'VIN-1' }] });
    expect((dissociated.results as Row[])[0]!.status).toBe('removed');
    const polled = await poll('new_or_updated_object_record', { objectType: 'subscription', since: '2020-01-01T00:00:00Z' });
    expect(polled.events.map((event) => (event as Row).externalId)).toEqual(['SUB-1', 'SUB-2']);
    expect(await act('delete_object_record', { objectType: 'subscription', id: record.id })).toEqual({ id: record.id, status: 'deleted' });
    const admin = await WorkatoHarness.load({ base_url: baseUrl, api_key: ws.adminKey });
    const erased = await act('erase_object_record', { objectType: 'subscription', id: (batch.successful_records as Row[])[0]!.id }, admin);
    expect(erased.status).toBe('erased');
  });

  it('transactional email and campaign drafts', async () => {
    const message = await act('send_transactional_message', { to: { externalId: 'crm:c-1' }, templateId: 12, params: { ORDER: 'A-1' } });
    expect((await act('get_message', { id: message.id })).id).toBe(message.id);
    const list = await act('create_list', { name: 'Newsletter' });
    const draft = await act('create_campaign_draft', { name: 'December news', listId: list.id, subject: 'News', sender: { name: 'Shop', email: 'news@shop.example' }, templateId: 12 });
    expect((await act('get_campaign_draft', { id: draft.id })).name).toBe('December news');
  });

  it('dead letters', async () => {
    const contact = (await act('upsert_contact', { source: 'crm', sourceId: 'c-9', email: 'lin@example.com' })).contact as Row;
    const letter = await t.app.services.deadLetters.record({
      workspaceId: ws.id,
      entityType: 'contact',
      entityId: contact.id as string,
      sourceObjectId: contact.externalId as string,
      category: 'mapping',
      reason: 'Brevo answered 400 duplicate_parameter: SMS is already associated with another Contact',
      request: { operation: 'upsertContact' },
      response: { code: 'duplicate_parameter' },
    });
    const found = await act('search_dead_letters', { category: 'mapping' });
    expect((found.data as Row[]).map((row) => row.id)).toContain(letter.id);
    expect((await act('get_dead_letter', { id: letter.id })).reason).toMatch(/duplicate_parameter/);
    expect((await act('retry_dead_letter', { id: letter.id })).status).toBe('retried');
    const other = await t.app.services.deadLetters.record({ workspaceId: ws.id, entityType: 'contact', entityId: contact.id as string, sourceObjectId: 'crm:c-9', category: 'validation', reason: 'x', request: {}, response: {} });
    expect((await act('discard_dead_letter', { id: other.id })).status).toBe('discarded');
  });

  it('polling triggers', async () => {
    const since = '2020-01-01T00:00:00Z';
    const contacts = await poll('new_or_updated_contact', { since });
    expect(contacts.events.map((event) => (event as Row).externalId)).toEqual(expect.arrayContaining(['crm:c-1', 'crm:c-2']));
    const events = await poll('new_event', { since, name: 'order_completed' });
    expect(events.events.map((event) => (event as Row).eventId)).toEqual(['shop:order:1']);
    const letters = await poll('new_dead_letter', { since });
    expect(letters.events.length).toBe(2);
  });

  it('left no action, polling trigger or pick list unexercised', () => {
    for (const key of [...actionKeys(), ...triggerKeys(), ...pickListKeys()]) expect(exercised, key).toContain(key);
  });
});

describe('polling', () => {
  it('never returns a record twice across polls, and returns an updated record once more with a new dedup key', async () => {
    const workspace = await createWorkspace(t.app);
    const poller = await WorkatoHarness.load({ base_url: baseUrl, api_key: workspace.writeKey });
    const record = (sourceId: string, firstName: string) => ({ source: 'shop', sourceId, firstName, email: `${sourceId}@example.com` });
    const upsert = (sourceId: string, firstName: string) => poller.value({ kind: 'execute', key: 'upsert_contact', args: [record(sourceId, firstName)] });
    // 250 contacts: more than two pages of a poll.
    const seeded = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(workspace.writeKey), payload: { records: Array.from({ length: 250 }, (_, i) => record(`p${i}`, 'A')) } });
    expect(seeded.json<{ counts: { created: number } }>().counts.created).toBe(250);

    const dedupKeys: string[] = [];
    const collect = async (closure: Json) => {
      let next = closure;
      for (;;) {
        const result = await poller.poll('new_or_updated_contact', { since: '2020-01-01T00:00:00Z' }, next);
        for (const event of result.events) dedupKeys.push((await poller.value({ kind: 'dedup', key: 'new_or_updated_contact', args: [event] })) as string);
        next = result.next_poll;
        if (!result.can_poll_more) return next;
      }
    };
    let closure = await collect(null);
    expect(dedupKeys).toHaveLength(250);
    expect(new Set(dedupKeys).size).toBe(250);

    // Polling again with the same closure finds nothing new...
    closure = await collect(closure);
    expect(dedupKeys).toHaveLength(250);
    // ...and a record updated since comes back once, under a new dedup key.
    await upsert('p7', 'B');
    closure = await collect(closure);
    expect(dedupKeys).toHaveLength(251);
    const [id] = dedupKeys[250]!.split('@');
    expect(dedupKeys.filter((key) => key.startsWith(`${id}@`))).toHaveLength(2);
    expect(new Set(dedupKeys).size).toBe(251);
    await collect(closure);
    expect(dedupKeys).toHaveLength(251);
  });
});

describe('merging writes: what a recipe leaves empty stays in Tajo, and older data answers stale', () => {
  let connector: WorkatoHarness;
  beforeAll(async () => {
    const workspace = await createWorkspace(t.app);
    await defineTypes(t.app, workspace);
    connector = await WorkatoHarness.load({ base_url: baseUrl, api_key: workspace.writeKey });
  }, 60_000);

  it('contacts, single, batch and update', async () => {
    const identity = { source: 'crm', sourceId: 'm-1', email: 'merge@example.com' };
    const created = await act('upsert_contact', {
      ...identity,
      firstName: 'Grace',
      lastName: 'Hopper',
      phone: '+442079460018',
      attributes: { plan: 'pro', tier: 'gold' },
      consent: { email: { status: 'opted_out', timestamp: '2026-03-01T00:00:00Z' } },
      sourceUpdatedAt: '2026-03-01T00:00:00Z',
    }, connector);
    expect(created).toMatchObject({ result: 'created', skipped: [] });

    // A later job whose datapills are empty (nil) or blank: nothing stored is cleared, not even the opt-out.
    const empty = await act('upsert_contact', {
      ...identity,
      firstName: null,
      lastName: '',
      phone: '',
      attributes: { plan: '', tier: null },
      consent: { email: { status: null, timestamp: '' } },
      sourceUpdatedAt: '2026-03-02T00:00:00Z',
    }, connector);
    expect(empty.result).toBe('unchanged');
    expect(empty.contact).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', phone: '+442079460018', attributes: { plan: 'pro', tier: 'gold' }, consent: { email: { status: 'opted_out' } } });

    // Asked to clear: what is mapped empty is cleared (attributes by name, a blank phone as null); the rest stays.
    const clearing = await act('upsert_contact', { ...identity, lastName: '', phone: '', attributes: { tier: '' }, clear_empty_fields: true, sourceUpdatedAt: '2026-03-03T00:00:00Z' }, connector);
    expect(clearing.result).toBe('updated');
    expect(clearing.contact).toMatchObject({ firstName: 'Grace', lastName: null, phone: null, attributes: { plan: 'pro' } });
    expect((clearing.contact as Row).attributes).toEqual({ plan: 'pro' });

    // Older than what Tajo holds: stale, naming what it kept.
    const older = await act('upsert_contact', { ...identity, firstName: 'Amazing Grace', sourceUpdatedAt: '2026-01-01T00:00:00Z' }, connector);
    expect(older).toMatchObject({ result: 'stale', contact: { firstName: 'Grace' } });
    expect(older.skipped).toContain('firstName');

    const id = (created.contact as Row).id as string;
    const patched = await act('update_contact', { id, firstName: null, locale: 'fr_ca', attributes: { plan: '' }, sourceUpdatedAt: '2026-03-04T00:00:00Z' }, connector);
    expect(patched).toMatchObject({ result: 'updated', contact: { firstName: 'Grace', locale: 'fr-CA', attributes: { plan: 'pro' } } });

    const batch = await act('batch_upsert_contacts', {
      records: [
        { source: 'crm', sourceId: 'm-2', email: 'lin@example.com', firstName: 'Lin', lastName: '' },
        { ...identity, firstName: 'Older', lastName: null, sourceUpdatedAt: '2025-01-01T00:00:00Z' },
      ],
    }, connector);
    expect(batch).toMatchObject({ success_count: 2, failed_count: 0 });
    const [fresh, stale] = batch.successful_records as Row[];
    expect(fresh).toMatchObject({ list_index: 0, status: 'created' });
    expect(stale).toMatchObject({ list_index: 1, status: 'stale' });
    expect(stale!.skipped).toContain('firstName');
    const stored = await act('lookup_contact', { externalId: 'crm:m-1' }, connector);
    expect(stored).toMatchObject({ firstName: 'Grace', lastName: null, locale: 'fr-CA' });
  });

  it('object records, single and batch', async () => {
    const objectType = 'subscription';
    await act('upsert_object_record', { objectType, attributes: { subscription_id: 'SUB-M', seats: 3, active: true } }, connector);
    const empty = await act('upsert_object_record', { objectType, externalId: '', attributes: { subscription_id: 'SUB-M', seats: '', active: null }, sourceUpdatedAt: null }, connector);
    expect(empty).toMatchObject({ result: 'unchanged', record: { attributes: { subscription_id: 'SUB-M', seats: 3, active: true } } });

    const batch = await act('batch_upsert_object_records', { objectType, records: [{ attributes: { subscription_id: 'SUB-M', seats: '' } }], clear_empty_fields: true }, connector);
    expect((batch.successful_records as Row[])[0]).toMatchObject({ status: 'updated' });
    const record = await act('lookup_object_record', { objectType, externalId: 'SUB-M' }, connector);
    expect(record.attributes).toEqual({ subscription_id: 'SUB-M', active: true });

    const older = await act('upsert_object_record', { objectType, attributes: { subscription_id: 'SUB-M', active: false }, sourceUpdatedAt: '2020-01-01T00:00:00Z' }, connector);
    expect(older).toMatchObject({ result: 'stale', record: { attributes: { active: true } } });
    expect(older.skipped).toContain('attributes.active');
  });
});

describe('a connector out of step with the API fails the contract', () => {
  const spec = () => JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;
  const components = (document: OpenApiDocument) => document.components.schemas as Record<string, { properties: Record<string, unknown>; required?: string[] }>;

  it('when the spec renames an answer field', async () => {
    const document = spec();
    const contact = components(document).Contact!;
    contact.properties.emailAddress = contact.properties.email;
    delete contact.properties.email;
    contact.required = contact.required!.map((name) => (name === 'email' ? 'emailAddress' : name));
    const mutated = await WorkatoHarness.load({ base_url: baseUrl, api_key: ws.writeKey }, renderConnector(document));
    const contactId = (((await harness.value({ kind: 'execute', key: 'lookup_contact', args: [{ email: 'grace.hopper@example.com' }] })) as Row).id) as string;
    const result = (await mutated.execute('get_contact', { id: contactId })) as HarnessResult & { ok: true };
    const problems = conformance(await mutated.value({ kind: 'output_fields', key: 'get_contact' }), result.value);
    expect(problems).toEqual(['$.email: not declared in the connector\'s fields', "$.emailAddress: required by the connector, missing from the answer"]);
  });

  it('when the spec renames an input field', async () => {
    const document = spec();
    const record = components(document).ContactRecordInput!;
    record.properties.givenName = record.properties.firstName;
    delete record.properties.firstName;
    const mutated = await WorkatoHarness.load({ base_url: baseUrl, api_key: ws.writeKey }, renderConnector(document));
    const result = await mutated.execute('upsert_contact', { email: 'mutant@example.com', givenName: 'Max' });
    expect(result.ok).toBe(false);
    expect((result as { error: string }).error).toMatch(/^Invalid request \(validation, HTTP 400\).*givenName/);
  });
});

describe('the connection with OAuth2 client credentials', () => {
  it('acquires a token on the first 401, reuses it, acquires again when it stops working, and names a bad secret', async () => {
    const keyId = ((await harness.value({ kind: 'test' })) as { apiKey: { id: string } }).apiKey.id;
    const oauth = await WorkatoHarness.load({ base_url: baseUrl, auth_type: 'client_credentials', client_id: keyId, client_secret: ws.writeKey });
    const first = await oauth.run({ kind: 'test' });
    expect(first).toMatchObject({ ok: true, acquisitions: 1, value: { id: ws.id } });
    const used = (first as { requests: { headers: Record<string, string>; url: string }[] }).requests;
    expect(used.map((request) => new URL(request.url).pathname)).toEqual(['/v1/workspace', '/v1/oauth/token', '/v1/workspace']);
    expect(used[2]!.headers.Authorization).toMatch(/^Bearer tajo_at_/);
    expect(used.some((request) => 'X-API-Key' in request.headers)).toBe(false);

    const second = await oauth.execute('upsert_contact', { source: 'oauth', sourceId: '1', email: 'oauth@example.com' });
    expect(second).toMatchObject({ ok: true, acquisitions: 0, value: { result: 'created' } });

    // A token that no longer opens (the server's key rotated, or it expired) is replaced on the 401.
    const stale = await WorkatoHarness.load({ base_url: baseUrl, auth_type: 'client_credentials', client_id: keyId, client_secret: ws.writeKey, access_token: 'tajo_at_stale.token' });
    expect(await stale.run({ kind: 'test' })).toMatchObject({ ok: true, acquisitions: 1 });

    const wrong = await WorkatoHarness.load({ base_url: baseUrl, auth_type: 'client_credentials', client_id: keyId, client_secret: ws.readKey });
    const refused = await wrong.run({ kind: 'test' });
    expect(refused).toMatchObject({ ok: false, class: 'ConnectorError' });
    expect((refused as { error: string }).error).toMatch(/^Authentication failed \(authentication, HTTP 401\): .*Check the API key/);
  });
});
