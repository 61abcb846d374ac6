/**
 * docs/RUNBOOK.md's commands, run as an operator runs them: each `curl` line of a section (in its
 * ```sh blocks or inline code) through `sh -c`, with the runbook's variables ($TAJO, $ADMIN,
 * $SOURCE...) set to a test's API on 127.0.0.1. A test picks a command by its section and a piece
 * of its text, so a runbook whose path, method or body drifts from the API fails its test.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { createWorkspace, type TestWorkspace } from './app.ts';
import type { SimulatedRow } from '../../api/src/simulators/workato/resources.ts';
import { createSource, startSyncHarness, WORKATO_TOKEN, type SourceView, type SyncHarness } from './sources.ts';

const RUNBOOK = readFileSync(new URL('../../docs/RUNBOOK.md', import.meta.url), 'utf8');

/** The curl commands of each section (by its heading's text, without backticks), in order. */
function commandsBySection(): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let heading = '';
  let inBlock = false;
  const add = (command: string) => sections.get(heading)!.push(command.trim());
  for (const line of RUNBOOK.replace(/\\\n\s*/g, '').split('\n')) {
    const fence = /^\s*```(\w*)/.exec(line);
    if (fence) {
      inBlock = !inBlock && fence[1] === 'sh';
      continue;
    }
    const title = /^#{2,3} (.+)$/.exec(line);
    if (!inBlock && title) {
      heading = title[1]!.replaceAll('`', '');
      sections.set(heading, []);
      continue;
    }
    if (inBlock && /^\s*curl /.test(line)) add(line);
    if (!inBlock) for (const [, code] of line.matchAll(/`(curl [^`]+)`/g)) add(code!);
  }
  return sections;
}

const SECTIONS = commandsBySection();
/** The runbook's header for JSON bodies (`H='Content-Type: ...'`). */
const H = /^H='([^']+)'$/m.exec(RUNBOOK)?.[1] ?? '';

/** The one command of `section` containing `text` (fails when none or several do). */
export function runbookCommand(section: string, text: string): string {
  const commands = SECTIONS.get(section);
  if (!commands) throw new Error(`docs/RUNBOOK.md has no section "${section}"`);
  const found = commands.filter((command) => command.includes(text));
  if (found.length !== 1) throw new Error(`docs/RUNBOOK.md's "${section}" has ${found.length} commands with "${text}": ${JSON.stringify(commands)}`);
  return found[0]!;
}

export interface CurlAnswer {
  status: number;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/**
 * Runs a runbook command with its variables (`vars`: TAJO, ADMIN, SOURCE, ...) and with its
 * placeholders (`xkeysib-NEW...`, `NEW-TOKEN`) replaced; answers the HTTP status and body. Async:
 * the API answering it runs in this process.
 */
export async function runCurl(command: string, vars: Record<string, string>, placeholders: Record<string, string> = {}): Promise<CurlAnswer> {
  let line = command;
  for (const [placeholder, value] of Object.entries(placeholders)) {
    if (!line.includes(placeholder)) throw new Error(`"${placeholder}" is not in: ${command}`);
    line = line.replaceAll(placeholder, value);
  }
  // The status after the body, on a line of its own; the rest is the runbook's line as written.
  line = line.replace(/^curl /, `curl -w '\\n%{http_code}' `);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('sh', ['-c', line], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', H, ...vars } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (exit) => resolve({ code: exit, stdout, stderr }));
  });
  expect(code, `${line}\n${stderr}`).toBe(0);
  const cut = stdout.lastIndexOf('\n');
  const body = stdout.slice(0, cut);
  return { status: Number(stdout.slice(cut + 1)), body, json: <T>() => JSON.parse(body) as T };
}

export interface RunbookRig {
  h: SyncHarness;
  /** The runbook's $TAJO: the API listening on 127.0.0.1. */
  tajo: string;
  /** A workspace of a test's own (connected to the Brevo simulator if asked), and $TAJO and $ADMIN for it. */
  operator(options?: { brevo?: boolean }): Promise<{ ws: TestWorkspace; vars: Record<string, string> }>;
  /** A Developer API source reading rows ({customer_id, email}) from a lookup table of the simulator. */
  rowSource(ws: TestWorkspace, name: string, tableId: string, rows: Record<string, unknown>[], settings: Record<string, unknown>): Promise<{ source: SourceView; rows: SimulatedRow[] }>;
}

/** The sync harness (API, workers, Brevo and Workato simulators) with the API listening for curl. */
export async function startRunbookRig(): Promise<RunbookRig> {
  const h = await startSyncHarness();
  await h.t.app.listen({ host: '127.0.0.1', port: 0 });
  const tajo = `http://127.0.0.1:${(h.t.app.server.address() as AddressInfo).port}`;
  return {
    h,
    tajo,
    async operator({ brevo = false } = {}) {
      const ws = await createWorkspace(h.t.app);
      if (brevo) await h.connect(ws);
      return { ws, vars: { TAJO: tajo, ADMIN: ws.adminKey } };
    },
    async rowSource(ws, name, tableId, rows, { pageSize = 100, ...settings }) {
      const stored = h.workato.setLookupTable(tableId, rows);
      const source = await createSource(h.t.app, ws, {
        kind: 'developer_api',
        name,
        token: WORKATO_TOKEN,
        developerApi: { resource: { kind: 'lookup_table', tableId }, pageSize },
        mapping: { externalId: '$string(customer_id)', contact: '{"email": email}' },
        ...settings,
      });
      return { source, rows: stored };
    },
  };
}
