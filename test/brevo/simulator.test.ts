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
