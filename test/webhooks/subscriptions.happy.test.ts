import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { NOT_REPLAYED } from '../../api/src/idempotency/plugin.ts';

interface Subscription {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  status: string;
  secret?: string;
}

describe('webhook subscriptions', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = {}, key?: string) =>
    t.app.inject({ method, url, headers: withKey(key ?? ws.writeKey, headers), ...(payload ? { payload } : {}) });
  const subscribe = async (payload: object, headers: Record<string, string> = {}) => {
    const response = await call('POST', '/v1/webhooks', payload, headers);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<Subscription>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
  });
  afterAll(() => t.close());

  it('subscribes with a signing secret shown once, reads, lists and unsubscribes', async () => {
    const created = await subscribe({ url: 'https://hooks.example.com/tajo', events: ['contact.created', 'contact.updated', 'contact.created'], description: ' Recipe 42 ' });
    expect(created).toMatchObject({ url: 'https://hooks.example.com/tajo', events: ['contact.created', 'contact.updated'], description: 'Recipe 42', status: 'active' });
    // Standard Webhooks' format: whsec_ and the base64 of 32 random bytes.
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret!.slice(6), 'base64')).toHaveLength(32);

    const { secret: _secret, ...subscription } = created;
    expect((await call('GET', `/v1/webhooks/${created.id}`, undefined, {}, ws.writeKey)).json()).toEqual(subscription);
    // Sealed at rest: the database holds no trace of the secret.
    const row = await t.db.webhookSubscription.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.secretCiphertext).not.toContain(created.secret!.slice(6, 20));

    const deleted = await call('DELETE', `/v1/webhooks/${created.id}`);
    expect(deleted.json()).toEqual({ id: created.id, status: 'deleted' });
    expect((await call('GET', `/v1/webhooks/${created.id}`)).statusCode).toBe(404);
    expect((await call('GET', `/v1/webhooks/${created.id}/deliveries`)).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/webhooks/${created.id}`)).statusCode).toBe(404);
  });

  it('pages through subscriptions in creation order', async () => {
    const own = await createWorkspace(t.app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: withKey(own.writeKey), payload: { url: `https://hooks.example.com/${i}`, events: ['event.tracked'] } });
      ids.push(response.json<Subscription>().id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = (await t.app.inject({ method: 'GET', url: `/v1/webhooks?limit=2${query}`, headers: withKey(own.writeKey) })).json<{ data: Subscription[]; nextCursor: string | null }>();
      expect(page.data.every((s) => s.secret === undefined)).toBe(true);
      seen.push(...page.data.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);
  });

  it('allows plain http only to the local machine', async () => {
    for (const url of ['http://127.0.0.1:8080/hook', 'http://localhost/hook', 'http://[::1]:9000/hook', 'https://127.0.0.1/hook']) {
      expect((await subscribe({ url, events: ['contact.deleted'] })).url).toBe(url);
    }
  });

  it('does not replay the secret for a retried request with the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': `webhook-${Date.now()}` };
    const payload = { url: 'https://hooks.example.com/once', events: ['dead_letter.created'] };
    const first = await subscribe(payload, headers);
    const replay = await call('POST', '/v1/webhooks', payload, headers);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ ...first, secret: NOT_REPLAYED });
    expect(await t.db.webhookSubscription.count({ where: { workspaceId: ws.id, url: payload.url } })).toBe(1);
  });

  it('lists no deliveries for a subscription nothing happened to', async () => {
    const { id } = await subscribe({ url: 'https://hooks.example.com/quiet', events: ['contact.created'] });
    expect((await call('GET', `/v1/webhooks/${id}/deliveries?status=pending`, undefined, {}, ws.readKey)).json()).toEqual({ data: [], nextCursor: null });
  });
});
