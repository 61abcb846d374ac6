import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, type TestWorkspace } from '../support/app.ts';
import { createSource, jobAction, startJob, startSyncHarness, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';

// Re-reading a source is harmless: a backfill after the incremental job has moved contacts forward
// reads older versions of them, which answer stale; nothing goes back, nothing is sent to Brevo again,
// and the records that could not be mapped do not make new dead letters.
let h: SyncHarness;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startSyncHarness();
  ws = await createWorkspace(h.t.app);
  await h.connect(ws);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const COUNT = 99;
const CHANGED = 30;
const payload = (i: number, version: 1 | 2) => {
  const base = topicPayload(i, { version, emailDomain: 'reread.example' });
  // The changed version is newer at its source.
  return version === 1 ? base : { ...base, updated_at: (base.updated_at as number) + 86_400 };
};
const contactRequests = () => h.brevo.state.count((request) => request.route.startsWith('/v3/contacts'));

describe('a backfill after the incremental job', () => {
  it('reads every record again and changes, sends and dead-letters nothing', async () => {
    const topic = '7900';
    h.workato.publish(topic, Array.from({ length: COUNT }, (_, i) => payload(i, 1)));
    const source = await createSource(h.t.app, ws, { kind: 'event_stream', name: 'reread', token: WORKATO_TOKEN, eventStream: { topicId: topic }, mapping: TOPIC_MAPPING, backfillEnabled: true });
    const first = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const backfilled = await waitForJob(h.t.app, ws, first.id, (job) => job.status === 'completed');
    const unmappable = backfilled.progress.deadLettered;
    expect(unmappable).toBeGreaterThan(0);

    const incremental = await startJob(h.t.app, ws, source.id, { kind: 'incremental' });
    h.workato.publish(topic, Array.from({ length: CHANGED }, (_, i) => payload(i, 2)));
    await waitForJob(h.t.app, ws, incremental.id, (job) => job.progress.recordsSeen === CHANGED);
    await jobAction(h.t.app, ws, incremental.id, 'cancel');
    await h.settle();
    const plans = async () => (await h.t.db.contact.findMany({ where: { workspaceId: ws.id, source: 'reread' }, select: { attributes: true } })).map((c) => (c.attributes as { PLAN: string }).PLAN);
    const before = { requests: contactRequests(), letters: await h.t.db.deadLetter.count({ where: { workspaceId: ws.id } }), plans: (await plans()).sort() };
    expect(before.plans.filter((plan) => plan === 'pro')).toHaveLength(CHANGED - 1); // one of the changed is unmappable

    const again = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const reread = await waitForJob(h.t.app, ws, again.id, (job) => job.status === 'completed');
    await h.settle();
    expect(reread.progress).toMatchObject({ recordsSeen: COUNT + CHANGED, created: 0, updated: 0 });
    // The older versions of the changed contacts are stale; everything else is as Tajo holds it.
    expect(reread.progress.stale).toBe(CHANGED - 1);
    expect(reread.progress.unchanged + reread.progress.stale + reread.progress.deadLettered).toBe(COUNT + CHANGED);
    expect((await plans()).sort()).toEqual(before.plans);
    expect(contactRequests()).toBe(before.requests);
    expect(await h.t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(before.letters);
  }, 120_000);
});
