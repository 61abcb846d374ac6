import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../scripts/cli/run.ts';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { createSource, getJob, startSyncHarness, TOPIC_MAPPING, topicPayload, WORKATO_TOKEN, type SourceView, type SyncHarness, type SyncJobView } from '../support/sources.ts';

// The tajo CLI as an operator runs it: a child process talking HTTP to a listening API whose
// workers read a topic of the Workato simulator and activate into the Brevo simulator.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MESSAGES = 300;
const UNMAPPABLE = Array.from({ length: MESSAGES }, (_, i) => i).filter((i) => i % 33 === 7).length;
const CSV_HEADER = ['id', 'category', 'status', 'entityType', 'entityId', 'sourceObjectId', 'syncJobId', 'reason', 'createdAt', 'updatedAt'];

let h: SyncHarness;
let ws: TestWorkspace;
let url: string;
let source: SourceView;
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tajo ARGS` (never blocking this process: the API answering it lives here). */
function tajo(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, TAJO_URL: url, TAJO_API_KEY: ws.adminKey, TAJO_WATCH_INTERVAL_MS: '200', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** RFC 4180, enough to read back what the CLI writes: quoted fields, doubled quotes, CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field || row.length) rows.push([...row, field]);
  return rows;
}

async function openDeadLetterIds(): Promise<string[]> {
  const response = await h.t.app.inject({ method: 'GET', url: '/v1/dead-letters?status=open&limit=200', headers: withKey(ws.readKey) });
  expect(response.statusCode, response.body).toBe(200);
  const page = response.json<{ data: { id: string }[]; nextCursor: string | null }>();
  expect(page.nextCursor).toBeNull();
  return page.data.map((letter) => letter.id);
}

beforeAll(async () => {
  h = await startSyncHarness();
  ws = await createWorkspace(h.t.app);
  await h.connect(ws);
  await h.t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(h.t.app.server.address() as AddressInfo).port}`;
  const topic = '7001';
  h.workato.publish(topic, Array.from({ length: MESSAGES }, (_, i) => topicPayload(i)));
  source = await createSource(h.t.app, ws, {
    kind: 'event_stream',
    name: 'cli-customers',
    dataCenter: 'eu',
    token: WORKATO_TOKEN,
    eventStream: { topicId: topic, longPollSeconds: 1 },
    mapping: TOPIC_MAPPING,
    backfillEnabled: true,
  });
  dir = await mkdtemp(join(tmpdir(), 'tajo-cli-'));
}, 120_000);

afterAll(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the tajo CLI', () => {
  let backfill: SyncJobView;

  it('backfills a topic, watching it to the end, and reports exactly the job’s counts', async () => {
    const run = await tajo(['backfill', source.id, '--watch', '--expect', String(MESSAGES), '--json'], { TAJO_API_KEY: ws.writeKey });
    expect(run.code, run.stderr).toBe(0);
    const reported = JSON.parse(run.stdout) as SyncJobView & { kind: string };
    backfill = await getJob(h.t.app, ws, reported.id);
    expect(reported).toMatchObject({ kind: 'backfill', status: 'completed' });
    expect(reported.progress).toEqual(backfill.progress);
    expect(reported.progress).toMatchObject({ recordsSeen: MESSAGES, created: MESSAGES - UNMAPPABLE, updated: 0, unchanged: 0, deadLettered: UNMAPPABLE });
    expect(reported.progress.readCalls).toBeGreaterThanOrEqual(Math.ceil(MESSAGES / 50));
  }, 60_000);

  it('shows a job’s status as the API has it, as JSON and for a person', async () => {
    const asJson = await tajo(['jobs', 'status', backfill.id, '--json'], { TAJO_API_KEY: ws.readKey });
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toEqual(await getJob(h.t.app, ws, backfill.id));

    const human = await tajo(['jobs', 'status', backfill.id], { TAJO_API_KEY: ws.readKey });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^status\s+completed$/m);
    const p = backfill.progress;
    expect(human.stdout).toContain(`${p.recordsSeen} seen, ${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.stale} stale, ${p.deadLettered} dead-lettered`);

    const list = await tajo(['jobs', 'list', '--source', source.id, '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((job) => job.id)).toEqual([backfill.id]);
  });

  it('replays the backfill in human mode: a summary of what came back unchanged', async () => {
    const run = await tajo(['jobs', 'replay', backfill.id, '--watch', '--expect', String(MESSAGES)], { TAJO_API_KEY: ws.writeKey });
    expect(run.code, run.stderr).toBe(0);
    const id = /^Backfill (\S+) completed/m.exec(run.stdout)?.[1];
    expect(id, run.stdout).toBeDefined();
    const replay = await getJob(h.t.app, ws, id!);
    expect(replay.progress).toMatchObject({ recordsSeen: MESSAGES, created: 0 });
    const p = replay.progress;
    for (const [label, value] of [['records seen', p.recordsSeen], ['created', p.created], ['updated', p.updated], ['unchanged', p.unchanged], ['dead-lettered', p.deadLettered], ['read calls', p.readCalls]] as const) {
      expect(run.stdout).toMatch(new RegExp(`^  ${label}\\s+${value}$`, 'm'));
    }
    // Not a terminal: the progress comes as lines on stderr, the last one at 100%.
    expect(run.stderr).toMatch(/\[#{30}\] 100%\s+300\/300/);
  }, 60_000);

  it('exports every open dead letter as CSV, page after page, and as JSON', async () => {
    const ids = await openDeadLetterIds();
    expect(ids.length).toBeGreaterThanOrEqual(UNMAPPABLE);

    // Pages of 4: the export has to follow the cursor.
    const run = await tajo(['dead-letters', 'export', '--format', 'csv', '--page-size', '4'], { TAJO_API_KEY: ws.readKey });
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = parseCsv(run.stdout);
    expect(header).toEqual(CSV_HEADER);
    expect(rows).toHaveLength(ids.length);
    expect(rows.map((row) => row[0])).toEqual(ids);
    for (const row of rows) {
      expect(row).toHaveLength(CSV_HEADER.length);
      expect(row.slice(1, 4)).toEqual(['mapping', 'open', 'source_record']);
      expect(row[7]).toContain('email');
    }

    const out = join(dir, 'dead-letters.json');
    const asJson = await tajo(['dead-letters', 'export', '--format', 'json', '--page-size', '4', '--out', out], { TAJO_API_KEY: ws.readKey });
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(asJson.stdout).toContain(`Exported ${ids.length} open dead letters`);
    const letters = JSON.parse(await readFile(out, 'utf8')) as { id: string; status: string; syncJobId: string | null }[];
    expect(letters.map((letter) => letter.id)).toEqual(ids);
    expect(letters.every((letter) => letter.status === 'open' && letter.syncJobId !== null)).toBe(true);
  });

  it('reports the API’s refusal of a bad key on stderr and exits 1', async () => {
    const refused = await h.t.app.inject({ method: 'GET', url: '/v1/sync-jobs', headers: withKey('tajo_not_a_real_key') });
    expect(refused.statusCode).toBe(401);
    const { detail } = refused.json<{ detail: string }>();

    const run = await tajo(['jobs', 'list'], { TAJO_API_KEY: 'tajo_not_a_real_key' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(detail);
    expect(run.stderr).toContain('HTTP 401');

    // A read key may not start a backfill: the API's 403 detail, exit 1.
    const forbidden = await tajo(['backfill', source.id], { TAJO_API_KEY: ws.readKey });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toContain('HTTP 403');
  });

  it('exits 2 with the usage for an unknown command, an unknown option or a missing key', async () => {
    const unknown = await tajo(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command: frobnicate');
    expect(unknown.stderr).toContain('Usage: tajo <command>');
    expect(unknown.stderr).toContain('tajo dead-letters export');

    const option = await tajo(['jobs', 'status', backfill.id, '--frob']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("'--frob'");

    const noKey = await tajo(['jobs', 'list'], { TAJO_API_KEY: '' });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('TAJO_API_KEY');
  });
});

/**
 * `tajo ARGS` in this process: the bin's own parsing, HTTP calls, output and exit code, without
 * starting node for each call (main.ts only hands run() the process's argv, stdio and env).
 */
async function tajoHere(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { out: (text: string) => void (stdout += text), err: (text: string) => void (stderr += text) };
  const code = await run(args, io, { ...process.env, TAJO_URL: url, TAJO_API_KEY: ws.adminKey, TAJO_WATCH_INTERVAL_MS: '200', ...env });
  return { code, stdout, stderr };
}

/** `tajo ARGS --json` that must succeed: its stdout parsed. */
async function tajoJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const result = await tajoHere([...args, '--json'], env);
  expect(result.code, `tajo ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** The API's problem detail for a request, to compare with what the CLI printed. */
async function problemDetail(method: 'GET' | 'POST', path: string, key: string): Promise<string> {
  const response = await h.t.app.inject({ method, url: path, headers: withKey(key) });
  expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
  return response.json<{ detail: string }>().detail;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe('tajo bootstrap', () => {
  it('creates a workspace on the database and prints its first admin key once; the API takes the key', async () => {
    // The harness's own database, so the key can be tried against the listening API.
    const env = { DATABASE_URL: h.databaseUrl, DATA_DIR: dir, TAJO_ENCRYPTION_KEY: randomBytes(32).toString('hex'), TAJO_API_KEY: '' };
    const [asJson, human] = await Promise.all([
      tajo(['bootstrap', '--name', 'CLI Bootstrap', '--region', 'GB', '--json'], env),
      tajo(['bootstrap', '--name', 'Ops Team'], env),
    ]);
    expect(asJson.code, asJson.stderr).toBe(0);
    const created = JSON.parse(asJson.stdout) as { workspaceId: string; name: string; apiKey: string };
    expect(created).toMatchObject({ name: 'CLI Bootstrap', apiKey: expect.stringMatching(/^tajo_/) });
    const keys = await tajoJson<{ name: string; scopes: string[] }[]>(['keys', 'list'], { TAJO_API_KEY: created.apiKey });
    expect(keys).toEqual([expect.objectContaining({ name: 'bootstrap admin key', scopes: ['admin'], revokedAt: null })]);
    const workspace = await h.t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(created.apiKey) });
    expect(workspace.json()).toMatchObject({ id: created.workspaceId, name: 'CLI Bootstrap', defaultPhoneRegion: 'GB' });

    expect(human.code, human.stderr).toBe(0);
    const [, id, key] = /^Workspace "Ops Team" \((\S+)\) created\.\nAdmin API key \(shown only now, store it\):\n\n {2}(tajo_\S+)\n/.exec(human.stdout) ?? [];
    expect(key, human.stdout).toBeDefined();
    expect(occurrences(human.stdout, key!)).toBe(1);
    const other = await h.t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(key!) });
    expect(other.json()).toMatchObject({ id, name: 'Ops Team' });
  });

  it('fails with one clear line and exit 1 when the database cannot be reached; exit 2 without --name', async () => {
    const [unreachable, noName] = await Promise.all([
      tajo(['bootstrap', '--name', 'Nowhere'], { DATABASE_URL: 'postgresql://tajo:hunter2@127.0.0.1:1/nowhere', DATA_DIR: dir }),
      tajoHere(['bootstrap']),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toMatch(/^bootstrap: cannot open the database at 127\.0\.0\.1:1\/nowhere: .*ECONNREFUSED.*\n$/);
    expect(unreachable.stderr).not.toContain('hunter2');

    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name is required');
    expect(noName.stderr).toContain('tajo bootstrap --name N');
  });
});

describe('tajo keys', () => {
  it('creates, lists, rotates and revokes keys; a revoked key is then refused with the API’s detail', async () => {
    const created = await tajoJson<{ apiKey: { id: string; name: string; scopes: string[] }; secret: string }>(['keys', 'create', '--name', 'ci deploy', '--scopes', 'read,write']);
    expect(created.apiKey).toMatchObject({ name: 'ci deploy', scopes: ['read', 'write'], revokedAt: null });
    expect(created.secret).toMatch(/^tajo_/);

    const [listed, human, rotated, badScope] = await Promise.all([
      tajoJson<{ id: string; name: string }[]>(['keys', 'list']),
      tajoHere(['keys', 'list']),
      tajoHere(['keys', 'rotate', created.apiKey.id]),
      tajoHere(['keys', 'create', '--name', 'x', '--scopes', 'read,root']),
    ]);
    expect(listed.map((key) => key.id)).toContain(created.apiKey.id);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^id\s+name\s+prefix\s+scopes\s+createdAt\s+expiresAt\s+revokedAt$/m);
    expect(human.stdout).toMatch(new RegExp(`^${created.apiKey.id}\\s+ci deploy\\s+\\S+\\s+read,write\\s`, 'm'));
    expect(human.stdout + JSON.stringify(listed)).not.toContain(created.secret);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('unknown scope root');

    // Rotation: a replacement with the same name and scopes, its secret once; the old key still works.
    expect(rotated.code, rotated.stderr).toBe(0);
    const newId = /^id\s+(\S+)$/m.exec(rotated.stdout)?.[1];
    const newSecret = /^ {2}(tajo_\S+)$/m.exec(rotated.stdout)?.[1];
    expect(rotated.stdout).toContain('Secret (shown only now, store it):');
    expect(rotated.stdout).toMatch(/^scopes\s+read,write$/m);
    expect(newId).not.toBe(created.apiKey.id);
    expect(newSecret).toBeDefined();
    expect(newSecret).not.toBe(created.secret);
    expect((await tajoHere(['jobs', 'list'], { TAJO_API_KEY: created.secret })).code).toBe(0);

    const revoked = await tajoHere(['keys', 'revoke', created.apiKey.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^Key ${created.apiKey.id} \\(ci deploy\\) revoked at \\d{4}-\\d\\d-\\d\\dT`));
    const [keys, refused, replacement] = await Promise.all([
      tajoJson<{ id: string; revokedAt: string | null; rotatedFromId: string | null }[]>(['keys', 'list']),
      tajoHere(['jobs', 'list'], { TAJO_API_KEY: created.secret }),
      tajoHere(['jobs', 'list'], { TAJO_API_KEY: newSecret! }),
    ]);
    expect(keys.find((key) => key.id === created.apiKey.id)?.revokedAt).not.toBeNull();
    expect(keys.find((key) => key.id === newId)).toMatchObject({ revokedAt: null, rotatedFromId: created.apiKey.id });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(await problemDetail('GET', '/v1/sync-jobs', created.secret));
    expect(refused.stderr).toContain('HTTP 401');
    expect(replacement.code, replacement.stderr).toBe(0);
  });
});

// Orders: a second topic, its source created through the CLI and read by the job tests.
const ORDERS = 200;
const ORDERS_UNMAPPABLE = Array.from({ length: ORDERS }, (_, i) => i).filter((i) => i % 33 === 7).length;
let orders: SourceView & { name: string };

describe('tajo sources', () => {
  it('creates a source from a JSON file, lists, shows and updates it; a bad definition is refused with its fields named', async () => {
    h.workato.publish('7002', Array.from({ length: ORDERS }, (_, i) => ({ ...topicPayload(i), id: `order-${i}` })));
    const definition = { kind: 'event_stream', name: 'cli-orders', dataCenter: 'eu', token: WORKATO_TOKEN, eventStream: { topicId: '7002', longPollSeconds: 1 }, mapping: TOPIC_MAPPING, backfillEnabled: true };
    const bad = { kind: 'event_stream', name: 'broken', eventStream: { topicId: '7003', longPollSeconds: 999 } };
    const file = (name: string) => join(dir, name);
    await Promise.all([
      writeFile(file('orders.json'), JSON.stringify(definition)),
      writeFile(file('bad.json'), JSON.stringify(bad)),
      writeFile(file('truncated.json'), '{"kind": "event_stream",'),
      writeFile(file('changes.json'), JSON.stringify({ backfillEnabled: true, eventStream: { longPollSeconds: 2 } })),
    ]);
    orders = await tajoJson<typeof orders>(['sources', 'create', '--file', file('orders.json')]);
    expect(orders).toMatchObject({ name: 'cli-orders', kind: 'event_stream', smokeTest: { status: 'passed' } });
    const stored = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${orders.id}`, headers: withKey(ws.readKey) });
    expect(stored.statusCode).toBe(200);

    const [listed, got, list, get, refused, notJson, missing, nothing] = await Promise.all([
      tajoJson<{ id: string }[]>(['sources', 'list']),
      tajoJson(['sources', 'get', orders.id]),
      tajoHere(['sources', 'list']),
      tajoHere(['sources', 'get', orders.id]),
      tajoHere(['sources', 'create', '--file', file('bad.json')]),
      tajoHere(['sources', 'create', '--file', file('truncated.json')]),
      tajoHere(['sources', 'create', '--file', file('absent.json')]),
      tajoHere(['sources', 'update', orders.id]),
    ]);
    expect(listed.map((one) => one.id).sort()).toEqual([source.id, orders.id].sort());
    expect(got).toEqual(stored.json());
    expect(list.stdout).toMatch(/^id\s+name\s+kind\s+dataCenter\s+smokeTest\s+backfill\s+hints$/m);
    expect(list.stdout).toMatch(new RegExp(`^${orders.id}\\s+cli-orders\\s+event_stream\\s+eu\\s+passed\\s+on\\s+off$`, 'm'));
    expect(get.stdout).toMatch(/^name\s+cli-orders$/m);
    expect(get.stdout).toMatch(/^smoke test\s+passed$/m);
    expect(get.stdout).toContain('"topicId":"7002"');
    expect(get.stdout + list.stdout).not.toContain(WORKATO_TOKEN);

    // The API refuses the definition: exit 1, its detail and each field it names.
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    const response = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload: bad });
    const problem = response.json<{ detail: string; errors: { field: string; message: string }[] }>();
    expect(problem.errors.length).toBeGreaterThan(0);
    expect(refused.stderr).toContain(`${problem.detail} (HTTP ${response.statusCode}`);
    for (const error of problem.errors) expect(refused.stderr).toContain(`  ${error.field}: ${error.message}\n`);
    // Not JSON, no such file, nothing to change: the command line is wrong (exit 2), nothing is sent.
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain(`${file('truncated.json')} is not JSON`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ENOENT');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');

    // Update: a switch from a flag, a setting from a file; the smoke test runs again.
    expect(await tajoJson(['sources', 'update', orders.id, '--backfill', 'off'])).toMatchObject({ id: orders.id, backfillEnabled: false });
    const updated = await tajoHere(['sources', 'update', orders.id, '--file', file('changes.json')]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stdout).toMatch(/^Source cli-orders updated\.$/m);
    expect(updated.stdout).toMatch(/^backfill\s+enabled$/m);
    expect(updated.stdout).toMatch(/^smoke test\s+passed$/m);
    const after = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${orders.id}`, headers: withKey(ws.readKey) });
    expect(after.json()).toMatchObject({ backfillEnabled: true, eventStream: { topicId: '7002', longPollSeconds: 2 } });
  });
});

describe('tajo jobs', () => {
  it('pauses and resumes a running backfill, which then completes with every record once', async () => {
    // Slow Workato: a page takes a second, so the backfill is still running when the pause lands.
    h.workato.setFaults({ latencyMs: [1000, 1000] });
    let job: SyncJobView;
    try {
      job = await tajoJson<SyncJobView>(['backfill', orders.id], { TAJO_API_KEY: ws.writeKey });
      expect(job.status).toBe('running');
      const paused = await tajoHere(['jobs', 'pause', job.id], { TAJO_API_KEY: ws.writeKey });
      expect(paused.code, paused.stderr).toBe(0);
      expect(paused.stdout).toBe(`Job ${job.id} is paused.\n`);
    } finally {
      h.workato.setFaults({});
    }
    expect((await getJob(h.t.app, ws, job.id)).status).toBe('paused');
    expect((await tajoJson<{ id: string }[]>(['jobs', 'list', '--source', orders.id, '--status', 'paused'])).map((one) => one.id)).toEqual([job.id]);

    expect(await tajoJson(['jobs', 'resume', job.id], { TAJO_API_KEY: ws.writeKey })).toMatchObject({ id: job.id, status: 'running' });
    const done = await tajoJson<SyncJobView>(['jobs', 'status', job.id, '--watch']);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ recordsSeen: ORDERS, created: ORDERS - ORDERS_UNMAPPABLE, updated: 0, deadLettered: ORDERS_UNMAPPABLE });
  }, 60_000);

  it('cancels a running job: watching it then exits 1, and a cancelled job cannot be paused', async () => {
    const started = await tajoHere(['incremental', orders.id], { TAJO_API_KEY: ws.writeKey });
    expect(started.code, started.stderr).toBe(0);
    const id = /^Started incremental (\S+) \(tajo jobs status \1 --watch to follow it\)\.$/m.exec(started.stdout)?.[1];
    expect(id, started.stdout).toBeDefined();
    expect((await getJob(h.t.app, ws, id!)).status).toBe('running');

    expect(await tajoJson(['jobs', 'cancel', id!], { TAJO_API_KEY: ws.writeKey })).toMatchObject({ id, status: 'cancelled', finishedAt: expect.any(String) });
    const [watched, pause, list] = await Promise.all([
      tajoHere(['jobs', 'status', id!, '--watch']),
      tajoHere(['jobs', 'pause', id!], { TAJO_API_KEY: ws.writeKey }),
      tajoHere(['jobs', 'list', '--source', orders.id]),
    ]);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(new RegExp(`^Incremental job ${id} cancelled in \\S+\\n {2}records seen`));

    expect(pause.code).toBe(1);
    expect(pause.stderr).toContain(`${await problemDetail('POST', `/v1/sync-jobs/${id}/pause`, ws.writeKey)} (HTTP 409`);

    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^id\s+sourceId\s+kind\s+status\s+recordsSeen/m);
    expect(list.stdout).toMatch(new RegExp(`^\\S+\\s+${orders.id}\\s+backfill\\s+completed\\s+${ORDERS}\\s`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+${orders.id}\\s+incremental\\s+cancelled\\s`, 'm'));
  });
});

describe('tajo dead-letters', () => {
  async function upsert(record: Record<string, unknown>) {
    const response = await h.t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: record });
    expect(response.statusCode, response.body).toBeLessThan(300);
  }

  it('retries a dead letter once its cause is fixed (Brevo gets the record), discards another, lists by status', async () => {
    // Two contacts with one phone: Brevo refuses the second (SMS is unique there).
    await upsert({ externalId: 'dl:1', email: 'dl1@example.com', phone: '+14155550901' });
    await h.settle();
    await upsert({ externalId: 'dl:2', email: 'dl2@example.com', phone: '+14155550901' });
    await h.settle();
    const open = await tajoJson<{ id: string; entityType: string; sourceObjectId: string; status: string }[]>(['dead-letters', 'list', '--status', 'open'], { TAJO_API_KEY: ws.readKey });
    const refused = open.filter((letter) => letter.entityType === 'contact');
    expect(refused).toEqual([expect.objectContaining({ sourceObjectId: 'dl:2', status: 'open' })]);

    // The cause goes away without dl:2 changing (dl:1 takes another phone): only the retry sends dl:2.
    await upsert({ externalId: 'dl:1', email: 'dl1@example.com', phone: '+14155550902' });
    await h.settle();
    expect(h.brevo.state.byExtId('dl:1')).toMatchObject({ attributes: { SMS: '+14155550902' } });
    expect(h.brevo.state.byExtId('dl:2')).toBeUndefined();
    const retried = await tajoJson(['dead-letters', 'retry', refused[0]!.id], { TAJO_API_KEY: ws.writeKey });
    expect(retried).toMatchObject({ id: refused[0]!.id, status: 'retried' });
    await h.settle();
    expect(h.brevo.state.byExtId('dl:2')).toMatchObject({ email: 'dl2@example.com', attributes: { SMS: '+14155550901' } });

    // A letter of a record Tajo never kept (unmappable): the API's 409, exit 1. Discarding it works.
    const unmappable = open.find((letter) => letter.entityType === 'source_record')!;
    const retry = await tajoHere(['dead-letters', 'retry', unmappable.id], { TAJO_API_KEY: ws.writeKey });
    expect(retry.code).toBe(1);
    expect(retry.stderr).toContain(`${await problemDetail('POST', `/v1/dead-letters/${unmappable.id}/retry`, ws.writeKey)} (HTTP 409`);
    const discarded = await tajoHere(['dead-letters', 'discard', unmappable.id], { TAJO_API_KEY: ws.writeKey });
    expect(discarded.code, discarded.stderr).toBe(0);
    expect(discarded.stdout).toBe(`Dead letter ${unmappable.id} is discarded.\n`);

    const [byStatus, human] = await Promise.all([
      tajoJson<{ id: string }[]>(['dead-letters', 'list', '--status', 'discarded'], { TAJO_API_KEY: ws.readKey }),
      tajoHere(['dead-letters', 'list', '--status', 'retried'], { TAJO_API_KEY: ws.readKey }),
    ]);
    expect(byStatus.map((letter) => letter.id)).toEqual([unmappable.id]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^id\s+category\s+status\s+sourceObjectId\s+syncJobId\s+reason\s+createdAt$/m);
    expect(human.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(human.stdout).toMatch(new RegExp(`^${refused[0]!.id}\\s+mapping\\s+retried\\s+dl:2\\s+-\\s`, 'm'));
    expect(await openDeadLetterIds()).toEqual(open.filter((letter) => letter.id !== refused[0]!.id && letter.id !== unmappable.id).map((letter) => letter.id));
  });
});

describe('tajo sources delete', () => {
  it('deletes a source with its jobs; asking for it afterwards is the API’s 404, exit 1', async () => {
    const deleted = await tajoHere(['sources', 'delete', orders.id]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`Source ${orders.id} deleted.\n`);
    const [get, jobs] = await Promise.all([tajoHere(['sources', 'get', orders.id]), tajoJson<unknown[]>(['jobs', 'list', '--source', orders.id])]);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain(`${await problemDetail('GET', `/v1/sources/${orders.id}`, ws.readKey)} (HTTP 404`);
    expect(jobs).toEqual([]);
    expect((await tajoJson<{ id: string }[]>(['sources', 'list'])).map((one) => one.id)).toEqual([source.id]);
  });
});
