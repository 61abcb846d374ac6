import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { SecretBox } from '../../api/src/security/secret-box.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { API_COMMAND } from '../../scripts/lib/api-process.ts';
import { connectToSimulator, startCheckedSimulator } from '../support/activation.ts';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { brevoSpecAvailable, type BrevoSpecValidator } from '../support/brevo-spec.ts';
import { freshDatabase, type ScratchDatabase } from '../support/scratch-database.ts';
import { waitFor } from '../support/worker.ts';

// The API process, killed with SIGKILL while 16 clients send transactional emails, each request
// with its own Idempotency-Key, and started again on the same database: every key retried until
// it gets an answer (not 409, not 5xx) ends with exactly one message and one Brevo send.
const CLIENTS = 16;
/** Sends accepted before the kill: the stream is well under way. */
const ACCEPTED_BEFORE_KILL = 40;
const TEMPLATE = 12;
/** Longer than the 60 s for which the previous release refused retries of a dead request's key. */
const RETRY_DEADLINE_MS = 100_000;

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The API as `npm start` runs it, on the test's database, in-process activation workers included. */
class ApiProcess {
  #child: ChildProcess | null = null;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** Starts it; resolves with its URL once it listens. */
  async start(): Promise<string> {
    const child = spawn(process.execPath, API_COMMAND, { cwd: root, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    let output = '';
    return new Promise((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
        if (url) resolve(url);
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', (code) => reject(new Error(`the API exited (${code}) before it listened:\n${output}`)));
    });
  }

  /** SIGKILL: no shutdown hook runs, no transaction in flight commits. */
  async kill() {
    const child = this.#child!;
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }

  async stop() {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

interface Answer {
  status: number;
  body: string;
}

let database: ScratchDatabase;
let t: TestApp;
let brevo: BrevoSimulator;
let validator: BrevoSpecValidator | null;
let api: ApiProcess;
let dataDir: string;
let ws: TestWorkspace;

beforeAll(async () => {
  const encryptionKey = randomBytes(32);
  database = await freshDatabase('tajo_idempotency_crash');
  await applyMigrations(database.url);
  t = await createTestApp(database.url, new SecretBox(encryptionKey));
  // A little latency keeps sends in flight too when the kill lands.
  ({ brevo, validator } = await startCheckedSimulator());
  brevo.state.mailer.templates.add(TEMPLATE);
  brevo.setFaults({ latencyMs: [5, 20] });
  ws = await createWorkspace(t.app);
  await connectToSimulator(t.app, ws, brevo);
  for (let client = 0; client < CLIENTS; client++) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts/upsert',
      headers: withKey(ws.writeKey),
      payload: { externalId: `crash:${client}`, email: `client${client}@example.com` },
    });
    expect(created.statusCode, created.body).toBe(201);
  }
  dataDir = await mkdtemp(join(tmpdir(), 'tajo-idempotency-crash-'));
  api = new ApiProcess({
    DATABASE_URL: database.url,
    TAJO_ENCRYPTION_KEY: encryptionKey.toString('hex'),
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    ACTIVATION_WORKERS: 'in-process',
  });
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await brevo?.close();
  await t?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const sendBody = (key: string, client: number) => JSON.stringify({ to: { externalId: `crash:${client}` }, templateId: TEMPLATE, params: { REQUEST: key } });

/** One attempt; null when the API did not answer (it died, or is not there). */
async function send(url: string, key: string, client: number): Promise<Answer | null> {
  try {
    const response = await fetch(`${url}/v1/messages/transactional`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ws.writeKey, 'idempotency-key': key },
      body: sendBody(key, client),
    });
    return { status: response.status, body: await response.text() };
  } catch {
    return null;
  }
}

describe('Idempotency-Key across a crash of the API process', () => {
  it('leaves exactly one message and one Brevo send per key, after SIGKILL mid-stream and retries', async () => {
    const first = await api.start();
    /** Every key sent, with the client that sent it and the answer it got before the kill, if any. */
    const sent = new Map<string, { client: number; answer: Answer | null }>();
    let accepted = 0;
    const clients = Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let n = 0; ; n++) {
          const key = `crash-${client}-${n}`;
          sent.set(key, { client, answer: null });
          const answer = await send(first, key, client);
          if (!answer) return; // the API is gone: this client stops, its last key unanswered
          sent.get(key)!.answer = answer;
          if (answer.status === 202) accepted += 1;
        }
      }),
    );
    await waitFor(() => accepted >= ACCEPTED_BEFORE_KILL, 60_000, `${ACCEPTED_BEFORE_KILL} messages to be accepted`);
    // The kill lands where the reproduction lost answers: messages committed whose requests have
    // not been answered yet (or, failing that within a few seconds, anywhere in the stream).
    const committedUnanswered = async () => (await t.db.message.count({ where: { workspaceId: ws.id } })) > accepted;
    await waitFor(committedUnanswered, 5_000, 'a committed message not answered yet').catch(() => undefined);
    await api.kill();
    await clients;

    const second = await api.start();
    const final = new Map<string, Answer>();
    const deadline = Date.now() + RETRY_DEADLINE_MS;
    await Promise.all(
      [...sent].map(async ([key, { client }]) => {
        for (;;) {
          const answer = await send(second, key, client);
          if (answer && answer.status !== 409 && answer.status < 500) return final.set(key, answer);
          if (Date.now() > deadline) throw new Error(`${key} got no answer in ${RETRY_DEADLINE_MS / 1000} s: last ${answer?.status ?? 'none'}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }),
    );
    for (const [key, { answer }] of sent) {
      expect(final.get(key)!.status, final.get(key)!.body).toBe(202);
      // An answer the client saw before the kill is the one its retry replays (a 5xx is not remembered).
      if (answer && answer.status < 500) expect(final.get(key)!.body).toBe(answer.body);
    }

    const requestOf = (params: unknown) => (params as { REQUEST: string }).REQUEST;
    const messages = await t.db.message.findMany({ where: { workspaceId: ws.id }, select: { id: true, params: true } });
    await waitFor(async () => (await t.db.message.count({ where: { workspaceId: ws.id, status: 'sent' } })) === messages.length, 90_000, 'every message to be sent');
    const count = (keys: string[]) => {
      const counts = new Map<string, number>();
      for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      return counts;
    };
    const messagesPerKey = count(messages.map((message) => requestOf(message.params)));
    const sendsPerKey = count(brevo.state.mailer.sent.map((email) => requestOf(email.params)));
    const once = new Map([...sent.keys()].map((key) => [key, 1]));
    expect({ keys: sent.size, messages: messages.length, sends: brevo.state.mailer.sent.length }).toEqual({ keys: sent.size, messages: sent.size, sends: sent.size });
    expect(messagesPerKey).toEqual(once);
    expect(sendsPerKey).toEqual(once);
    expect(new Set([...final.values()].map((answer) => (JSON.parse(answer.body) as { id: string }).id))).toEqual(new Set(messages.map((message) => message.id)));
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
  }, 300_000);
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(validator!.violations).toEqual([]);
  });
});
