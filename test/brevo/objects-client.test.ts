import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrevoRequestFailed, SdkBrevoApi, type BrevoObjectRecord, type BrevoProcess } from '../../api/src/brevo/client.ts';
import { AccountRateLimiter, MemoryBudgetStore } from '../../api/src/brevo/rate-limit.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { BREVO_KEY, GENEROUS_LIMITS, startCheckedSimulator } from '../support/activation.ts';
import type { BrevoSpecValidator } from '../support/brevo-spec.ts';

let brevo: BrevoSimulator;
let validator: BrevoSpecValidator | null;
const answers: (number | string)[] = [];
let api: SdkBrevoApi;

beforeAll(async () => {
  ({ brevo, validator } = await startCheckedSimulator({ objectsDelayMs: 30 }));
  api = new SdkBrevoApi({
    apiKey: BREVO_KEY,
    baseUrl: brevo.baseUrl,
    limiter: new AccountRateLimiter(new MemoryBudgetStore(), 'objects-client-test', GENEROUS_LIMITS),
    retry: { maxAttempts: 6, baseDelayMs: 10, maxDelayMs: 50 },
    onResponse: ({ status }) => answers.push(status),
  });
  brevo.state.objects.defineType('vehicle', { attributes: { make: 'text', year: 'number', electric: 'boolean' }, associations: ['contact', 'garage'] });
  brevo.state.objects.defineType('garage', { attributes: { name: 'text' } });
  brevo.state.objects.defineType('invoice', { attributes: { total: 'number' } });
});
// Every request the client sent, whatever the test, fits Brevo's published spec.
afterEach(() => expect(validator?.violations ?? []).toEqual([]));
afterAll(() => brevo.close());

async function completed(processId: number): Promise<BrevoProcess> {
  for (let tries = 0; tries < 100; tries += 1) {
    const process = await api.getProcess(processId);
    if (process.status === 'completed') return process;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`process ${processId} did not complete`);
}

async function upsert(objectType: string, records: BrevoObjectRecord[]) {
  const { processId } = await api.upsertObjectRecords(objectType, records);
  return completed(processId);
}

const vehicle = (extId: string, attributes: BrevoObjectRecord['attributes'], associations?: BrevoObjectRecord['associations']): BrevoObjectRecord => ({
  identifiers: { ext_id: extId },
  attributes,
  ...(associations ? { associations } : {}),
});

describe('object records through the client and the simulator', () => {
  it('creates, then updates, records by ext_id once the process completes; Brevo keeps its id', async () => {
    const { processId } = await api.upsertObjectRecords('vehicle', [vehicle('v-1', { make: 'Renault', year: 2019 }), vehicle('v-2', { make: 'Kia' })]);
    // Asynchronous: nothing is applied when Brevo answers.
    expect(brevo.state.objects.byExtId('vehicle', 'v-1')).toBeUndefined();
    expect(await completed(processId)).toMatchObject({ status: 'completed', objectRecordErrors: [] });
    const first = brevo.state.objects.byExtId('vehicle', 'v-1')!;
    expect(first.attributes).toEqual({ make: 'Renault', year: 2019 });

    await upsert('vehicle', [vehicle('v-1', { year: 2020, electric: true })]);
    expect(brevo.state.objects.byExtId('vehicle', 'v-1')).toMatchObject({ id: first.id, attributes: { make: 'Renault', year: 2020, electric: true } });
    // By Brevo's id, a record is updated too.
    await upsert('vehicle', [{ identifiers: { id: first.id }, attributes: { make: 'Dacia' } }]);

    const listed = await api.listObjectRecords('vehicle', { limit: 10, page: 1 });
    expect(listed?.count).toBe(2);
    expect(listed?.records.map(({ extId, attributes }) => ({ extId, attributes }))).toEqual([
      { extId: 'v-1', attributes: { make: 'Dacia', year: 2020, electric: true } },
      { extId: 'v-2', attributes: { make: 'Kia' } },
    ]);
    expect(listed?.records[0]).toMatchObject({ id: first.id, createdAt: first.createdAt, associations: [] });
  });

  it('pages records oldest first, with their count', async () => {
    await upsert('invoice', Array.from({ length: 5 }, (_, i) => ({ identifiers: { ext_id: `inv-${i}` }, attributes: { total: i } })));
    const second = await api.listObjectRecords('invoice', { limit: 2, page: 2 });
    expect(second).toMatchObject({ count: 5, records: [{ extId: 'inv-2' }, { extId: 'inv-3' }] });
    expect((await api.listObjectRecords('invoice', { limit: 2, page: 4 }))?.records).toEqual([]);
  });

  it('refuses an object type Brevo does not have: the upsert with 400, the listing reads as none', async () => {
    const refused = await api.upsertObjectRecords('spaceship', [vehicle('s-1', { make: 'x' })]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BrevoRequestFailed);
    expect(refused).toMatchObject({ category: 'mapping', details: { status: 400 } });
    expect((refused as Error).message).toContain('invalid object type');
    expect(await api.listObjectRecords('spaceship', { limit: 1, page: 1 })).toBeNull();
    // Contacts are not listed as objects.
    expect(await api.listObjectRecords('contact', { limit: 1, page: 1 })).toBeNull();
    expect(await api.listObjectRecords('vehicle', { limit: 1, page: 1 })).not.toBeNull();
  });

  it('drops attributes the type does not have without a word, as Brevo does: only reading back shows it', async () => {
    const process = await upsert('vehicle', [vehicle('v-3', { make: 'Fiat', colour: 'red', Year: 2001 })]);
    expect(process.objectRecordErrors).toEqual([]);
    expect(brevo.state.objects.byExtId('vehicle', 'v-3')?.attributes).toEqual({ make: 'Fiat' });
    const stored = (await api.listObjectRecords('vehicle', { limit: 100, page: 1 }))?.records.find((record) => record.extId === 'v-3');
    expect(stored?.attributes).toEqual({ make: 'Fiat' });
  });

  it('reports each record whose association Brevo cannot make, and applies the others of the batch', async () => {
    const ana = brevo.state.write({ email: 'ana@example.com', extId: 'contact-ana' }, true).contact;
    const bo = brevo.state.write({ email: 'bo@example.com' }, true).contact;
    await upsert('garage', [{ identifiers: { ext_id: 'g-1' }, attributes: { name: 'Central' } }]);
    const process = await upsert('vehicle', [
      vehicle('v-10', { make: 'Seat' }, [{ object_type: 'contact', records: [{ identifiers: { ext_id: 'contact-ana' } }, { identifiers: { id: bo.id } }] }]),
      vehicle('v-11', { make: 'Opel' }, [{ object_type: 'contact', records: [{ identifiers: { ext_id: 'contact-not-yet' } }] }]),
      vehicle('v-12', { make: 'Mini' }, [{ object_type: 'garage', records: [{ identifiers: { ext_id: 'g-1' } }] }]),
      vehicle('v-13', { make: 'Audi' }, [{ object_type: 'invoice', records: [{ identifiers: { ext_id: 'inv-1' } }] }]),
      { identifiers: { id: 999_999 }, attributes: { make: 'Ghost' } },
    ]);
    expect(process.objectRecordErrors).toEqual([
      { index: 1, identifiers: { ext_id: 'v-11' }, reason: expect.stringContaining('contact record with ext_id contact-not-yet does not exist') },
      { index: 3, identifiers: { ext_id: 'v-13' }, reason: expect.stringContaining('no association between vehicle and invoice') },
      { index: 4, identifiers: { id: 999_999 }, reason: expect.stringContaining('does not exist') },
    ]);
    // A refused record is not applied at all; the others are, with their links.
    expect(brevo.state.objects.byExtId('vehicle', 'v-11')).toBeUndefined();
    expect(brevo.state.objects.byExtId('vehicle', 'v-13')).toBeUndefined();
    const linked = brevo.state.objects.byExtId('vehicle', 'v-10')!;
    expect([...linked.associations.get('contact')!]).toEqual([ana.id, bo.id]);
    // An association goes both ways between object records.
    const garage = brevo.state.objects.byExtId('garage', 'g-1')!;
    expect([...garage.associations.get('vehicle')!]).toEqual([brevo.state.objects.byExtId('vehicle', 'v-12')!.id]);

    // Once the contact exists, the same record goes through.
    brevo.state.write({ email: 'late@example.com', extId: 'contact-not-yet' }, true);
    expect((await upsert('vehicle', [vehicle('v-11', { make: 'Opel' }, [{ object_type: 'contact', records: [{ identifiers: { ext_id: 'contact-not-yet' } }] }])])).objectRecordErrors).toEqual([]);

    const listed = await api.listObjectRecords('vehicle', { limit: 100, page: 1 }, { associations: true });
    expect(listed?.records.find((record) => record.extId === 'v-10')?.associations).toEqual([{ objectType: 'contact', ids: [ana.id, bo.id] }]);
  });

  it('retries 429 and 5xx answers, and the batch is applied once', async () => {
    answers.length = 0;
    brevo.setFaults({ rateLimited: 1 });
    const rateLimited = api.upsertObjectRecords('invoice', [{ identifiers: { ext_id: 'inv-retried' }, attributes: { total: 1 } }]);
    await waitFor(() => answers.includes(429));
    brevo.setFaults({ serverError: 1 });
    await waitFor(() => answers.some((status) => typeof status === 'number' && status >= 500));
    brevo.setFaults({});
    const { processId } = await rateLimited;
    expect((await completed(processId)).objectRecordErrors).toEqual([]);
    expect(answers.at(0)).toBe(429);
    expect(answers).toContain(202);
    expect(brevo.state.objects.records('invoice').filter((record) => record.extId === 'inv-retried')).toHaveLength(1);
    expect(brevo.state.count((request) => request.route === '/v3/objects/:object_type/batch/upsert' && request.family === 'other')).toBeGreaterThanOrEqual(3);
  });

  it('checks a batch before sending it: Brevo would refuse it whole', async () => {
    const before = brevo.state.count();
    await expect(api.upsertObjectRecords('vehicle', [])).rejects.toThrow(RangeError);
    await expect(api.upsertObjectRecords('vehicle', Array.from({ length: 1001 }, (_, i) => vehicle(`many-${i}`, { make: 'x' })))).rejects.toThrow(RangeError);
    const heavy = Array.from({ length: 3 }, (_, i) => vehicle(`heavy-${i}`, { make: 'x'.repeat(400_000) }));
    await expect(api.upsertObjectRecords('vehicle', heavy)).rejects.toThrow(/splitObjectRecords/);
    await expect(api.upsertObjectRecords('vehicle', [vehicle('v', { make: 'x' }, Array.from({ length: 11 }, () => ({ object_type: 'contact', records: [{ identifiers: { id: 1 } }] })))])).rejects.toThrow(/at most 10 associations/);
    expect(brevo.state.count()).toBe(before);
  });
});

async function waitFor(condition: () => boolean) {
  for (let tries = 0; !condition(); tries += 1) {
    if (tries > 500) throw new Error('condition never met');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the simulator's batch upsert refuses what Brevo refuses, whole (400)", () => {
  const post = (objectType: string, body: unknown) =>
    fetch(`${brevo.baseUrl}/objects/${objectType}/batch/upsert`, { method: 'POST', headers: { 'api-key': BREVO_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const record = (i: number, extra: object = {}) => ({ identifiers: { ext_id: `limit-${i}` }, attributes: { make: 'x' }, ...extra });
  const contacts = (count: number) => ({ object_type: 'contact', records: Array.from({ length: count }, (_, i) => ({ identifiers: { id: i + 1 } })) });

  it.each([
    ['1,001 records', { records: Array.from({ length: 1001 }, (_, i) => record(i)) }],
    ['no records', { records: [] }],
    ['a body over 1 MB', { records: Array.from({ length: 3 }, (_, i) => record(i, { attributes: { make: 'x'.repeat(400_000) } })) }],
    ['11 associations', { records: [record(0, { associations: Array.from({ length: 11 }, () => contacts(1)) })] }],
    ['101 records in an association', { records: [record(0, { associations: [contacts(101)] })] }],
    ['an empty association', { records: [record(0, { associations: [contacts(0)] })] }],
    ['ext_id and id together', { records: [record(0, { identifiers: { ext_id: 'a', id: 1 } })] }],
    ['an associated record without identifier', { records: [record(0, { associations: [{ object_type: 'contact', records: [{ identifiers: {} }] }] })] }],
    ['a record without attributes', { records: [{ identifiers: { ext_id: 'bare' }, attributes: {} }] }],
    ['a property Brevo does not have', { records: [record(0, { action: 'link' })] }],
  ])('%s', async (_name, body) => {
    // These requests are invalid on purpose: they do not count against the client's spec conformance.
    const violations = validator?.violations.length ?? 0;
    const before = brevo.state.processes.size;
    const answer = await post('vehicle', body);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: expect.stringMatching(/invalid_parameter|missing_parameter/) });
    expect(brevo.state.processes.size).toBe(before);
    validator?.violations.splice(violations);
  });

  it('accepts the limits themselves: 1,000 records, 10 associations of 100 records', async () => {
    expect((await post('invoice', { records: Array.from({ length: 1000 }, (_, i) => ({ identifiers: { ext_id: `bulk-${i}` }, attributes: { total: i } })) })).status).toBe(202);
    expect((await post('vehicle', { records: [record(0, { associations: Array.from({ length: 10 }, () => contacts(100)) })] })).status).toBe(202);
  });
});
