import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

interface Problem {
  type: string;
  status: number;
  errors?: { field: string; reason: string }[];
}

describe('webhook subscriptions, refused', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const subscribe = (payload: object) => t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: withKey(ws.writeKey), payload });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
  });
  afterAll(() => t.close());

  it('answers 400 naming the url for URLs a callback cannot have', async () => {
    const urls = [
      'http://hooks.example.com/tajo', // plain http beyond the local machine
      'http://10.0.0.5/hook',
      'ftp://hooks.example.com/tajo',
      'hooks.example.com/tajo',
      'not a url',
      `https://hooks.example.com/${'a'.repeat(2100)}`,
    ];
    for (const url of urls) {
      const response = await subscribe({ url, events: ['contact.created'] });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      const problem = response.json<Problem>();
      expect(problem.type).toBe('validation');
      expect(problem.errors?.map((error) => error.field), url).toEqual(['body.url']);
    }
    expect(await t.db.webhookSubscription.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it('answers 400 for no event type, an unknown one, or an unknown field', async () => {
    const cases: [object, string][] = [
      [{ url: 'https://hooks.example.com/a', events: [] }, 'body.events'],
      [{ url: 'https://hooks.example.com/a', events: ['contact.merged'] }, 'body.events.0'],
      [{ url: 'https://hooks.example.com/a' }, 'body.events'],
      [{ url: 'https://hooks.example.com/a', events: ['event.tracked'], secret: 'mine' }, 'body'],
    ];
    for (const [payload, field] of cases) {
      const response = await subscribe(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json<Problem>().errors?.map((error) => error.field)).toContain(field);
    }
  });

  it('answers 404 for a subscription that does not exist, and 400 for an ID that cannot be one', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [['GET', `/v1/webhooks/${unknown}`], ['DELETE', `/v1/webhooks/${unknown}`], ['GET', `/v1/webhooks/${unknown}/deliveries`]] as const) {
      const response = await t.app.inject({ method, url, headers: withKey(ws.writeKey) });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json<Problem>().type).toBe('not_found');
    }
    expect((await t.app.inject({ method: 'GET', url: '/v1/webhooks/nope', headers: withKey(ws.writeKey) })).statusCode).toBe(400);
  });
});
