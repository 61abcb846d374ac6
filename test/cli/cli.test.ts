import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    expect(human.stdout).toContain(`${p.recordsSeen} seen, ${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.deadLettered} dead-lettered`);

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
