import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { createSource, getJob, startJob, startSyncHarness, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';

// An Event Streams topic read by a backfill and an incremental job at the same time: every message
// lands in Tajo exactly once (the backfill takes what was published before it started, incremental
// the rest), unmappable ones become dead letters, and Brevo gets each contact once.
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

const BEFORE = 1_200;
const DURING = 300;
const unmappable = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i).filter((i) => i % 33 === 7).length;

describe('an Event Streams source', () => {
  it('backfills and follows a topic with no gap and no duplicate', async () => {
    const topic = '4123';
    h.workato.publish(topic, Array.from({ length: BEFORE }, (_, i) => topicPayload(i)));
    // Latency keeps the backfill running while more messages arrive.
    h.workato.setFaults({ latencyMs: [5, 15] });
    const source = await createSource(h.t.app, ws, {
      kind: 'event_stream',
      name: 'shop-customers',
      dataCenter: 'eu',
      token: WORKATO_TOKEN,
      eventStream: { topicId: topic, longPollSeconds: 1 },
      mapping: TOPIC_MAPPING,
      backfillEnabled: true,
    });
    expect(source.smokeTest).toMatchObject({ status: 'passed', failure: null });

    const backfill = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    // Published after the backfill started: the incremental job's.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const incremental = await startJob(h.t.app, ws, source.id, { kind: 'incremental' });
    for (let i = BEFORE; i < BEFORE + DURING; i += 30) {
      h.workato.publish(topic, Array.from({ length: 30 }, (_, j) => topicPayload(i + j)));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const messages = h.workato.messages(topic);
    const last = messages.at(-1)!;

    const backfilled = await waitForJob(h.t.app, ws, backfill.id, (job) => job.status === 'completed', 90_000);
    const followed = await waitForJob(h.t.app, ws, incremental.id, (job) => job.cursor !== null && 'messageId' in job.cursor && job.cursor.messageId === last.messageId, 90_000);
    expect(followed.status).toBe('running');

    const total = BEFORE + DURING;
    const bad = unmappable(total);
    // Every message read by exactly one of the two jobs.
    expect(backfilled.progress.recordsSeen + followed.progress.recordsSeen).toBe(total);
    expect(backfilled.progress.created + followed.progress.created).toBe(total - bad);
    expect(backfilled.progress.updated + followed.progress.updated + backfilled.progress.unchanged + followed.progress.unchanged).toBe(0);
    expect(backfilled.progress.deadLettered + followed.progress.deadLettered).toBe(bad);
    expect(backfilled.progress.readCalls).toBeGreaterThanOrEqual(Math.ceil(backfilled.progress.recordsSeen / 50));

    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(total - bad);
    const letters = await h.t.db.deadLetter.findMany({ where: { workspaceId: ws.id, entityType: 'source_record' } });
    expect(letters).toHaveLength(bad);
    expect(letters[0]).toMatchObject({ category: 'mapping', reason: expect.stringContaining('email') });
    expect(new Set(letters.map((letter) => letter.syncJobId)).size).toBeGreaterThanOrEqual(1);
    const stored = await h.t.db.sourceRecord.findFirst({ where: { sourceId: source.id, objectId: messages[0]!.messageId } });
    expect(stored?.tajoOnly).toEqual({ rawUpdatedAt: 1_732_350_000 });

    h.workato.setFaults({ latencyMs: [0, 0] });
    await h.settle(120_000);
    expect(h.brevo.state.contacts.size).toBe(total - bad);
    expect(h.brevo.state.byExtId('shop-customers:cust-0')).toMatchObject({ email: 'customer0@example.com', attributes: { PLAN: 'free' } });

    const cancelled = await h.t.app.inject({ method: 'POST', url: `/v1/sync-jobs/${incremental.id}/cancel`, headers: withKey(ws.writeKey) });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    expect((await getJob(h.t.app, ws, incremental.id)).status).toBe('cancelled');
  }, 240_000);
});
