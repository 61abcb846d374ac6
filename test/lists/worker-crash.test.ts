import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { brevoListName } from '../../api/src/brevo/list-activation.ts';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { startWorkerCrashRig, waitFor, type WorkerCrashRig, type WorkerProcesses } from '../support/worker.ts';

// The worker process killed with SIGKILL while it creates lists and sends memberships, then
// started again: Brevo ends with exactly Tajo's lists and memberships, no list twice.
const CONTACTS = 900;
const LISTS = 6;
let rig: WorkerCrashRig;
let t: TestApp;
let brevo: BrevoSimulator;
let workers: WorkerProcesses;

beforeAll(async () => {
  // Latency keeps the run long enough to be killed in the middle of it.
  rig = await startWorkerCrashRig('tajo_list_worker_crash', [20, 60]);
  ({ t, brevo, workers } = rig);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

async function call(ws: TestWorkspace, url: string, payload: object) {
  const response = await t.app.inject({ method: 'POST', url, headers: withKey(ws.writeKey), payload });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<{ id: string }>();
}

describe('the worker process', () => {
  it('killed with SIGKILL while activating lists and memberships, and restarted, leaves Brevo equal to Tajo', async () => {
    const ws = await createWorkspace(t.app);
    await rig.connect(ws);
    const records = Array.from({ length: CONTACTS }, (_, i) => ({ externalId: `lc:${i}`, email: `lc${i}@example.com` }));
    await call(ws, '/v1/contacts/batch', { records });
    const lists: string[] = [];
    for (let l = 0; l < LISTS; l += 1) {
      const list = (await call(ws, '/v1/lists', { name: `Crash ${l}` })).id;
      lists.push(list);
      // Overlapping slices: list l holds contacts l·100 to l·100 + 399.
      await call(ws, `/v1/lists/${list}/members/add`, { contacts: records.slice(l * 100, l * 100 + 400).map(({ externalId }) => ({ externalId })) });
    }

    const first = workers.start();
    await waitFor(() => brevo.state.count((r) => r.route === '/v3/contacts/lists/:listId/contacts/add') >= 3, 60_000, 'the first membership requests');
    await workers.kill(first);
    const wanted = LISTS * 400;
    expect(await t.db.brevoListMember.count({ where: { listId: { in: lists } } })).toBeLessThan(wanted);

    workers.start();
    // The killed worker's jobs come back once their heartbeat is overdue and supervision sees it.
    await waitFor(async () => (await t.db.brevoListMember.count({ where: { listId: { in: lists } } })) === wanted, 90_000, 'every membership to reach Brevo');

    const names = [...brevo.state.listStore.lists.values()].map((list) => list.name);
    expect(new Set(names).size).toBe(names.length);
    for (const [l, listId] of lists.entries()) {
      const state = await t.db.brevoListState.findUniqueOrThrow({ where: { listId } });
      expect(brevo.state.listStore.lists.get(state.brevoListId!)).toMatchObject({ name: brevoListName({ id: listId, name: `Crash ${l}` }) });
      const inBrevo = [...brevo.state.contacts.values()].filter((c) => c.listIds.includes(state.brevoListId!)).map((c) => c.extId).sort();
      expect(inBrevo).toEqual(records.slice(l * 100, l * 100 + 400).map((r) => r.externalId).sort());
    }
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
  }, 150_000);
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(rig.validator!.violations).toEqual([]);
  });
});
