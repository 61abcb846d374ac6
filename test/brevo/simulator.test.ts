import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { ZCreateAttribute, ZCreateContact, ZImportContacts } from '../../api/src/simulators/brevo/schemas.ts';
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
