import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorkatoSimulator, type WorkatoSimulator } from '../../api/src/simulators/workato/server.ts';
import { endpointsFor, redactUrl, WORKATO_ENDPOINTS, WorkatoError, WorkatoHttpClient, type WorkatoResponseInfo } from '../../api/src/workato/client.ts';
import type { RowResource, WorkatoRow } from '../../api/src/workato/types.ts';

const TOKEN = 'wrk-client-test-secret-token';
let workato: WorkatoSimulator;
beforeAll(async () => {
  workato = await startWorkatoSimulator({ tokens: [TOKEN] });
});
afterAll(() => workato.close());

let responses: WorkatoResponseInfo[];
beforeEach(() => {
  responses = [];
});

const client = (overrides: { token?: string; timeoutMs?: number; attempts?: number } = {}) =>
  new WorkatoHttpClient({
    endpoints: endpointsFor('us', workato.url),
    token: overrides.token ?? TOKEN,
    timeoutMs: overrides.timeoutMs ?? 5_000,
    retry: { attempts: overrides.attempts ?? 3, baseDelayMs: 5, maxDelayMs: 20 },
    onResponse: (info) => responses.push(info),
  });

async function readAll(resource: RowResource, pageSize: number) {
  const rows: WorkatoRow[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await client().listRows(resource, { cursor, pageSize });
    rows.push(...page.rows);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null);
  return { rows, pages };
}

describe('Workato data centers', () => {
  it("names each data center's documented hosts, or the override for all three", () => {
    expect(endpointsFor('eu')).toEqual({ developerApi: 'https://app.eu.workato.com', eventStreams: 'https://event-streams.eu.workato.com', dataTables: 'https://data-tables.eu.workato.com' });
    expect(WORKATO_ENDPOINTS.us.developerApi).toBe('https://www.workato.com');
    expect(WORKATO_ENDPOINTS.trial.eventStreams).toBe('https://event-streams.trial.workato.com');
    expect(endpointsFor('jp', 'http://127.0.0.1:9/')).toEqual({ developerApi: 'http://127.0.0.1:9', eventStreams: 'http://127.0.0.1:9', dataTables: 'http://127.0.0.1:9' });
  });
});

describe('WorkatoHttpClient pagination, through the simulator to the end', () => {
  it('pages lookup table rows by page number, with their data and timestamps', async () => {
    workato.setLookupTable('lt1', Array.from({ length: 23 }, (_, n) => ({ email: `p${n}@example.com`, n })));
    const { rows, pages } = await readAll({ kind: 'lookup_table', tableId: 'lt1' }, 10);
    expect(rows).toHaveLength(23);
    expect(pages).toBe(3);
    expect(new Set(rows.map((row) => row.id)).size).toBe(23);
    expect(rows[22]).toMatchObject({ data: { email: 'p22@example.com', n: 22 }, createdAt: expect.any(String), updatedAt: expect.any(String) });
    const row = await client().getRow({ kind: 'lookup_table', tableId: 'lt1' }, rows[4]!.id);
    expect(row).toEqual(rows[4]);
    expect(await client().getRow({ kind: 'lookup_table', tableId: 'lt1' }, '999999')).toBeNull();
  });

  it('moves updated_at when a row changes', async () => {
    const [row] = workato.setLookupTable('lt2', [{ email: 'a@example.com' }]);
    await new Promise((resolve) => setTimeout(resolve, 2));
    workato.upsertRow('lookup_table', 'lt2', { id: row!.id, data: { email: 'b@example.com' } });
    const read = await client().getRow({ kind: 'lookup_table', tableId: 'lt2' }, row!.id);
    expect(read).toMatchObject({ data: { email: 'b@example.com' }, createdAt: row!.createdAt });
    expect(Date.parse(read!.updatedAt!)).toBeGreaterThan(Date.parse(row!.createdAt));
  });

  it('pages recipes (at most 100 a page) with their own fields as the row', async () => {
    workato.setRecipes(Array.from({ length: 205 }, (_, n) => ({ name: `Recipe ${n}`, running: n % 2 === 0 })));
    const { rows, pages } = await readAll({ kind: 'recipes' }, 500);
    expect(rows).toHaveLength(205);
    expect(pages).toBe(3);
    expect(rows[0]).toMatchObject({ id: '1', data: { id: 1, name: 'Recipe 0', running: true } });
    expect(await client().getRow({ kind: 'recipes' }, '5')).toMatchObject({ id: '5', data: { name: 'Recipe 4' } });
    expect(await client().getRow({ kind: 'recipes' }, '9999')).toBeNull();
  });

  it("pages a recipe's jobs by offset_job_id", async () => {
    workato.setJobs('1', Array.from({ length: 230 }, (_, n) => ({ id: `j-${1000 - n}`, status: n % 10 === 0 ? 'failed' : 'succeeded' })));
    const { rows, pages } = await readAll({ kind: 'jobs', recipeId: '1' }, 50);
    expect(rows).toHaveLength(230);
    expect(new Set(rows.map((row) => row.id)).size).toBe(230);
    expect(pages).toBe(4); // 100 + 100 + 30, then the empty page that ends it
    expect(rows[0]).toMatchObject({ id: 'j-1000', data: { status: 'failed' }, createdAt: expect.any(String) });
    expect(await client().getRow({ kind: 'jobs', recipeId: '1' }, 'j-999')).toMatchObject({ id: 'j-999' });
    expect(await client().getRow({ kind: 'jobs', recipeId: '1' }, 'j-1')).toBeNull();
  });

  it('pages data table records by continuation token, and gets one by record ID', async () => {
    const seeded = workato.setDataTable('dt1', Array.from({ length: 45 }, (_, n) => ({ email: `d${n}@example.com` })));
    const { rows, pages } = await readAll({ kind: 'data_table', tableId: 'dt1' }, 20);
    expect(rows).toHaveLength(45);
    expect(pages).toBe(3);
    expect(rows.map((row) => row.id)).toEqual(seeded.map((row) => row.id));
    expect(rows[44]!.data).toEqual({ email: 'd44@example.com' });
    expect(await client().getRow({ kind: 'data_table', tableId: 'dt1' }, seeded[7]!.id)).toEqual(rows[7]);
    expect(await client().getRow({ kind: 'data_table', tableId: 'dt1' }, 'no-such-record')).toBeNull();
    expect(responses.every((info) => info.family === 'data_tables' && info.endpoint === 'POST /api/v1/tables/:data_table_id/query')).toBe(true);
  });

  it('consumes Event Streams messages after a message ID', async () => {
    const published = workato.publish('client-topic', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    const messages = await client().consume('client-topic', { afterMessageId: published[0]!.messageId, batchSize: 50 });
    expect(messages).toEqual(published.slice(1));
    await expect(client().consume('client-topic', { afterMessageId: 'x', sinceTime: published[0]!.time })).rejects.toMatchObject({ category: 'validation' });
    await expect(client().consume('client-topic', { batchSize: 51 })).rejects.toMatchObject({ category: 'validation' });
  });

  it("publishes in batches of Workato's maximum (100), answering every message ID in order", async () => {
    workato.createTopic('feed-topic');
    const payloads = Array.from({ length: 250 }, (_, n) => ({ n }));
    const ids = await client().publish('feed-topic', payloads);
    expect(ids).toEqual(workato.messages('feed-topic').map((message) => message.messageId));
    expect(workato.messages('feed-topic').map((message) => message.payload)).toEqual(payloads);
    expect(workato.count((request) => request.route === '/api/v1/batch/topics/:topic_id/publish')).toBe(3);
    await expect(client().publish('no-such-topic', [{ n: 1 }])).rejects.toMatchObject({ category: 'not_found' });
  });

  it('adds a lookup table row, which then reads back; a row of more than 10 columns is refused', async () => {
    workato.setLookupTable('feed-table', []);
    const added = await client().addLookupRow('feed-table', { code: 'AU', name: 'Australia' });
    expect(added).toMatchObject({ data: { code: 'AU', name: 'Australia' } });
    expect(await client().getRow({ kind: 'lookup_table', tableId: 'feed-table' }, added.id)).toEqual(added);
    const wide = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`col${i + 1}`, i]));
    await expect(client().addLookupRow('feed-table', wide)).rejects.toMatchObject({ category: 'validation' });
  });

  it('long-polls with timeout_secs, waiting past its own timeout for the answer', async () => {
    workato.createTopic('slow-topic');
    const started = Date.now();
    const messages = await client({ timeoutMs: 300 }).consume('slow-topic', { timeoutSecs: 1 });
    expect(messages).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe('WorkatoHttpClient failures', () => {
  it('maps 401 to authentication, naming the request and never the token', async () => {
    const failure = await client({ token: 'wrong-secret-token-value' }).whoAmI().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkatoError);
    expect(failure).toMatchObject({ category: 'authentication', status: 401 });
    expect((failure as Error).message).toContain('Workato rejected the API token (HTTP 401) for GET /api/users/me');
    expect((failure as Error).message).not.toContain('wrong-secret-token-value');
    expect(responses).toHaveLength(1); // a refusal is not retried
  });

  it('honours Retry-After on 429, then succeeds, and reports the rate limit', async () => {
    workato.failNext('/api/users/me', 429, 1, { retryAfterSeconds: 1 });
    const started = Date.now();
    expect(await client().whoAmI()).toEqual({ id: '1', name: 'Workato Simulator' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(responses.map((info) => info.status)).toEqual([429, 200]);
    expect(responses[0]).toMatchObject({ family: 'developer_api', endpoint: 'GET /api/users/me', retryAfterMs: 1000 });
  });

  it('retries 5xx and gives up after the attempts with vendor_unavailable', async () => {
    workato.failNext('/api/recipes', 503, 3);
    const failure = await client({ attempts: 3 }).listRows({ kind: 'recipes' }, { cursor: null, pageSize: 10 }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: 'vendor_unavailable', status: 503 });
    expect((failure as Error).message).toMatch(/GET \/api\/recipes .*503.*3 attempts/);
    expect(responses.map((info) => info.status)).toEqual([503, 503, 503]);

    workato.failNext('/api/recipes', 502, 2);
    await expect(client({ attempts: 3 }).listRows({ kind: 'recipes' }, { cursor: null, pageSize: 10 })).resolves.toMatchObject({ rows: expect.any(Array) });
  });

  it('retries a dropped connection', async () => {
    workato.failNext('/api/users/me', 'drop', 2);
    expect(await client({ attempts: 3 }).whoAmI()).toMatchObject({ id: '1' });
    workato.failNext('/api/users/me', 'drop', 2);
    const failure = await client({ attempts: 2 }).whoAmI().catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: 'vendor_unavailable', status: null, message: expect.stringContaining('could not be reached for GET /api/users/me') });
  });

  it('times out a slow answer and gives up with vendor_unavailable', async () => {
    workato.setFaults({ latencyMs: [400, 400] });
    try {
      const failure = await client({ timeoutMs: 100, attempts: 2 }).whoAmI().catch((error: unknown) => error);
      expect(failure).toMatchObject({ category: 'vendor_unavailable', message: expect.stringContaining('did not answer GET /api/users/me within 100 ms') });
    } finally {
      workato.setFaults({});
    }
  });

  it('maps a missing resource to not_found for listing, while getRow resolves null', async () => {
    await expect(client().listRows({ kind: 'lookup_table', tableId: 'nope' }, { cursor: null, pageSize: 10 })).rejects.toMatchObject({ category: 'not_found', status: 404 });
    expect(await client().getRow({ kind: 'lookup_table', tableId: 'nope' }, '1')).toBeNull();
  });

  it('maps 400 to validation without retrying', async () => {
    workato.createTopic('validation-topic');
    const failure = await client().consume('validation-topic', { afterMessageId: 'unknown-id' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: 'validation', status: 400 });
    expect(responses).toHaveLength(1);
  });
});

describe('redactUrl', () => {
  it('replaces every query value and any userinfo, keeping the rest', () => {
    expect(redactUrl('https://user:pass@mcp.workato.com/servers/abc/mcp?token=s3cret&x=1')).toBe('https://REDACTED:REDACTED@mcp.workato.com/servers/abc/mcp?token=REDACTED&x=REDACTED');
    expect(redactUrl('https://mcp.workato.com/mcp')).toBe('https://mcp.workato.com/mcp');
    expect(redactUrl('not a url?token=s3cret')).toBe('not a url?token=REDACTED');
  });
});
