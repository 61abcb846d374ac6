import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

describe('tenancy and API keys', () => {
  let t: TestApp;
  let a: TestWorkspace;
  let b: TestWorkspace;
  let contactOfB: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await createWorkspace(t.app);
    b = await createWorkspace(t.app);
    const created = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(b.writeKey), payload: { sourceId: 'b-1', email: 'b@example.com' } });
    contactOfB = created.json().contact.id;
  });
  afterAll(() => t.close());

  it("a key from workspace A gets 404 for workspace B's contacts, whatever the operation", async () => {
    const headers = withKey(a.adminKey);
    const attempts = [
      t.app.inject({ method: 'GET', url: `/v1/contacts/${contactOfB}`, headers }),
      t.app.inject({ method: 'PATCH', url: `/v1/contacts/${contactOfB}`, headers, payload: { firstName: 'Mallory' } }),
      t.app.inject({ method: 'DELETE', url: `/v1/contacts/${contactOfB}`, headers }),
      t.app.inject({ method: 'POST', url: `/v1/contacts/${contactOfB}/erasure`, headers }),
      t.app.inject({ method: 'GET', url: `/v1/contacts/lookup?externalId=api:b-1`, headers }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(404);
      expect(response.json().type).toBe('not_found');
    }
    const search = await t.app.inject({ method: 'GET', url: '/v1/contacts?email=b@example.com', headers });
    expect(search.json().data).toEqual([]);
    // The same external ID in A is a different contact.
    const own = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers, payload: { sourceId: 'b-1', email: 'a@example.com' } });
    expect(own.json().result).toBe('created');
    expect(own.json().contact.id).not.toBe(contactOfB);
    const keyOfB = (await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(b.adminKey) })).json().apiKey.id;
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${keyOfB}`, headers })).statusCode).toBe(404);
  });

  it('a missing, malformed or unknown key gets 401', async () => {
    for (const headers of [{}, { 'x-api-key': 'tajo_nope' }, { authorization: 'Bearer tajo_nope' }, { authorization: 'Basic abc' }]) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/contacts', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().type).toBe('authentication');
      expect(response.headers['www-authenticate']).toContain('Bearer');
    }
    const bearer = await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: { authorization: `Bearer ${a.readKey}` } });
    expect(bearer.statusCode).toBe(200);
  });

  it('a read-scoped key gets 403 on writes; a write key gets 403 on admin operations', async () => {
    const write = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(a.readKey), payload: { sourceId: 'r-1' } });
    expect([write.statusCode, write.json().type]).toEqual([403, 'permission']);
    const batch = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(a.readKey), payload: { records: [{ sourceId: 'r' }] } });
    expect(batch.statusCode).toBe(403);
    const admin = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: withKey(a.writeKey) });
    expect(admin.statusCode).toBe(403);
    const read = await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: withKey(a.readKey) });
    expect(read.statusCode).toBe(200);
  });

  it('a revoked key gets 401 at once', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: withKey(a.adminKey), payload: { name: 'temp', scopes: ['read'] } });
    expect(created.statusCode).toBe(201);
    const { apiKey, secret } = created.json();
    expect(secret).toMatch(/^tajo_/);
    expect((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(secret) })).statusCode).toBe(200);
    const revoked = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${apiKey.id}`, headers: withKey(a.adminKey) });
    expect(revoked.json().revokedAt).not.toBeNull();
    const after = await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(secret) });
    expect(after.statusCode).toBe(401);
  });

  it('rotation: the new key works and the old one keeps working until revoked', async () => {
    const { apiKey, secret: oldSecret } = (
      await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: withKey(a.adminKey), payload: { name: 'recipe', scopes: ['write'] } })
    ).json();
    const rotated = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${apiKey.id}/rotate`, headers: withKey(a.adminKey) });
    expect(rotated.statusCode).toBe(201);
    const { apiKey: newKey, secret: newSecret } = rotated.json();
    expect(newKey).toMatchObject({ name: 'recipe', scopes: ['write'], rotatedFromId: apiKey.id });
    for (const secret of [oldSecret, newSecret]) {
      expect((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(secret) })).statusCode).toBe(200);
    }
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${apiKey.id}`, headers: withKey(a.adminKey) });
    expect((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(oldSecret) })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(newSecret) })).statusCode).toBe(200);
  });

  it('rotation with a grace period expires the old key', async () => {
    const { apiKey, secret } = (
      await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: withKey(a.adminKey), payload: { name: 'short', scopes: ['read'] } })
    ).json();
    await t.app.inject({ method: 'POST', url: `/v1/api-keys/${apiKey.id}/rotate`, headers: withKey(a.adminKey), payload: { oldKeyExpiresInSeconds: 0 } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(secret) })).statusCode).toBe(401);
  });

  it('an expired key cannot be brought back by rotating it', async () => {
    const { apiKey } = (
      await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: withKey(a.adminKey), payload: { name: 'old', scopes: ['read'], expiresAt: '2020-01-01T00:00:00Z' } })
    ).json();
    const rotated = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${apiKey.id}/rotate`, headers: withKey(a.adminKey), payload: { oldKeyExpiresInSeconds: 3600 } });
    expect([rotated.statusCode, rotated.json().type]).toEqual([409, 'conflict']);
  });

  it('stores keys hashed, never in clear', async () => {
    const keys = await t.db.apiKey.findMany({ where: { workspaceId: a.id } });
    for (const key of keys) {
      expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
      expect([a.adminKey, a.writeKey, a.readKey]).not.toContain(key.hash);
    }
  });

  it('workspace settings: the connection test shows the workspace; the default region applies to later writes', async () => {
    const me = (await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(a.writeKey) })).json();
    expect(me).toMatchObject({ id: a.id, defaultPhoneRegion: 'US', apiKey: { scopes: ['write'] } });
    const denied = await t.app.inject({ method: 'PATCH', url: '/v1/workspace', headers: withKey(a.writeKey), payload: { defaultPhoneRegion: 'GB' } });
    expect(denied.statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'PATCH', url: '/v1/workspace', headers: withKey(a.adminKey), payload: { defaultPhoneRegion: 'XX' } });
    expect(bad.statusCode).toBe(400);
    const ok = await t.app.inject({ method: 'PATCH', url: '/v1/workspace', headers: withKey(a.adminKey), payload: { defaultPhoneRegion: 'gb', sourceName: 'hubspot' } });
    expect(ok.json()).toMatchObject({ defaultPhoneRegion: 'GB', sourceName: 'hubspot' });
    const contact = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(a.writeKey), payload: { sourceId: 'uk-1', phone: '020 7946 0018' } });
    expect(contact.json().contact).toMatchObject({ externalId: 'hubspot:uk-1', phone: '+442079460018' });
  });
});
