import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newWebhookSecret } from '../../api/src/security/webhook-secrets.ts';
import { startWorkatoSimulator, type RequestRecord } from '../../api/src/simulators/workato/server.ts';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { createSource, startSyncHarness, WORKATO_TOKEN, type SourceView, type SyncHarness } from '../support/sources.ts';
import { waitFor } from '../support/worker.ts';
import { seededRandom } from '../../api/src/simulators/random.ts';

// Webhook hints from Workato, over real HTTP: each one is verified (Standard Webhooks signature with
// the source's secret, 5 minutes of tolerance), deduplicated by webhook-id and answered at once;
// the record it names is then refetched from Workato (a Developer API row or an MCP tool) before
// anything is written. Refusals are counted by reason.
let h: SyncHarness;
let base: string;

beforeAll(async () => {
  h = await startSyncHarness();
  await h.t.app.listen({ host: '127.0.0.1', port: 0 });
  const address = h.t.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the API is not listening on a TCP port');
  base = `http://127.0.0.1:${address.port}`;
}, 120_000);

afterAll(async () => {
  await h?.close();
});

interface HintStats {
  accepted: number;
  refetched: number;
  notFound: number;
  failed: number;
  queued: number;
  rejected: { signature: number; stale: number; malformed: number; duplicate: number };
}

/** A mapping taking the contact from a lookup-table row's data. */
const ROW_MAPPING = { externalId: '$string(customer_id)', contact: '{"email": email, "firstName": first_name}' };
const rowData = (prefix: string, i: number) => ({ customer_id: `${prefix}-${i}`, email: `${prefix}.${i}@example.com`, first_name: `Name${i}` });

/** A workspace of its own per test, so contact and dead-letter counts are the test's alone. */
async function connectedWorkspace() {
  const ws = await createWorkspace(h.t.app);
  await h.connect(ws);
  return ws;
}

async function rowSource(ws: TestWorkspace, name: string, tableId: string): Promise<SourceView> {
  const source = await createSource(h.t.app, ws, {
    kind: 'developer_api',
    name,
    token: WORKATO_TOKEN,
    developerApi: { resource: { kind: 'lookup_table', tableId }, pageSize: 100 },
    mapping: ROW_MAPPING,
    hintsEnabled: true,
  });
  expect(source.smokeTest).toMatchObject({ status: 'passed', failure: null });
  return source;
}

async function hintSecret(ws: TestWorkspace, sourceId: string): Promise<string> {
  const response = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${sourceId}/hint-secret`, headers: withKey(ws.adminKey) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ secret: string }>().secret;
}

async function hintStats(ws: TestWorkspace, sourceId: string): Promise<HintStats> {
  const response = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${sourceId}/hint-stats`, headers: withKey(ws.readKey) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<HintStats>();
}

/** Waits until every accepted hint of the source has been refetched (or found gone, or failed). */
async function refetchesSettled(ws: TestWorkspace, sourceId: string, accepted: number, timeoutMs = 45_000): Promise<HintStats> {
  let stats = await hintStats(ws, sourceId);
  await waitFor(
    async () => {
      h.workers.nudge();
      stats = await hintStats(ws, sourceId);
      return stats.accepted === accepted && stats.queued === 0;
    },
    timeoutMs,
    `hint refetches of source ${sourceId} (last seen ${JSON.stringify(stats)})`,
  );
  return stats;
}

/** What the API answered a webhook: sendWebhook gives only the status, so fetch is observed for the rest. */
interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

const answerSlot = new AsyncLocalStorage<{ answer?: Answer }>();

/**
 * Runs `send` (which calls the simulator's sendWebhook) with global fetch observed: the answer to
 * the webhook POST made inside it is kept with its content type and body.
 */
async function observed(send: () => Promise<number>): Promise<Answer & { sent: number }> {
  const slot: { answer?: Answer } = {};
  const sent = await answerSlot.run(slot, send);
  if (!slot.answer) throw new Error('the webhook POST was not observed');
  return { ...slot.answer, sent };
}

function observeFetch() {
  const realFetch = globalThis.fetch;
  return vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const response = await realFetch(input, init);
    const slot = answerSlot.getStore();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!slot || !url.startsWith(base)) return response;
    const text = await response.text();
    slot.answer = { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    return new Response(text, { status: response.status, headers: response.headers });
  });
}

const rowGets = (tableId: string) => (record: RequestRecord) =>
  record.method === 'GET' && record.route === '/api/lookup_tables/:lookup_table_id/rows/:row_id' && record.path.startsWith(`/api/lookup_tables/${tableId}/rows/`);

/** An MCP source on a table of the simulated Workato MCP server (its serverUrl to be added). */
const mcpSource = (tableId: string) => ({
  kind: 'mcp',
  mapping: ROW_MAPPING,
  mcp: { fetchTool: 'get_record', listTool: 'list_records', arguments: { table_id: tableId } },
});
const lackingSource = { ...mcpSource('7005'), name: 'mcp-lacking' };

const brevoExtIds = (sourceName: string) => [...h.brevo.state.contacts.values()].map((contact) => contact.extId).filter((extId): extId is string => extId?.startsWith(`${sourceName}:`) ?? false);

describe('webhook hints', () => {
  it('verifies, deduplicates and refetches 1,000 hints sent over HTTP', async () => {
    const ws = await connectedWorkspace();
    const tableId = '7001';
    const rows = h.workato.setLookupTable(tableId, Array.from({ length: 900 }, (_, i) => rowData('bulk', i)));
    const source = await rowSource(ws, 'bulk-rows', tableId);
    const secret = await hintSecret(ws, source.id);
    const url = `${base}${source.hintPath}`;

    // 1,000 hints: 800 valid and unique (one per row, rows 0-799), 100 repeating the webhook-id of
    // an earlier valid one, 50 signed with a wrong secret and 50 stale (for rows 800-899: a GET of
    // those rows would mean a refused hint got through).
    type Kind = 'valid' | 'duplicate' | 'signature' | 'stale';
    interface Planned {
      kind: Kind;
      id: string;
      recordId: string;
      original?: Planned;
      answer?: Promise<Answer & { sent: number }>;
    }
    const VALID = 800;
    const DUPLICATES = 100;
    const BAD_SIGNATURE = 50;
    const STALE = 50;
    const random = seededRandom(20261124);
    const singles: Planned[] = [
      ...Array.from({ length: VALID }, (_, i): Planned => ({ kind: 'valid', id: `msg_valid_${i}`, recordId: rows[i]!.id })),
      ...Array.from({ length: BAD_SIGNATURE }, (_, i): Planned => ({ kind: 'signature', id: `msg_forged_${i}`, recordId: rows[VALID + i]!.id })),
      ...Array.from({ length: STALE }, (_, i): Planned => ({ kind: 'stale', id: `msg_stale_${i}`, recordId: rows[VALID + BAD_SIGNATURE + i]!.id })),
    ];
    for (let i = singles.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [singles[i], singles[j]] = [singles[j]!, singles[i]!];
    }
    // Each duplicate goes somewhere after its original (a redelivery), interleaved with the rest.
    const keyed = singles.map((hint, position) => ({ hint, key: position }));
    const validPositions = keyed.filter(({ hint }) => hint.kind === 'valid');
    const repeated = new Set<number>();
    while (repeated.size < DUPLICATES) repeated.add(Math.floor(random() * validPositions.length));
    for (const index of repeated) {
      const { hint: original, key } = validPositions[index]!;
      keyed.push({ hint: { kind: 'duplicate', id: original.id, recordId: original.recordId, original }, key: key + 0.5 + random() * (singles.length - key) });
    }
    const plan = keyed.sort((a, b) => a.key - b.key).map(({ hint }) => hint);
    expect(plan).toHaveLength(1_000);

    const wrongSecret = newWebhookSecret();
    const staleAt = () => new Date(Date.now() - 10 * 60_000);
    const send = async (hint: Planned) => {
      // A redelivery is sent once its original has been answered.
      if (hint.original) await hint.original.answer;
      const body = { recordId: hint.recordId, event: 'updated' };
      return observed(() =>
        h.workato.sendWebhook(url, {
          secret: hint.kind === 'signature' ? wrongSecret : secret,
          id: hint.id,
          ...(hint.kind === 'stale' ? { timestamp: staleAt() } : {}),
          body,
        }),
      );
    };
    const spy = observeFetch();
    try {
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < plan.length) {
            const hint = plan[next++]!;
            hint.answer = send(hint);
            await hint.answer;
          }
        }),
      );
    } finally {
      spy.mockRestore();
    }

    const answered = await Promise.all(plan.map(async (hint) => ({ hint, answer: (await hint.answer)! })));
    const of = (kind: Kind) => answered.filter(({ hint }) => hint.kind === kind);
    expect(of('valid')).toHaveLength(VALID);
    expect(of('duplicate')).toHaveLength(DUPLICATES);
    for (const { answer } of answered) expect(answer.sent).toBe(answer.status);
    for (const { hint, answer } of of('valid')) {
      expect(answer, hint.id).toMatchObject({ status: 202, body: { status: 'queued', hintId: expect.any(String) } });
    }
    const hintIds = new Map(of('valid').map(({ hint, answer }) => [hint.id, answer.body.hintId]));
    expect(new Set(hintIds.values()).size).toBe(VALID);
    for (const { hint, answer } of of('duplicate')) {
      // Acknowledged with the original's hint.
      expect(answer, hint.id).toMatchObject({ status: 202, body: { status: 'duplicate', hintId: hintIds.get(hint.id) } });
    }
    for (const { hint, answer } of [...of('signature'), ...of('stale')]) {
      expect(answer.status, hint.id).toBe(401);
      expect(answer.contentType, hint.id).toMatch(/^application\/problem\+json/);
      expect(answer.body, hint.id).toMatchObject({ type: 'authentication', status: 401 });
    }
    expect(of('signature')[0]!.answer.body.detail).toMatch(/signature/);
    expect(of('stale')[0]!.answer.body.detail).toMatch(/webhook-timestamp/);

    const stats = await refetchesSettled(ws, source.id, VALID);
    expect(stats).toEqual({
      accepted: VALID,
      refetched: VALID,
      notFound: 0,
      failed: 0,
      queued: 0,
      rejected: { signature: BAD_SIGNATURE, stale: STALE, malformed: 0, duplicate: DUPLICATES },
    });
    // One canonical read per valid hint: none for a duplicate or a refused hint.
    expect(h.workato.count(rowGets(tableId))).toBe(VALID);
    const fetchedRows = new Set(h.workato.requests.filter(rowGets(tableId)).map((record) => record.path.split('/').at(-1)));
    expect(fetchedRows).toEqual(new Set(rows.slice(0, VALID).map((row) => row.id)));
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(VALID);
    expect(await h.t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);

    await h.settle(60_000);
    const expected = Array.from({ length: VALID }, (_, i) => `bulk-rows:bulk-${i}`);
    expect(brevoExtIds('bulk-rows').sort()).toEqual(expected.sort());
    expect(h.brevo.state.byExtId('bulk-rows:bulk-17')).toMatchObject({ email: 'bulk.17@example.com', attributes: { FIRSTNAME: 'Name17' } });
  }, 240_000);

  it('accepts both secrets during a rotation overlap, and only the new one without overlap', async () => {
    const ws = await connectedWorkspace();
    const tableId = '7002';
    const rows = h.workato.setLookupTable(tableId, Array.from({ length: 5 }, (_, i) => rowData('rotate', i)));
    const source = await rowSource(ws, 'rotating', tableId);
    const url = `${base}${source.hintPath}`;
    const hint = (secret: string, row: number) => observed(() => h.workato.sendWebhook(url, { secret, body: { recordId: rows[row]!.id } }));
    const rotate = async (overlapSeconds: number) => {
      const response = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${source.id}/hint-secret/rotate`, headers: withKey(ws.adminKey), payload: { overlapSeconds } });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ secret: string; previousSecretExpiresAt: string | null }>();
    };

    const spy = observeFetch();
    try {
      const first = await hintSecret(ws, source.id);
      const before = Date.now();
      const second = await rotate(60);
      expect(second.secret).not.toBe(first);
      expect(Date.parse(second.previousSecretExpiresAt!) - before).toBeGreaterThanOrEqual(59_000);
      expect(await hintSecret(ws, source.id)).toBe(second.secret);
      expect(await hint(first, 0)).toMatchObject({ status: 202, body: { status: 'queued' } });
      expect(await hint(second.secret, 1)).toMatchObject({ status: 202, body: { status: 'queued' } });

      const third = await rotate(0);
      const refused = await hint(second.secret, 2);
      expect(refused).toMatchObject({ status: 401, body: { type: 'authentication', status: 401 } });
      expect(refused.contentType).toMatch(/^application\/problem\+json/);
      expect(await hint(first, 3)).toMatchObject({ status: 401 });
      expect(await hint(third.secret, 4)).toMatchObject({ status: 202, body: { status: 'queued' } });
    } finally {
      spy.mockRestore();
    }

    const stats = await refetchesSettled(ws, source.id, 3);
    expect(stats).toMatchObject({ refetched: 3, rejected: { signature: 2, stale: 0, duplicate: 0 } });
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(3);
  });

  it('records a hint for a row Workato no longer has as not found: no contact, no dead letter', async () => {
    const ws = await connectedWorkspace();
    const tableId = '7003';
    const rows = h.workato.setLookupTable(tableId, Array.from({ length: 3 }, (_, i) => rowData('gone', i)));
    const source = await rowSource(ws, 'vanishing', tableId);
    const secret = await hintSecret(ws, source.id);
    const gone = rows[1]!;
    expect(h.workato.resources.lookupTables.get(tableId)!.delete(gone.id)).toBe(true);

    expect(await h.workato.sendWebhook(`${base}${source.hintPath}`, { secret, body: { recordId: gone.id, event: 'updated' } })).toBe(202);
    const stats = await refetchesSettled(ws, source.id, 1);
    expect(stats).toMatchObject({ accepted: 1, refetched: 0, notFound: 1, failed: 0, queued: 0 });
    // Workato was asked, once, and answered 404.
    expect(h.workato.requests.filter(rowGets(tableId)).map((record) => [record.path, record.status])).toEqual([[`/api/lookup_tables/${tableId}/rows/${gone.id}`, 404]]);
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await h.t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await h.t.db.sourceRecord.count({ where: { sourceId: source.id } })).toBe(0);
  });

  it('refetches a hinted record through the MCP fetch tool', async () => {
    const ws = await connectedWorkspace();
    const tableId = '7004';
    const rows = h.workato.setLookupTable(tableId, Array.from({ length: 4 }, (_, i) => rowData('mcp', i)));
    const source = await createSource(h.t.app, ws, { ...mcpSource(tableId), name: 'mcp-rows', serverUrl: `${h.workato.mcpUrl}?token=${WORKATO_TOKEN}`, hintsEnabled: true });
    expect(source.smokeTest).toMatchObject({ status: 'passed', failure: null });
    const shown = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${source.id}`, headers: withKey(ws.readKey) });
    expect(shown.body).not.toContain(WORKATO_TOKEN);
    expect(shown.json<{ mcp: { serverUrl: string } }>().mcp.serverUrl).toBe(`${h.workato.mcpUrl}?token=REDACTED`);

    const mcpPosts = (record: RequestRecord) => record.family === 'mcp' && record.method === 'POST' && record.status === 200;
    const mcpCalls = h.workato.count(mcpPosts);
    const rowCalls = h.workato.count(rowGets(tableId));
    const secret = await hintSecret(ws, source.id);
    expect(await h.workato.sendWebhook(`${base}${source.hintPath}`, { secret, body: { recordId: rows[2]!.id } })).toBe(202);
    expect(await refetchesSettled(ws, source.id, 1)).toMatchObject({ refetched: 1, notFound: 0, failed: 0 });
    // The refetch opened an MCP session (initialize) and called get_record: two more answered POSTs at least.
    expect(h.workato.count(mcpPosts)).toBeGreaterThanOrEqual(mcpCalls + 2);
    expect(h.workato.count(rowGets(tableId))).toBe(rowCalls);
    const contacts = await h.t.db.contact.findMany({ where: { workspaceId: ws.id } });
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ email: 'mcp.2@example.com' });
    await h.settle();
    expect(h.brevo.state.byExtId('mcp-rows:mcp-2')).toMatchObject({ email: 'mcp.2@example.com' });

  });

  it('refuses hints on an MCP server lacking the fetch tool, and says so on the source', async () => {
    const ws = await createWorkspace(h.t.app);
    const lacking = await startWorkatoSimulator({ tokens: [WORKATO_TOKEN], mcpTools: ['list_records'] });
    try {
      const serverUrl = `${lacking.mcpUrl}?token=${WORKATO_TOKEN}`;
      const refused = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload: { ...lackingSource, serverUrl, hintsEnabled: true } });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ status: 422, detail: expect.stringContaining("no tool 'get_record'") });
      expect(refused.body).not.toContain(WORKATO_TOKEN);
      expect(await h.t.db.source.count({ where: { workspaceId: ws.id } })).toBe(0);

      const created = await createSource(h.t.app, ws, { ...lackingSource, serverUrl });
      expect(created.smokeTest).toMatchObject({ status: 'failed', failure: { category: 'missing_tool', detail: expect.stringContaining('get_record') } });
      expect(JSON.stringify(created)).not.toContain(WORKATO_TOKEN);
      expect((created as SourceView & { mcp: { serverUrl: string } }).mcp.serverUrl).toBe(`${lacking.mcpUrl}?token=REDACTED`);
    } finally {
      await lacking.close();
    }
  });

  it('names the failed smoke test check (smokeTestFailure: missing_tool) in the 422', async () => {
    const ws = await createWorkspace(h.t.app);
    const lacking = await startWorkatoSimulator({ tokens: [WORKATO_TOKEN], mcpTools: ['list_records'] });
    try {
      const payload = { ...lackingSource, serverUrl: `${lacking.mcpUrl}?token=${WORKATO_TOKEN}`, hintsEnabled: true };
      const refused = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json()).toMatchObject({ smokeTestFailure: 'missing_tool' });
    } finally {
      await lacking.close();
    }
  });

  it('refuses hints on an Event Streams source', async () => {
    const ws = await createWorkspace(h.t.app);
    const response = await h.t.app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: withKey(ws.adminKey),
      payload: { kind: 'event_stream', name: 'topic-hints', token: WORKATO_TOKEN, eventStream: { topicId: '4999' }, hintsEnabled: true },
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ type: 'validation', status: 400, detail: expect.stringContaining('Event Streams') });
    expect(await h.t.db.source.count({ where: { workspaceId: ws.id } })).toBe(0);
  });
});
