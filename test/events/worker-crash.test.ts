import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { createWorkspace, withKey, type TestApp } from '../support/app.ts';
import { startWorkerCrashRig, waitFor, type WorkerCrashRig, type WorkerProcesses } from '../support/worker.ts';

// The worker process killed with SIGKILL while batches of events are in flight, then started again:
// no event reaches Brevo twice, and the only ones Tajo cannot vouch for are dead-lettered as in doubt.
const EVENTS = 2000;
let rig: WorkerCrashRig;
let t: TestApp;
let brevo: BrevoSimulator;
let workers: WorkerProcesses;

beforeAll(async () => {
  // Slow answers keep batches in flight long enough for the kill to catch some.
  rig = await startWorkerCrashRig('tajo_event_worker_crash', [100, 200]);
  ({ t, brevo, workers } = rig);
}, 60_000);

afterAll(async () => {
  await rig?.close();
});

interface Letter {
  id: string;
  sourceObjectId: string | null;
  reason: string;
}

describe('event activation in the worker process', () => {
  it('killed with SIGKILL mid-run and restarted: nothing doubled, in-flight events in doubt, and their retry ends with Brevo equal to Tajo', async () => {
    const ws = await createWorkspace(t.app);
    await rig.connect(ws);
    for (let from = 0; from < EVENTS; from += 1000) {
      const events = Array.from({ length: 1000 }, (_, j) => ({ eventId: `kill:${from + j}`, name: 'ev', occurredAt: 1_795_425_300 + from + j, contact: { externalId: `kill-c${j % 37}` }, properties: { n: from + j } }));
      const tracked = await t.app.inject({ method: 'POST', url: '/v1/events/batch', headers: withKey(ws.writeKey), payload: { events } });
      expect(tracked.json<{ counts: { created: number } }>().counts.created).toBe(1000);
    }
    const settled = async () => (await t.db.brevoEventState.count({ where: { workspaceId: ws.id, status: { in: ['accepted', 'rejected', 'in_doubt'] } } })) === EVENTS;

    const first = workers.start();
    // Killed while a batch is in flight: between two batches there would be nothing in doubt.
    await waitFor(() => brevo.state.events.length >= EVENTS / 4 && (brevo.state.inFlight.get('/v3/events/batch') ?? 0) > 0, 60_000, 'the first worker to be sending its next batch');
    await workers.kill(first);
    expect(brevo.state.events.length).toBeLessThan(EVENTS);
    workers.start();
    // The killed worker's jobs come back once their heartbeat is overdue; each retry takes over its own claims.
    await waitFor(settled, 90_000, 'every event to be settled');

    const sentTimes = new Map<number, number>();
    for (const event of brevo.state.events) sentTimes.set(event.event_properties!.n as number, (sentTimes.get(event.event_properties!.n as number) ?? 0) + 1);
    expect([...sentTimes.values()].filter((times) => times > 1)).toEqual([]);

    const letters: Letter[] = await t.db.deadLetter.findMany({ where: { workspaceId: ws.id, status: 'open' }, select: { id: true, sourceObjectId: true, reason: true } });
    for (const letter of letters) expect(letter.reason).toContain('in doubt');
    const inDoubt = new Set(letters.map((letter) => Number(letter.sourceObjectId!.split(':')[1])));
    // At most the batch requests in flight when the worker died (up to 200 events each): one per
    // job of the workspace's events, and pg-boss may start a second at the very moment a first
    // starts (its group concurrency is not enforced between fetches running at once).
    expect(inDoubt.size).toBeGreaterThan(0);
    expect(inDoubt.size).toBeLessThanOrEqual(400);
    const missing = Array.from({ length: EVENTS }, (_, n) => n).filter((n) => !sentTimes.has(n));
    expect(missing.filter((n) => !inDoubt.has(n))).toEqual([]);

    // The operator's check: retry the letters of events Brevo does not have, discard the others.
    for (const letter of letters) {
      const n = Number(letter.sourceObjectId!.split(':')[1]);
      const action = sentTimes.has(n) ? 'discard' : 'retry';
      expect((await t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter.id}/${action}`, headers: withKey(ws.writeKey) })).statusCode).toBe(200);
    }
    await waitFor(async () => (await t.db.brevoEventState.count({ where: { workspaceId: ws.id, status: 'accepted' } })) === EVENTS - (letters.length - missing.length), 60_000, 'the retried events to be sent');
    const finalNs = brevo.state.events.map((event) => event.event_properties!.n as number).sort((a, b) => a - b);
    expect(finalNs).toEqual(Array.from({ length: EVENTS }, (_, n) => n));
  }, 240_000);
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(rig.validator!.violations).toEqual([]);
  });
});
