import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkatoSimulator } from '../../api/src/simulators/workato/server.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { connectToSimulator, startCheckedSimulator } from '../support/activation.ts';
import { createWorkspace, type TestApp } from '../support/app.ts';
import { brevoSpecAvailable, type BrevoSpecValidator } from '../support/brevo-spec.ts';
import { createSource, getJob, startJob, startSyncCrashRig, TOPIC_MAPPING, WORKATO_TOKEN, type SyncCrashRig } from '../support/sources.ts';
import { waitFor, type WorkerProcesses } from '../support/worker.ts';

// A backfill of 50,000 messages from a topic, read by separate worker processes killed with
// SIGKILL twice in the middle of it and started again: every record ends in Tajo exactly once and
// in Brevo exactly once, the job's counts are exact, and its cursor ends at the last message ID.
const RECORDS = 50_000;
const TOPIC = '9001';
let rig: SyncCrashRig;
let t: TestApp;
let workato: WorkatoSimulator;
let brevo: BrevoSimulator;
let validator: BrevoSpecValidator | null;
let workers: WorkerProcesses;

beforeAll(async () => {
  rig = await startSyncCrashRig('tajo_sync_crash');
  ({ t, workato, workers } = rig);
  ({ brevo, validator } = await startCheckedSimulator());
}, 120_000);

afterAll(async () => {
  await rig?.close();
  await brevo?.close();
});

/** Every payload maps: the counts on both sides are exactly RECORDS. */
const payload = (i: number) => ({ id: `crash-${i}`, email: `crash${i}@example.com`, first_name: `F${i}`, plan: i % 2 === 0 ? 'free' : 'pro', updated_at: 1_732_350_000 + i });

describe('a backfill killed twice', () => {
  it('ends with every record in Tajo and in Brevo exactly once, and the cursor at the last message', async () => {
    const ws = await createWorkspace(t.app);
    await connectToSimulator(t.app, ws, brevo);
    for (let i = 0; i < RECORDS; i += 5_000) workato.publish(TOPIC, Array.from({ length: 5_000 }, (_, j) => payload(i + j)));
    const last = workato.messages(TOPIC).at(-1)!;
    const source = await createSource(t.app, ws, {
      kind: 'event_stream',
      name: 'crash-topic',
      token: WORKATO_TOKEN,
      eventStream: { topicId: TOPIC },
      mapping: TOPIC_MAPPING,
      backfillEnabled: true,
    });
    const job = await startJob(t.app, ws, source.id, { kind: 'backfill' });
    const seen = async () => (await getJob(t.app, ws, job.id)).progress.recordsSeen;

    for (const killAt of [RECORDS * 0.2, RECORDS * 0.55]) {
      const worker = workers.start();
      await waitFor(async () => (await seen()) >= killAt, 120_000, `the backfill to pass ${killAt} records`);
      await workers.kill(worker);
    }
    const killedAt = await seen();
    expect(killedAt).toBeLessThan(RECORDS);

    workers.start();
    await waitFor(async () => (await getJob(t.app, ws, job.id)).status === 'completed', 180_000, 'the backfill to complete');
    const done = await getJob(t.app, ws, job.id);
    expect(done.cursor).toEqual({ messageId: last.messageId, time: last.time });
    expect(done.progress).toMatchObject({ recordsSeen: RECORDS, created: RECORDS, updated: 0, unchanged: 0, deadLettered: 0 });
    expect(done.progress.readCalls).toBeGreaterThanOrEqual(RECORDS / 50);
    expect(await t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(RECORDS);
    expect(await t.db.contactVersion.count({ where: { workspaceId: ws.id } })).toBe(RECORDS);
    expect(await t.db.sourceRecord.count({ where: { sourceId: source.id } })).toBe(RECORDS);

    await waitFor(async () => (await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })) === RECORDS, 240_000, 'every contact to be activated');
    expect(brevo.state.contacts.size).toBe(RECORDS);
    for (const i of [0, 1, RECORDS / 2, RECORDS - 1]) {
      expect(brevo.state.byExtId(`crash-topic:crash-${i}`)).toMatchObject({ email: `crash${i}@example.com`, attributes: { PLAN: i % 2 === 0 ? 'free' : 'pro' } });
    }
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
  }, 600_000);
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(validator!.violations).toEqual([]);
  });
});
