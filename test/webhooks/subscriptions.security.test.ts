import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp } from '../support/app.ts';

describe('webhook subscriptions across workspaces and scopes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("never reach another workspace's subscription: 404 as if it did not exist", async () => {
    const owner = await createWorkspace(t.app);
    const other = await createWorkspace(t.app);
    const created = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: withKey(owner.writeKey), payload: { url: 'https://hooks.example.com/owner', events: ['contact.created'] } });
    const { id } = created.json<{ id: string }>();

    for (const [method, url] of [['GET', `/v1/webhooks/${id}`], ['GET', `/v1/webhooks/${id}/deliveries`], ['DELETE', `/v1/webhooks/${id}`]] as const) {
      expect((await t.app.inject({ method, url, headers: withKey(other.writeKey) })).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers: withKey(other.writeKey) })).json()).toEqual({ data: [], nextCursor: null });
    // Still there for its owner.
    expect((await t.app.inject({ method: 'GET', url: `/v1/webhooks/${id}`, headers: withKey(owner.writeKey) })).statusCode).toBe(200);
  });

  it('need the write scope to subscribe, unsubscribe and read subscriptions (a callback URL is a secret), and a key at all', async () => {
    const ws = await createWorkspace(t.app);
    const payload = { url: 'https://hooks.example.com/scoped', events: ['event.tracked'] };
    expect((await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: withKey(ws.readKey), payload })).statusCode).toBe(403);
    const { id } = (await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: withKey(ws.writeKey), payload })).json<{ id: string }>();
    for (const url of ['/v1/webhooks', `/v1/webhooks/${id}`]) {
      expect((await t.app.inject({ method: 'GET', url, headers: withKey(ws.readKey) })).statusCode, url).toBe(403);
    }
    // The delivery history shows no URL: a read key may follow it.
    expect((await t.app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries`, headers: withKey(ws.readKey) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: withKey(ws.readKey) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhooks' })).statusCode).toBe(401);
  });
});
