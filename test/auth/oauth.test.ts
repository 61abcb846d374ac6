import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokens } from '../../api/src/auth/access-tokens.ts';
import { readCatalog, type OpenApiDocument } from '../../api/src/operations/catalog.ts';
import type { SecretBox } from '../../api/src/security/secret-box.ts';
import { createTestApp, createWorkspace, testSecrets, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

const TOKEN_URL = '/v1/oauth/token';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('OAuth2 client credentials', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let secrets: SecretBox;
  let writeKeyId: string;
  let readKeyId: string;

  const keyIdOf = async (key: string) => (await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(key) })).json().apiKey.id as string;
  const requestToken = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: TOKEN_URL, headers: { ...FORM, ...headers }, payload: new URLSearchParams(form).toString() });
  const tokenFor = async (id: string, secret: string, scope?: string) => {
    const response = await requestToken({ grant_type: 'client_credentials', client_id: id, client_secret: secret, ...(scope ? { scope } : {}) });
    expect(response.statusCode).toBe(200);
    return response.json().access_token as string;
  };
  const newKey = async (scopes: string[]) => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: withKey(ws.adminKey), payload: { name: 'oauth client', scopes } });
    return { id: created.json().apiKey.id as string, secret: created.json().secret as string };
  };
  /** An OAuth error: the problem members and OAuth's, and a challenge on 401. */
  const expectOAuthError = (response: Awaited<ReturnType<typeof requestToken>>, status: number, error: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const body = response.json();
    expect(body).toMatchObject({
      type: status === 401 ? 'authentication' : 'validation',
      title: status === 401 ? 'Authentication failed' : 'Invalid request',
      status,
      instance: TOKEN_URL,
      requestId: expect.any(String),
      error,
      error_description: body.detail,
    });
    expect(body.detail).toEqual(expect.any(String));
    if (status === 401) expect(response.headers['www-authenticate']).toBe('Basic realm="tajo"');
    return body;
  };

  beforeAll(async () => {
    secrets = testSecrets();
    t = await createTestApp(undefined, secrets);
    ws = await createWorkspace(t.app);
    writeKeyId = await keyIdOf(ws.writeKey);
    readKeyId = await keyIdOf(ws.readKey);
  });
  afterAll(() => t.close());

  it("issues a token for a form-encoded request: Bearer, an hour, the key's scopes, never cached, nothing readable inside", async () => {
    const response = await requestToken({ grant_type: 'client_credentials', client_id: writeKeyId, client_secret: ws.writeKey });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.pragma).toBe('no-cache');
    const body = response.json();
    expect(body).toEqual({ access_token: expect.stringMatching(/^tajo_at_/), token_type: 'Bearer', expires_in: 3600, scope: 'write' });
    for (const clear of [ws.writeKey, writeKeyId, ws.id]) expect(body.access_token).not.toContain(clear);
  });

  it('takes HTTP Basic credentials (what RFC 6749 prefers) and JSON bodies too', async () => {
    const viaBasic = await requestToken({ grant_type: 'client_credentials' }, { authorization: basic(writeKeyId, ws.writeKey) });
    expect(viaBasic.json()).toMatchObject({ token_type: 'Bearer', scope: 'write' });
    // Some clients repeat client_id in the body beside Basic.
    const repeated = await requestToken({ grant_type: 'client_credentials', client_id: writeKeyId, scope: 'read' }, { authorization: basic(writeKeyId, ws.writeKey) });
    expect(repeated.json()).toMatchObject({ scope: 'read' });
    const viaJson = await t.app.inject({ method: 'POST', url: TOKEN_URL, payload: { grant_type: 'client_credentials', client_id: readKeyId, client_secret: ws.readKey } });
    expect(viaJson.statusCode).toBe(200);
    expect(viaJson.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read' });
  });

  it('the token works like its key on read and write routes, as a Bearer token or in X-API-Key', async () => {
    const token = await tokenFor(writeKeyId, ws.writeKey);
    const me = await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: bearer(token) });
    expect(me.json()).toMatchObject({ id: ws.id, apiKey: { id: writeKeyId } });
    const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: bearer(token), payload: { sourceId: 'oauth-1', email: 'oauth@example.com' } });
    expect(written.statusCode).toBe(201);
    const read = await t.app.inject({ method: 'GET', url: '/v1/contacts?email=oauth@example.com', headers: withKey(token) });
    expect(read.json().data.map((contact: { externalId: string }) => contact.externalId)).toEqual(['api:oauth-1']);
    const admin = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(token) });
    expect(admin.statusCode).toBe(403);
  });

  it('a read-scoped token from a write key reads, and gets 403 on writes', async () => {
    const token = await tokenFor(writeKeyId, ws.writeKey, 'read');
    expect((await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(token) })).statusCode).toBe(200);
    const write = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: bearer(token), payload: { sourceId: 'oauth-2' } });
    expect(write.statusCode).toBe(403);
    expect(write.json()).toMatchObject({ type: 'permission', detail: "This operation needs the 'write' scope; the access token has: read." });
  });

  it('a scope the key does not hold, or no scope at all, is invalid_scope (400)', async () => {
    const beyond = expectOAuthError(await requestToken({ grant_type: 'client_credentials', client_id: readKeyId, client_secret: ws.readKey, scope: 'read write' }), 400, 'invalid_scope');
    expect(beyond.detail).toBe("The API key cannot grant 'write': it holds read (scopes are read < write < admin).");
    expectOAuthError(await requestToken({ grant_type: 'client_credentials', client_id: writeKeyId, client_secret: ws.writeKey, scope: 'read contacts:write' }), 400, 'invalid_scope');
  });

  it('a wrong secret, a client_id of another key, no credentials, or an access token as the secret is invalid_client (401)', async () => {
    const token = await tokenFor(writeKeyId, ws.writeKey);
    const attempts = [
      requestToken({ grant_type: 'client_credentials', client_id: writeKeyId, client_secret: `${ws.writeKey}x` }),
      requestToken({ grant_type: 'client_credentials', client_id: readKeyId, client_secret: ws.writeKey }),
      requestToken({ grant_type: 'client_credentials' }, { authorization: basic(readKeyId, ws.writeKey) }),
      requestToken({ grant_type: 'client_credentials' }, { authorization: 'Basic bm8tY29sb24=' }),
      requestToken({ grant_type: 'client_credentials' }),
      requestToken({ grant_type: 'client_credentials', client_id: writeKeyId, client_secret: token }),
    ];
    for (const response of await Promise.all(attempts)) expectOAuthError(response, 401, 'invalid_client');
  });

  it('an unsupported grant is unsupported_grant_type; a malformed request is invalid_request (400)', async () => {
    expectOAuthError(await requestToken({ grant_type: 'password', username: 'a', password: 'b' }), 400, 'unsupported_grant_type');
    const missing = expectOAuthError(await requestToken({ client_id: writeKeyId, client_secret: ws.writeKey }), 400, 'invalid_request');
    expect(missing.errors).toEqual([expect.objectContaining({ field: 'body.grant_type' })]);
    const malformedId = expectOAuthError(await requestToken({ grant_type: 'client_credentials', client_id: 'not-a-uuid', client_secret: ws.writeKey }), 400, 'invalid_request');
    expect(malformedId.errors).toEqual([expect.objectContaining({ field: 'body.client_id' })]);
    expectOAuthError(await requestToken({ grant_type: 'client_credentials', client_id: writeKeyId }), 400, 'invalid_request');
    const twice = await requestToken({ grant_type: 'client_credentials', client_secret: ws.writeKey }, { authorization: basic(writeKeyId, ws.writeKey) });
    expectOAuthError(twice, 400, 'invalid_request');
    const unparsable = await t.app.inject({ method: 'POST', url: TOKEN_URL, headers: { 'content-type': 'application/json' }, payload: '{"grant_type":' });
    expectOAuthError(unparsable, 400, 'invalid_request');
  });

  it('a tampered, foreign or expired token gets 401', async () => {
    const token = await tokenFor(writeKeyId, ws.writeKey);
    // Flip the first character of the ciphertext: six bits that always count (a last one may be padding).
    const cut = token.lastIndexOf('.') + 1;
    const tampered = token.slice(0, cut) + (token[cut] === 'A' ? 'B' : 'A') + token.slice(cut + 1);
    const foreign = new AccessTokens(testSecrets()).issue({ keyId: writeKeyId, workspaceId: ws.id, scopes: ['admin'] });
    // Issued an hour and a second ago, under the app's own key: genuine, and expired.
    const expired = new AccessTokens(secrets).issue({ keyId: writeKeyId, workspaceId: ws.id, scopes: ['write'] }, Date.now() - 3_601_000);
    for (const credential of [tampered, foreign, expired, 'tajo_at_x.y.z']) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(credential) });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ type: 'authentication', detail: 'The access token is invalid or expired; request a new one.' });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="tajo", error="invalid_token"');
    }
    // The same grant, unexpired, works: only the clock made the difference.
    const fresh = new AccessTokens(secrets).issue({ keyId: writeKeyId, workspaceId: ws.id, scopes: ['write'] });
    expect((await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(fresh) })).statusCode).toBe(200);
  });

  it('revoking the key ends its tokens, and it gets no new ones', async () => {
    const key = await newKey(['write']);
    const token = await tokenFor(key.id, key.secret);
    expect((await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(token) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: withKey(ws.adminKey) })).statusCode).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expectOAuthError(await requestToken({ grant_type: 'client_credentials', client_id: key.id, client_secret: key.secret }), 401, 'invalid_client');
  });

  it("an expired key's tokens stop working with it", async () => {
    const key = await newKey(['read']);
    const token = await tokenFor(key.id, key.secret);
    await t.app.inject({ method: 'POST', url: `/v1/api-keys/${key.id}/rotate`, headers: withKey(ws.adminKey), payload: { oldKeyExpiresInSeconds: 0 } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/contacts', headers: bearer(token) })).statusCode).toBe(401);
  });

  it('is in the OpenAPI document as the one token endpoint, outside the API-key security', () => {
    const spec = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument & { paths: Record<string, Record<string, { security?: unknown }>> };
    const operation = spec.paths[TOKEN_URL]!.post!;
    expect(operation).toMatchObject({ operationId: 'issueAccessToken', 'x-workato-token': true, security: [{ oauthClient: [] }, {}] });
    expect(operation).not.toHaveProperty('x-tajo-scope');
    const tokens = readCatalog(spec).operations.filter((candidate) => candidate.tokenEndpoint);
    expect(tokens.map(({ operationId, method, path }) => ({ operationId, method, path }))).toEqual([{ operationId: 'issueAccessToken', method: 'post', path: TOKEN_URL }]);
  });
});
