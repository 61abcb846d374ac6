import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { createWorkspace, withKey, type TestApp } from '../support/app.ts';
import { startWorkerCrashRig, waitFor, type WorkerCrashRig, type WorkerProcesses } from '../support/worker.ts';

// The separate worker process (`npm run worker`), killed with SIGKILL in the middle of a run and
// started again: Brevo ends with exactly what Tajo holds, nothing missing and nothing doubled.
/** A backlog (sent as Brevo imports) and then a trickle of small writes (sent one by one). */
const BACKLOG = 1_000;
const TRICKLE = 300;
const CONTACTS = BACKLOG + TRICKLE;
let rig: WorkerCrashRig;
let t: TestApp;
let brevo: BrevoSimulator;
let workers: WorkerProcesses;

beforeAll(async () => {
  // Latency on every answer keeps the run long enough to be killed in the middle of it.
  rig = await startWorkerCrashRig('tajo_worker_crash', [5, 15]);
  ({ t, brevo, workers } = rig);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

describe('the worker process', () => {
  it('killed with SIGKILL mid-run and restarted, leaves Brevo equal to Tajo', async () => {
    const ws = await createWorkspace(t.app);
    await rig.connect(ws);
    const records = Array.from({ length: CONTACTS }, (_, i) => ({ externalId: `crash:${i}`, email: `crash${i}@example.com`, firstName: `F${i}` }));
    const write = async (batch: typeof records) => {
      const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records: batch } });
      expect(written.json<{ counts: { created: number } }>().counts.created).toBe(batch.length);
    };
    await write(records.slice(0, BACKLOG));

    const first = workers.start();
    // The trickle starts once the backlog's import landed (a worker takes seconds to boot, and
    // would otherwise find it all written and import it at once) and keeps coming while the
    // worker runs, so the kill lands in the middle of things.
    await waitFor(() => brevo.state.contacts.size >= BACKLOG, 60_000, 'the backlog to be imported');
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
    expect(rig.validator!.violations).toEqual([]);
  });
});
