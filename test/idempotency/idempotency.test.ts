import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOT_REPLAYED } from '../../api/src/idempotency/plugin.ts';
import { requestFingerprint } from '../../api/src/idempotency/service.ts';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

describe('Idempotency-Key', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const upsert = (key: string, payload: object, apiKey = ws.writeKey) =>
    t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(apiKey, { 'idempotency-key': key }), payload });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
  });
  afterAll(() => t.close());

  it('replays the first response for a retried request, and does the work once', async () => {
    const first = await upsert('k-1', { sourceId: 'i-1', email: 'one@example.com' });
    expect([first.statusCode, first.json().result]).toEqual([201, 'created']);
    // Meanwhile the contact changes; the retry must still answer what the first request answered.
    await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { sourceId: 'i-1', email: 'changed@example.com' } });
    const retry = await upsert('k-1', { sourceId: 'i-1', email: 'one@example.com' });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toBe(first.body);
    const contact = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'api:i-1' } });
    expect(contact.email).toBe('changed@example.com');
  });

  it('answers 422 for the same key with a different body', async () => {
    await upsert('k-2', { sourceId: 'i-2' });
    const reuse = await upsert('k-2', { sourceId: 'i-2', email: 'x@example.com' });
    expect(reuse.statusCode).toBe(422);
    expect(reuse.headers['content-type']).toContain('application/problem+json');
    expect(reuse.json().errors[0].field).toBe('headers.idempotency-key');
  });

  it('is scoped per workspace', async () => {
    const other = await createWorkspace(t.app);
    await upsert('shared-key', { sourceId: 'w-1' });
    const theirs = await upsert('shared-key', { sourceId: 'w-1', email: 'other@example.com' }, other.writeKey);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('makes a duplicate sent while the first is in flight wait for its commit, then replay its answer', async () => {
    const payload = { sourceId: 'f-1', email: 'flight@example.com' };
    // Hold a claim exactly as the first request does while it runs: in its open unit of work.
    const fingerprint = requestFingerprint('POST', '/v1/contacts/upsert', '/v1/contacts/upsert', payload);
    const first = await t.db.sql.beginUnitOfWork();
    expect(await first.run(() => t.app.services.idempotency.claim(ws.id, 'k-flight', fingerprint))).toEqual({ kind: 'claimed' });
    let answered = false;
    const duplicate = upsert('k-flight', payload).finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    await first.run(() => t.app.services.idempotency.complete(ws.id, 'k-flight', { status: 201, body: '{"first":true}' }));
    await first.commit();
    const replay = await duplicate;
    expect([replay.statusCode, replay.body, replay.headers['idempotent-replayed']]).toEqual([201, '{"first":true}', 'true']);
    expect(await t.db.contact.count({ where: { workspaceId: ws.id, externalId: 'api:f-1' } })).toBe(0);
  });

  it('runs a duplicate itself when the first rolls back (its answer was not one to remember)', async () => {
    const payload = { sourceId: 'f-2', email: 'rollback@example.com' };
    const fingerprint = requestFingerprint('POST', '/v1/contacts/upsert', '/v1/contacts/upsert', payload);
    const first = await t.db.sql.beginUnitOfWork();
    await first.run(() => t.app.services.idempotency.claim(ws.id, 'k-rollback', fingerprint));
    const duplicate = upsert('k-rollback', payload);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.rollback();
    const executed = await duplicate;
    expect([executed.statusCode, executed.headers['idempotent-replayed']]).toEqual([201, undefined]);
  });

  it('runs concurrent duplicates once: the others replay its answer', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ sourceId: `c-${i}`, email: `c${i}@example.com` }));
    const send = () =>
      t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey, { 'idempotency-key': 'k-concurrent' }), payload: { records } });
    const responses = await Promise.all([send(), send(), send()]);
    const executed = responses.filter((r) => r.statusCode === 200 && r.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const other of responses.filter((r) => !executed.includes(r))) {
      expect([other.statusCode, other.headers['idempotent-replayed'], other.body]).toEqual([200, 'true', executed[0]!.body]);
    }
    expect(executed[0]!.json().counts.created).toBe(1000);
    expect(await t.db.contactVersion.count({ where: { workspaceId: ws.id, contact: { externalId: { startsWith: 'api:c-' } } } })).toBe(1000);
  });

  it('honours claims the previous release committed in flight: 409 for 60 s, then taken over', async () => {
    const payload = { sourceId: 'l-1', email: 'legacy@example.com' };
    const requestHash = requestFingerprint('POST', '/v1/contacts/upsert', '/v1/contacts/upsert', payload);
    const leftInFlight = (key: string, ageMs: number) =>
      t.db.idempotencyKey.create({
        data: { workspaceId: ws.id, key, requestHash, state: 'in_flight', createdAt: new Date(Date.now() - ageMs), expiresAt: new Date(Date.now() + 3600_000) },
      });
    await leftInFlight('k-legacy-young', 1_000);
    const refused = await upsert('k-legacy-young', payload);
    expect([refused.statusCode, refused.json().type, refused.headers['retry-after']]).toEqual([409, 'conflict', '1']);
    await leftInFlight('k-legacy-old', 120_000);
    const takenOver = await upsert('k-legacy-old', payload);
    expect([takenOver.statusCode, takenOver.headers['idempotent-replayed']]).toEqual([201, undefined]);
    const stored = await t.db.idempotencyKey.findUniqueOrThrow({ where: { workspaceId_key: { workspaceId: ws.id, key: 'k-legacy-old' } } });
    expect([stored.state, stored.responseBody]).toEqual(['completed', takenOver.body]);
  });

  it('saves nothing when validation fails, so a corrected retry with the same key runs', async () => {
    const invalid = await upsert('k-3', { sourceId: 'i-3', email: 'broken' });
    expect(invalid.statusCode).toBe(400);
    const schemaInvalid = await upsert('k-3', { sourceId: 'i-3', unknownField: 1 });
    expect(schemaInvalid.statusCode).toBe(400);
    expect(await t.db.idempotencyKey.count({ where: { workspaceId: ws.id, key: 'k-3' } })).toBe(0);
    const fixed = await upsert('k-3', { sourceId: 'i-3', email: 'fixed@example.com' });
    expect([fixed.statusCode, fixed.headers['idempotent-replayed']]).toEqual([201, undefined]);
  });

  it('accepts keys up to 255 characters and refuses longer ones', async () => {
    expect((await upsert('x'.repeat(255), { sourceId: 'i-4' })).statusCode).toBe(201);
    const long = await upsert('x'.repeat(256), { sourceId: 'i-5' });
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0].field).toContain('idempotency-key');
  });

  it('replays for 24 hours, then the key is free again', async () => {
    await upsert('k-ttl', { sourceId: 'i-6' });
    const row = await t.db.idempotencyKey.findUniqueOrThrow({ where: { workspaceId_key: { workspaceId: ws.id, key: 'k-ttl' } } });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThanOrEqual(24 * 3600_000);
    expect((await upsert('k-ttl', { sourceId: 'i-6' })).headers['idempotent-replayed']).toBe('true');
    await t.db.idempotencyKey.update({ where: { workspaceId_key: { workspaceId: ws.id, key: 'k-ttl' } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const afterExpiry = await upsert('k-ttl', { sourceId: 'i-6', email: 'new@example.com' });
    expect([afterExpiry.statusCode, afterExpiry.headers['idempotent-replayed']]).toEqual([200, undefined]);
  });

  it('purges expired records and keeps live ones', async () => {
    await upsert('k-purge-live', { sourceId: 'pl-1' });
    await upsert('k-purge-old', { sourceId: 'pl-2' });
    await t.db.idempotencyKey.update({ where: { workspaceId_key: { workspaceId: ws.id, key: 'k-purge-old' } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await t.app.services.idempotency.purgeExpired()).toBeGreaterThanOrEqual(1);
    const left = await t.db.idempotencyKey.findMany({ where: { workspaceId: ws.id, key: { in: ['k-purge-live', 'k-purge-old'] } } });
    expect(left.map((row) => row.key)).toEqual(['k-purge-live']);
  });

  it('covers every mutating endpoint (here: delete and key creation)', async () => {
    const { contact } = (await upsert('k-7', { sourceId: 'i-7' })).json();
    const del = () => t.app.inject({ method: 'DELETE', url: `/v1/contacts/${contact.id}`, headers: withKey(ws.writeKey, { 'idempotency-key': 'k-del' }) });
    expect((await del()).statusCode).toBe(200);
    const again = await del();
    expect([again.statusCode, again.headers['idempotent-replayed']]).toEqual([200, 'true']);
    const keyCreate = () =>
      t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: withKey(ws.adminKey, { 'idempotency-key': 'k-key' }), payload: { name: 'x', scopes: ['read'] } });
    const [k1, k2] = [await keyCreate(), await keyCreate()];
    expect(k2.json().apiKey.id).toBe(k1.json().apiKey.id);
    // The secret is shown once: it is never stored for replay.
    expect(k1.json().secret).toMatch(/^tajo_/);
    expect(k2.json().secret).toBe(NOT_REPLAYED);
    expect(JSON.stringify(await t.db.idempotencyKey.findMany({ where: { workspaceId: ws.id } }))).not.toContain(k1.json().secret);
    expect(await t.db.apiKey.count({ where: { workspaceId: ws.id, name: 'x' } })).toBe(1);
  });
});
