import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkatoSimulator, type WorkatoSimulator } from '../../api/src/simulators/workato/server.ts';

const TOKEN = 'wrkato-simulator-test-token';
let workato: WorkatoSimulator;
beforeAll(async () => {
  workato = await startWorkatoSimulator({ tokens: [TOKEN], topics: ['empty'] });
});
afterAll(() => workato.close());

const consume = (topic: string, body: Record<string, unknown>, token = TOKEN) =>
  fetch(`${workato.url}/api/v1/topics/${topic}/consume`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const ids = async (response: Response) => ((await response.json()) as { messages: { message_id: string }[] }).messages.map((m) => m.message_id);

describe('Workato simulator: Event Streams', () => {
  it('keeps messages in order with unique, monotonic IDs and RFC 3339 times with milliseconds', async () => {
    const published = workato.publish('orders', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(new Set(published.map((m) => m.messageId)).size).toBe(3);
    expect([...published.map((m) => m.messageId)].sort()).toEqual(published.map((m) => m.messageId));
    for (const message of published) expect(message.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const response = await consume('orders', {});
    expect(response.status).toBe(200);
    const body = (await response.json()) as { messages: { message_id: string; payload: unknown; time: string }[] };
    expect(body.messages).toEqual(published.map((m) => ({ message_id: m.messageId, payload: m.payload, time: m.time })));
  });

  it('reads after_message_id exclusively and refuses an ID the topic does not have with a JSON 400', async () => {
    const [first, second, third] = workato.publish('after', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await ids(await consume('after', { after_message_id: first!.messageId }))).toEqual([second!.messageId, third!.messageId]);
    expect(await ids(await consume('after', { after_message_id: third!.messageId }))).toEqual([]);
    workato.publish('elsewhere', [{ n: 1 }]);
    const foreign = workato.messages('elsewhere')[0]!.messageId;
    const unknown = await consume('after', { after_message_id: `${foreign}-nope` });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ message: expect.stringContaining('after_message_id') });
    const both = await consume('after', { after_message_id: first!.messageId, since_time: first!.time });
    expect(both.status).toBe(400);
  });

  it('reads since_time inclusively, treats a future time as now, and caps batches at 50', async () => {
    workato.publish('since', [{ n: 0 }]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const later = workato.publish('since', [{ n: 1 }, { n: 2 }]);
    expect(await ids(await consume('since', { since_time: later[0]!.time }))).toEqual(later.map((m) => m.messageId));
    expect(await ids(await consume('since', { since_time: '2999-01-01T00:00:00.000Z' }))).toEqual([]);

    workato.publish('many', Array.from({ length: 60 }, (_, n) => ({ n })));
    expect(await ids(await consume('many', {}))).toHaveLength(50);
    expect(await ids(await consume('many', { batch_size: 7 }))).toHaveLength(7);
    expect((await consume('many', { batch_size: 51 })).status).toBe(400);
    expect((await consume('many', { timeout_secs: 61 })).status).toBe(400);
  });

  it('answers a long poll as soon as a message is published, and empty when the timeout passes', async () => {
    workato.createTopic('poll');
    const started = Date.now();
    const polling = consume('poll', { timeout_secs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [message] = workato.publish('poll', [{ hello: 'world' }]);
    expect(await ids(await polling)).toEqual([message!.messageId]);
    expect(Date.now() - started).toBeLessThan(900);

    const idle = Date.now();
    expect(await ids(await consume('poll', { after_message_id: message!.messageId, timeout_secs: 1 }))).toEqual([]);
    expect(Date.now() - idle).toBeGreaterThanOrEqual(950);
    expect(workato.consumeStats('poll')).toEqual({ consumeCalls: 2, messagesReturned: 1 });
  });

  it('publishes one message and a batch over HTTP, and 404s an unknown topic', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${workato.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const one = (await (await post('/api/v1/topics/empty/publish', { a: 1 })).json()) as { message_id: string };
    const batch = (await (await post('/api/v1/batch/topics/empty/publish', { payloads: [{ a: 2 }, { a: 3 }] })).json()) as { message_ids: string[] };
    expect(workato.messages('empty').map((m) => m.messageId)).toEqual([one.message_id, ...batch.message_ids]);
    expect((await post('/api/v1/topics/nope/publish', { a: 1 })).status).toBe(404);
    expect((await consume('nope', {})).status).toBe(404);
  });
});

describe('Workato simulator: auth, rate limits and faults', () => {
  it('answers a missing, unknown or revoked token 401 with {message}', async () => {
    const response = await consume('empty', {}, 'not-a-token');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    workato.addToken('short-lived');
    expect((await consume('empty', {}, 'short-lived')).status).toBe(200);
    workato.revokeToken('short-lived');
    expect((await consume('empty', {}, 'short-lived')).status).toBe(401);
  });

  it('limits requests per token and minute with 429 and Retry-After', async () => {
    const limited = await startWorkatoSimulator({ tokens: ['a', 'b'], rateLimitPerMinute: 2 });
    try {
      const me = (token: string) => fetch(`${limited.url}/api/users/me`, { headers: { authorization: `Bearer ${token}` } });
      expect((await me('a')).status).toBe(200);
      expect((await me('a')).status).toBe(200);
      const refused = await me('a');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await me('b')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('fails the next N requests to a path prefix deterministically, then answers normally', async () => {
    workato.failNext('/api/users/me', 503, 2);
    const me = () => fetch(`${workato.url}/api/users/me`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await me()).status).toBe(503);
    expect((await me()).status).toBe(503);
    expect((await me()).status).toBe(200);
    expect(workato.count((r) => r.route === '/api/users/me' && r.status === 503)).toBe(2);
    workato.failNext('/api/users/me', 'drop');
    await expect(me()).rejects.toThrow();
  });
});

describe('Workato simulator: webhook sender', () => {
  let receiver: Server;
  let target: string;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        try {
          new Webhook(secret).verify(Buffer.concat(chunks).toString(), request.headers as Record<string, string>);
          response.writeHead(204).end();
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  it('signs with Standard Webhooks so Webhook.verify accepts it, and a stale or bad signature fails', async () => {
    expect(await workato.sendWebhook(target, { secret, body: { table_id: 't1', id: '7' } })).toBe(204);
    expect(await workato.sendWebhook(target, { secret, body: { id: '7' }, timestamp: new Date(Date.now() - 10 * 60_000) })).toBe(400);
    expect(await workato.sendWebhook(target, { secret, body: { id: '7' }, signature: 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' })).toBe(400);
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    expect(await workato.sendWebhook(target, { secret: other, body: { id: '7' } })).toBe(400);
  });
});
