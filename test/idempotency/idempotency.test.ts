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

  it('answers 409 to a duplicate while the first is in flight, then replays once it completes', async () => {
    const payload = { sourceId: 'f-1', email: 'flight@example.com' };
    // Hold a claim exactly as the first request would while it runs.
    const fingerprint = requestFingerprint('POST', '/v1/contacts/upsert', '/v1/contacts/upsert', payload);
    const claim = await t.app.services.idempotency.claim(ws.id, 'k-flight', fingerprint);
    if (claim.kind !== 'claimed') throw new Error('expected a fresh claim');
    const duplicate = await upsert('k-flight', payload);
    expect([duplicate.statusCode, duplicate.json().type, duplicate.headers['retry-after']]).toEqual([409, 'conflict', '1']);
    await t.app.services.idempotency.complete(ws.id, 'k-flight', claim.token, { status: 201, body: '{"first":true}' });
    const replay = await upsert('k-flight', payload);
    expect([replay.statusCode, replay.body, replay.headers['idempotent-replayed']]).toEqual([201, '{"first":true}', 'true']);
  });

  it('runs concurrent duplicates once: the others get 409 or the replay', async () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ sourceId: `c-${i}`, email: `c${i}@example.com` }));
    const send = () =>
      t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey, { 'idempotency-key': 'k-concurrent' }), payload: { records } });
    const responses = await Promise.all([send(), send(), send()]);
    const executed = responses.filter((r) => r.statusCode === 200 && r.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const other of responses.filter((r) => !executed.includes(r))) {
      expect(other.statusCode === 409 || other.headers['idempotent-replayed'] === 'true').toBe(true);
    }
    expect(executed[0]!.json().counts.created).toBe(1000);
    expect(await t.db.contactVersion.count({ where: { workspaceId: ws.id, contact: { externalId: { startsWith: 'api:c-' } } } })).toBe(1000);
  });

  it('a claim taken over after going stale belongs to the newer request', async () => {
    const service = t.app.services.idempotency;
    const first = await service.claim(ws.id, 'k-stale', 'hash-1', new Date(Date.now() - 120_000));
    const second = await service.claim(ws.id, 'k-stale', 'hash-1');
    if (first.kind !== 'claimed' || second.kind !== 'claimed') throw new Error('expected both claims to succeed');
    // The first request finally fails: its release must not free the newer request's claim.
    await service.release(ws.id, 'k-stale', first.token);
    expect(await t.db.idempotencyKey.count({ where: { workspaceId: ws.id, key: 'k-stale' } })).toBe(1);
    await service.complete(ws.id, 'k-stale', first.token, { status: 200, body: '"stale"' });
    await service.complete(ws.id, 'k-stale', second.token, { status: 200, body: '"fresh"' });
    const stored = await t.db.idempotencyKey.findUniqueOrThrow({ where: { workspaceId_key: { workspaceId: ws.id, key: 'k-stale' } } });
    expect([stored.state, stored.responseBody]).toEqual(['completed', '"fresh"']);
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
