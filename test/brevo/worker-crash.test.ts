import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { SecretBox } from '../../api/src/security/secret-box.ts';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { createTestApp, createWorkspace, withKey, type TestApp } from '../support/app.ts';
import { BREVO_KEY, GENEROUS_LIMITS } from '../support/activation.ts';
import { freshDatabase, type ScratchDatabase } from '../support/scratch-database.ts';

// The separate worker process (`npm run worker`), killed with SIGKILL in the middle of a run and
// started again: Brevo ends with exactly what Tajo holds, nothing missing and nothing doubled.
const root = fileURLToPath(new URL('../..', import.meta.url));
const CONTACTS = 400;
const encryptionKey = randomBytes(32);

let database: ScratchDatabase;
let t: TestApp;
let brevo: BrevoSimulator;
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/worker.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: database.url, TAJO_ENCRYPTION_KEY: encryptionKey.toString('hex'), LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', (code, signal) => {
    if (code && code !== 0 && signal === null) process.stderr.write(`worker exited with ${code}: ${stderr}\n`);
  });
  children.push(child);
  return child;
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  database = await freshDatabase('tajo_worker_crash');
  await applyMigrations(database.url);
  t = await createTestApp(database.url, new SecretBox(encryptionKey));
  // Latency on every answer keeps the run long enough to be killed in the middle of it.
  brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENEROUS_LIMITS });
  brevo.setFaults({ latencyMs: [5, 15] });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await brevo?.close();
  await t?.close();
  await database?.drop();
});

describe('the worker process', () => {
  it('killed with SIGKILL mid-run and restarted, leaves Brevo equal to Tajo', async () => {
    const ws = await createWorkspace(t.app);
    const connected = await t.app.inject({ method: 'PUT', url: '/v1/brevo/connection', headers: withKey(ws.adminKey), payload: { apiKey: BREVO_KEY, baseUrl: brevo.baseUrl, limits: GENEROUS_LIMITS } });
    expect(connected.statusCode, connected.body).toBe(200);
    const records = Array.from({ length: CONTACTS }, (_, i) => ({ externalId: `crash:${i}`, email: `crash${i}@example.com`, firstName: `F${i}` }));
    const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect(written.json<{ counts: { created: number } }>().counts.created).toBe(CONTACTS);

    const contactPosts = () => brevo.state.count((r) => r.method === 'POST' && r.route === '/v3/contacts' && r.status < 300);
    const first = startWorker();
    await waitFor(() => contactPosts() >= CONTACTS / 4, 60_000, 'the first worker to get going');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = brevo.state.contacts.size;
    expect(atKill).toBeLessThan(CONTACTS);

    startWorker();
    const activated = async () => (await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })) === CONTACTS;
    // The killed worker's jobs come back once their heartbeat is overdue (10 s) and supervision sees it.
    await waitFor(activated, 90_000, 'every contact to be activated');

    expect(brevo.state.contacts.size).toBe(CONTACTS);
    for (const record of records) expect(brevo.state.byExtId(record.externalId)).toMatchObject({ email: record.email, attributes: { FIRSTNAME: record.firstName } });
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await t.db.activationOutbox.count({ where: { workspaceId: ws.id, processedAt: null } })).toBe(0);
  }, 150_000);
});
