import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/src/app.ts';
import { createDb } from '../../api/src/db/client.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { createTestApp, createWorkspace, testSecrets, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

describe('contacts: errors are RFC 9457 problems', () => {
  let t: TestApp;
  let ws: TestWorkspace;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
  });
  afterAll(() => t.close());

  it('names each invalid field of a single record', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts/upsert',
      headers: withKey(ws.writeKey),
      payload: { sourceId: 'x', email: 'nope', phone: 'abc', sourceUpdatedAt: 'yesterday' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ type: 'validation', status: 400, instance: '/v1/contacts/upsert' });
    expect(problem.requestId).toBe(response.headers['x-request-id']);
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.email', 'body.phone', 'body.sourceUpdatedAt']);
  });

  it('rejects unknown fields and wrong types by schema, naming the field', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { emial: 'a@b.co' } });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json().errors)).toContain('emial');
  });

  it('refuses a batch over 1,000 records, an empty batch, and bodies that are not JSON', async () => {
    const tooMany = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts/batch',
      headers: withKey(ws.writeKey),
      payload: { records: Array.from({ length: 1001 }, (_, i) => ({ sourceId: `${i}` })) },
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].field).toBe('body.records');
    const empty = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records: [] } });
    expect(empty.statusCode).toBe(400);
    const garbage = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts/batch',
      headers: withKey(ws.writeKey, { 'content-type': 'application/json' }),
      payload: '{"records": [',
    });
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().type).toBe('validation');
  });

  it('rejects, record by record, text the database cannot store (NUL, unpaired surrogates)', async () => {
    const records = [
      { sourceId: 'ok-1', firstName: 'Zoë' },
      { sourceId: 'nul', firstName: 'A\u0000B' },
      { sourceId: 'surrogate', attributes: { note: 'x\ud800y' } },
      { sourceId: 'ok-2' },
    ];
    const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect(response.statusCode).toBe(200);
    const { results, counts } = response.json();
    expect(counts).toEqual({ created: 2, updated: 0, unchanged: 0, stale: 0, rejected: 2 });
    expect(results.map((r: { status: string }) => r.status)).toEqual(['created', 'rejected', 'rejected', 'created']);
    expect(results[1].errors[0].field).toBe('firstName');
    expect(results[2].errors[0].field).toBe('attributes.note');
  });

  it('answers 413 for a body over the limit', async () => {
    const huge = { records: [{ sourceId: '1', firstName: 'x'.repeat(6 * 1024 * 1024) }] };
    const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: huge });
    expect(response.statusCode).toBe(413);
    expect(response.json().type).toBe('validation');
  });

  it('answers 404 problems for unknown routes and IDs, and 400 for malformed IDs', async () => {
    const route = await t.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: withKey(ws.readKey) });
    expect([route.statusCode, route.json().type]).toEqual([404, 'not_found']);
    const id = await t.app.inject({ method: 'GET', url: '/v1/contacts/00000000-0000-4000-8000-000000000000', headers: withKey(ws.readKey) });
    expect([id.statusCode, id.json().type]).toEqual([404, 'not_found']);
    const malformed = await t.app.inject({ method: 'GET', url: '/v1/contacts/not-a-uuid', headers: withKey(ws.readKey) });
    expect([malformed.statusCode, malformed.json().errors[0].field]).toEqual([400, 'params.id']);
  });

  it('never leaks internals: a database failure is a bare 500 problem with a request ID', async () => {
    const broken = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      db: createDb('postgresql://nobody@127.0.0.1:1/none', 1),
      logger: { level: 'silent' },
      secrets: testSecrets(),
    });
    const response = await broken.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(ws.readKey) });
    expect(response.statusCode).toBe(500);
    const problem = response.json();
    expect(problem.type).toBe('internal');
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|stack|at .*\.ts/);
    await broken.close();
  });
});
