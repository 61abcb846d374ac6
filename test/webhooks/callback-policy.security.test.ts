import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { createDb, type Db } from '../../api/src/db/client.ts';
import { CallbackPolicy } from '../../api/src/webhooks/callback-policy.ts';
import { createWorkspace, testSecrets, withKey } from '../support/app.ts';

describe('callback policy', () => {
  const strict = new CallbackPolicy(false);

  it.each([
    'http://127.0.0.1:8080/hook',
    'https://127.0.0.2/hook',
    'https://localhost/hook',
    'https://[::1]/hook',
    'https://10.1.2.3/hook',
    'https://172.20.0.5/hook',
    'https://192.168.1.10/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://100.64.0.1/hook',
    'https://[fd12:3456::1]/hook',
    'https://[fe80::1]/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://0.0.0.0/hook',
  ])('refuses %s without WEBHOOK_ALLOW_PRIVATE_NETWORKS', async (url) => {
    expect(await strict.refusal(url)).toEqual({ reason: expect.stringMatching(/loopback or private address/), transient: false });
  });

  it('accepts public addresses, and private ones when allowed', async () => {
    expect(await strict.refusal('https://93.184.216.34/hook')).toBeUndefined();
    expect(await strict.refusal('https://[2606:2800:220:1::1]/hook')).toBeUndefined();
    expect(await new CallbackPolicy(true).refusal('http://127.0.0.1:8080/hook')).toBeUndefined();
  });

  it('refuses a host that does not resolve', async () => {
    expect(await strict.refusal('https://no-such-host.invalid/hook')).toEqual({ reason: expect.stringMatching(/does not resolve/), transient: true });
  });
});

describe('subscribing with the production default', () => {
  let app: App;
  let db: Db;
  beforeAll(async () => {
    db = createDb(inject('databaseUrl'), 2);
    app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db, secrets: testSecrets(), logger: { level: 'silent' } });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.$disconnect();
  });

  it('answers 400 problem+json naming the URL for a callback on this machine or an internal network', async () => {
    const ws = await createWorkspace(app);
    for (const url of ['http://127.0.0.1:9/hook', 'https://10.0.0.7/hook']) {
      const response = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: withKey(ws.writeKey), payload: { url, events: ['contact.created'] } });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.json()).toMatchObject({ type: 'validation', errors: [{ field: 'body.url', reason: expect.stringMatching(/private address/) }] });
    }
  });
});
