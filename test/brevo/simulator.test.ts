import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { ZCreateAttribute, ZCreateContact, ZImportContacts, ZObjectAssociation, ZObjectIdentifiers, ZObjectRecord, ZObjectRecordsQuery, ZUpsertObjectRecords } from '../../api/src/simulators/brevo/schemas.ts';
import { BrevoSpecValidator, brevoSpecAvailable } from '../support/brevo-spec.ts';
import type { z } from 'zod';

const KEY = 'xkeysib-simulator-test';
let brevo: BrevoSimulator;
beforeAll(async () => {
  brevo = await startBrevoSimulator({ apiKeys: [KEY], limits: { contacts: { limit: 3, windowSeconds: 60 } } });
});
afterAll(() => brevo.close());

const call = (method: string, path: string, body?: unknown, key = KEY) =>
  fetch(`${brevo.baseUrl}${path}`, { method, headers: { 'api-key': key, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe('Brevo simulator', () => {
  it('answers an unknown key 401 and an invalid body 400 with {code, message}', async () => {
    expect((await call('GET', '/account', undefined, 'nope')).status).toBe(401);
    const invalid = await call('POST', '/contacts', { email: 'not an email' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ code: 'invalid_parameter' });
  });

  it('enforces uniqueness, lifts a blocklist on email change, and limits the contacts family with headers', async () => {
    expect((await call('POST', '/contacts', { email: 'a@example.com', ext_id: 'x1', emailBlacklisted: true })).status).toBe(201);
    const duplicate = await call('POST', '/contacts', { email: 'a@example.com' });
    expect(await duplicate.json()).toMatchObject({ code: 'duplicate_parameter' });
    const changed = await call('POST', '/contacts', { email: 'b@example.com', ext_id: 'x1', updateEnabled: true });
    expect(changed.status).toBe(429);
    expect(changed.headers.get('x-sib-ratelimit-limit')).toBe('3');
    expect(changed.headers.get('x-sib-ratelimit-remaining')).toBe('0');
    brevo.state.write({ email: 'b@example.com', extId: 'x1' }, true);
    expect(brevo.state.byExtId('x1')).toMatchObject({ email: 'b@example.com', emailBlacklisted: false });
  });
});

describe.runIf(brevoSpecAvailable)("the simulator's request schemas against Brevo's published spec", () => {
  const validator = brevoSpecAvailable ? new BrevoSpecValidator() : null;
  const cases: [string, string, z.ZodObject][] = [
    ['POST', '/v3/contacts', ZCreateContact],
    ['POST', '/v3/contacts/import', ZImportContacts],
    ['POST', '/v3/contacts/attributes/:attributeCategory/:attributeName', ZCreateAttribute],
    ['POST', '/v3/objects/:object_type/batch/upsert', ZUpsertObjectRecords],
  ];
  it.each(cases)('%s %s accepts exactly the properties the spec names', (method, route, schema) => {
    const spec = validator!.resolve(validator!.requestSchema(method, route)!);
    const specProperties = Object.keys((spec.properties ?? {}) as object).sort();
    expect(Object.keys(schema.shape).sort()).toEqual(specProperties);
  });
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec, checked on path and query parameters too", () => {
  const request = (url: string) => ({ method: 'GET', route: '/v3/contacts/:identifier', url, body: undefined });

  it("names its defect: the contact identifier's oneOf of string and integer refuses a numeric identifier, read as anyOf", () => {
    const exact = new BrevoSpecValidator({ relax: false });
    exact.check(request('/v3/contacts/12345?identifierType=ext_id'));
    exact.check(request('/v3/contacts/ana%40example.com?identifierType=email_id'));
    expect(exact.violations).toEqual([expect.stringContaining('path parameter identifier="12345" does not fit')]);
    const relaxed = new BrevoSpecValidator();
    relaxed.check(request('/v3/contacts/12345?identifierType=ext_id'));
    expect(relaxed.violations).toEqual([]);
  });

  it('counts values outside a parameter’s schema, and parameters the operation does not have', () => {
    const validator = new BrevoSpecValidator();
    validator.check(request('/v3/contacts/crm%3A1?identifierType=name'));
    validator.check(request('/v3/contacts/crm%3A1?identifierType=ext_id&verbose=1'));
    validator.check({ method: 'GET', route: '/v3/contacts', url: '/v3/contacts?limit=5000', body: undefined });
    expect(validator.violations).toEqual([
      expect.stringContaining('query parameter identifierType="name" does not fit'),
      expect.stringContaining('query verbose is not a parameter of the operation'),
      expect.stringContaining('query parameter limit="5000" does not fit'),
    ]);
  });
});

describe.runIf(brevoSpecAvailable)("the objects batch upsert's schema against Brevo's published spec, level by level", () => {
  const route = '/v3/objects/:object_type/batch/upsert';
  type Node = { properties?: Record<string, Node>; items?: Node; oneOf?: Node[]; minItems?: number; maxItems?: number };
  // Each array item is a `oneOf` whose first branch names the properties (the others repeat it, less precisely).
  const item = (array: Node) => array.items!.oneOf?.[0] ?? array.items!;
  const names = (node: Node) => Object.keys(node.properties ?? {}).sort();
  const validator = brevoSpecAvailable ? new BrevoSpecValidator() : null;
  const records = () => validator!.resolve(validator!.requestSchema('POST', route)!).properties as Record<string, Node>;

  it('names the same properties for a record, its identifiers, its associations and their records', () => {
    const record = item(records().records!);
    const association = item(record.properties!.associations!);
    expect(Object.keys(ZObjectRecord.shape).sort()).toEqual(names(record));
    expect(Object.keys(ZObjectIdentifiers.shape).sort()).toEqual(names(record.properties!.identifiers!));
    expect(Object.keys(ZObjectAssociation.shape).sort()).toEqual(names(association));
    expect(names(item(association.properties!.records!))).toEqual(['identifiers']);
    expect(names(item(association.properties!.records!).properties!.identifiers!)).toEqual(Object.keys(ZObjectIdentifiers.shape).sort());
  });

  it('refuses what the spec refuses: too many records, associations or associated records, and none', () => {
    const exact = new BrevoSpecValidator({ relax: false });
    const record = (associations: number, linked: number) => ({
      identifiers: { ext_id: 'v' },
      attributes: { make: 'x' },
      associations: Array.from({ length: associations }, () => ({ object_type: 'contact', records: Array.from({ length: linked }, (_, i) => ({ identifiers: { id: i + 1 } })) })),
    });
    const bodies = [
      { records: Array.from({ length: 1000 }, () => record(10, 100)) },
      { records: Array.from({ length: 1001 }, () => record(0, 0)) },
      { records: [] },
      { records: [record(11, 1)] },
      { records: [record(1, 101)] },
      { records: [record(1, 0)] },
    ];
    for (const body of bodies) {
      const before = exact.violations.length;
      exact.check({ method: 'POST', route, body });
      expect(exact.violations.length > before, JSON.stringify(body).slice(0, 80)).toBe(!ZUpsertObjectRecords.safeParse(body).success);
    }
    expect(exact.violations).toHaveLength(5);
  });

  it("takes the listing's query parameters by the spec's names", () => {
    const exact = new BrevoSpecValidator({ relax: false });
    exact.check({ method: 'GET', route: '/v3/objects/:object_type/records', url: '/v3/objects/vehicle/records?limit=1000&page_num=2&sort=asc&association=true', body: undefined });
    exact.check({ method: 'GET', route: '/v3/objects/:object_type/records', url: '/v3/objects/vehicle/records?limit=1001&page_num=0', body: undefined });
    expect(exact.violations).toEqual([expect.stringContaining('limit="1001"'), expect.stringContaining('page_num="0"')]);
    expect(ZObjectRecordsQuery.safeParse({ limit: '1001', page_num: '1' }).success).toBe(false);
    expect(ZObjectRecordsQuery.safeParse({ limit: '1', page_num: '0' }).success).toBe(false);
    expect(Object.keys(ZObjectRecordsQuery.shape).sort()).toEqual(['association', 'limit', 'page_num', 'sort']);
  });
});
