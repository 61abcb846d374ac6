import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { SecretBox } from '../../api/src/security/secret-box.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { brevoSpecAvailable, type BrevoSpecValidator } from '../support/brevo-spec.ts';
import { createTestApp, createWorkspace, withKey, type TestApp } from '../support/app.ts';
import { BREVO_KEY, GENEROUS_LIMITS, startCheckedSimulator } from '../support/activation.ts';
import { freshDatabase, type ScratchDatabase } from '../support/scratch-database.ts';
import { waitFor, WorkerProcesses } from '../support/worker.ts';

// The separate worker process (`npm run worker`), killed with SIGKILL in the middle of a run and
// started again: Brevo ends with exactly what Tajo holds, nothing missing and nothing doubled.
/** A backlog (sent as Brevo imports) and then a trickle of small writes (sent one by one). */
const BACKLOG = 1_000;
const TRICKLE = 300;
const CONTACTS = BACKLOG + TRICKLE;
const encryptionKey = randomBytes(32);

let database: ScratchDatabase;
let t: TestApp;
let brevo: BrevoSimulator;
let validator: BrevoSpecValidator | null;
let workers: WorkerProcesses;

beforeAll(async () => {
  database = await freshDatabase('tajo_worker_crash');
  await applyMigrations(database.url);
  t = await createTestApp(database.url, new SecretBox(encryptionKey));
  workers = new WorkerProcesses(database.url, encryptionKey);
  // Latency on every answer keeps the run long enough to be killed in the middle of it.
  ({ brevo, validator } = await startCheckedSimulator());
  brevo.setFaults({ latencyMs: [5, 15] });
}, 60_000);

afterAll(async () => {
  workers?.killAll();
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
    const write = async (batch: typeof records) => {
      const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records: batch } });
      expect(written.json<{ counts: { created: number } }>().counts.created).toBe(batch.length);
    };
    await write(records.slice(0, BACKLOG));

    const first = workers.start();
    // The trickle keeps coming while the worker runs, so the kill lands in the middle of things.
    const trickle = (async () => {
      for (let i = BACKLOG; i < CONTACTS; i += 10) {
        await write(records.slice(i, i + 10));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await waitFor(() => brevo.state.contacts.size >= BACKLOG + 50, 60_000, 'the first worker to get going');
    await workers.kill(first);
    const atKill = brevo.state.contacts.size;
    expect(atKill).toBeLessThan(CONTACTS);

    await trickle;
    workers.start();
    const activated = async () => (await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })) === CONTACTS;
    // The killed worker's jobs come back once their heartbeat is overdue (10 s) and supervision sees it.
    await waitFor(activated, 90_000, 'every contact to be activated');

    expect(brevo.state.contacts.size).toBe(CONTACTS);
    for (const record of records) expect(brevo.state.byExtId(record.externalId)).toMatchObject({ email: record.email, attributes: { FIRSTNAME: record.firstName } });
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
    expect(await t.db.activationOutbox.count({ where: { workspaceId: ws.id, processedAt: null } })).toBe(0);
  }, 150_000);
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(validator!.violations).toEqual([]);
  });
});
