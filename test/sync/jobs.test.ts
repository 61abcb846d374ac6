import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { createSource, getJob, jobAction, startJob, startSyncHarness, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';

// Sync jobs as an operator drives them: pause, resume, cancel and replay, on a paged Developer API
// resource and on a topic; replays re-read without writing or activating anything twice.
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

const ROWS = 600;
const ROW_MAPPING = { externalId: '$string(customer_id)', contact: '{"email": email, "firstName": first_name, "attributes": {"TIER": tier}}' };
const row = (i: number, tier = 'silver') => ({ customer_id: i, email: `row${i}@example.com`, first_name: `Row${i}`, tier });
const contactRequests = () => h.brevo.state.count((request) => request.route.startsWith('/v3/contacts'));

async function lookupSource(name: string, tableId: string) {
  const rows = h.workato.setLookupTable(tableId, Array.from({ length: ROWS }, (_, i) => row(i)));
  const source = await createSource(h.t.app, ws, {
    kind: 'developer_api',
    name,
    token: WORKATO_TOKEN,
    developerApi: { resource: { kind: 'lookup_table', tableId }, pageSize: 20, pollIntervalSeconds: 10 },
    mapping: ROW_MAPPING,
    backfillEnabled: true,
  });
  return { ...source, rows };
}

describe('a Developer API source', () => {
  it('pauses, resumes and completes a backfill; a replay changes nothing and sends Brevo nothing', async () => {
    const source = await lookupSource('members', '501');
    // Slow answers keep the backfill running long enough to pause it in the middle.
    h.workato.setFaults({ latencyMs: [30, 40] });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.recordsSeen >= 100);
    const paused = await jobAction(h.t.app, ws, job.id, 'pause');
    expect(paused.json()).toMatchObject({ status: 'paused' });
    // The page in hand commits; after it, nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const still = await getJob(h.t.app, ws, job.id);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await getJob(h.t.app, ws, job.id)).progress).toEqual(still.progress);
    expect(still.progress.recordsSeen).toBeLessThan(ROWS);
    expect(still.cursor).toEqual({ page: String(still.progress.pages + 1) });

    expect((await jobAction(h.t.app, ws, job.id, 'pause')).statusCode).toBe(409);
    expect((await jobAction(h.t.app, ws, job.id, 'resume')).json()).toMatchObject({ status: 'running' });
    h.workato.setFaults({ latencyMs: [0, 0] });
    const done = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed');
    // 30 full pages, and the empty one after the last full page that tells the end.
    expect(done.progress).toMatchObject({ recordsSeen: ROWS, created: ROWS, updated: 0, unchanged: 0, deadLettered: 0, pages: ROWS / 20 + 1 });
    expect(done.cursor).toEqual({ page: null });
    await h.settle();
    const before = contactRequests();
    expect(h.brevo.state.byExtId('members:7')).toMatchObject({ email: 'row7@example.com', attributes: { TIER: 'silver' } });

    // A finished job cannot be resumed; a second backfill may start (none is active).
    expect((await jobAction(h.t.app, ws, job.id, 'resume')).statusCode).toBe(409);
    const replay = await jobAction(h.t.app, ws, job.id, 'replay', { from: { page: '11' } });
    expect(replay.statusCode, replay.body).toBe(202);
    const replayed = await waitForJob(h.t.app, ws, replay.json<{ id: string }>().id, (seen) => seen.status === 'completed');
    expect(replayed.progress).toMatchObject({ recordsSeen: ROWS - 200, created: 0, updated: 0, unchanged: ROWS - 200 });
    await h.settle();
    expect(contactRequests()).toBe(before);
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id, source: 'members' } })).toBe(ROWS);
  });

  it('refuses a second active job of a kind, and a replay point of the wrong shape', async () => {
    const source = await lookupSource('members-b', '502');
    h.workato.setFaults({ latencyMs: [30, 40] });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const second = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${source.id}/sync-jobs`, headers: withKey(ws.writeKey), payload: { kind: 'backfill' } });
    expect(second.statusCode).toBe(409);
    expect(second.headers['content-type']).toContain('application/problem+json');
    expect(second.json().detail).toContain(job.id);
    const wrong = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${source.id}/sync-jobs`, headers: withKey(ws.writeKey), payload: { kind: 'incremental', from: { messageId: '12' } } });
    expect(wrong.statusCode).toBe(400);

    // Cancelled: it stops for good after the page in hand.
    expect((await jobAction(h.t.app, ws, job.id, 'cancel')).json()).toMatchObject({ status: 'cancelled' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = await getJob(h.t.app, ws, job.id);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await getJob(h.t.app, ws, job.id)).progress).toEqual(stopped.progress);
    expect(stopped.progress.recordsSeen).toBeLessThan(ROWS);
    expect((await jobAction(h.t.app, ws, job.id, 'resume')).statusCode).toBe(409);
    h.workato.setFaults({ latencyMs: [0, 0] });
  });

  it('reads a changed row on its next incremental pass', async () => {
    const source = await lookupSource('members-c', '503');
    const job = await startJob(h.t.app, ws, source.id, { kind: 'incremental' });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.created === ROWS);
    h.workato.upsertRow('lookup_table', '503', { id: source.rows[0]!.id, data: row(0, 'gold') });
    // The next pass comes after pollIntervalSeconds (10 s).
    const after = await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.updated === 1, 30_000);
    expect(after.progress.created).toBe(ROWS);
    expect(after.status).toBe('running');
    const contact = await h.t.db.contact.findFirst({ where: { workspaceId: ws.id, externalId: 'members-c:0' } });
    expect(contact?.attributes).toEqual({ TIER: 'gold' });
    await jobAction(h.t.app, ws, job.id, 'cancel');
  }, 60_000);

  it('fails a job whose token Workato stops accepting, naming the category', async () => {
    const token = 'wrk_soon_revoked_token_0002';
    h.workato.addToken(token);
    h.workato.setLookupTable('504', Array.from({ length: ROWS }, (_, i) => row(i)));
    const source = await createSource(h.t.app, ws, {
      kind: 'developer_api',
      name: 'members-d',
      token,
      developerApi: { resource: { kind: 'lookup_table', tableId: '504' }, pageSize: 20 },
      mapping: ROW_MAPPING,
      backfillEnabled: true,
    });
    h.workato.revokeToken(token);
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const failed = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'failed');
    expect(failed.lastError).toMatchObject({ category: 'authentication' });
    expect(failed.lastError!.detail).not.toContain(token);
  });
});

describe('an Event Streams source', () => {
  it('replays from a message ID and from a time without duplicates in Tajo or Brevo', async () => {
    const topic = '7700';
    h.workato.publish(topic, Array.from({ length: 300 }, (_, i) => topicPayload(i)));
    const source = await createSource(h.t.app, ws, { kind: 'event_stream', name: 'replayed', token: WORKATO_TOKEN, eventStream: { topicId: topic }, mapping: TOPIC_MAPPING, backfillEnabled: true });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const done = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed');
    await h.settle();
    const contacts = await h.t.db.contact.count({ where: { workspaceId: ws.id, source: 'replayed' } });
    const before = contactRequests();
    const messages = h.workato.messages(topic);

    const fromMessage = await startJob(h.t.app, ws, source.id, { kind: 'backfill', from: { messageId: messages[99]!.messageId } });
    const replayed = await waitForJob(h.t.app, ws, fromMessage.id, (seen) => seen.status === 'completed');
    expect(replayed.progress).toMatchObject({ recordsSeen: 200, created: 0, updated: 0 });
    expect(replayed.progress.unchanged + replayed.progress.deadLettered).toBe(200);

    const fromTime = await startJob(h.t.app, ws, source.id, { kind: 'backfill', from: { time: messages[250]!.time } });
    const byTime = await waitForJob(h.t.app, ws, fromTime.id, (seen) => seen.status === 'completed');
    expect(byTime.progress.created + byTime.progress.updated).toBe(0);
    expect(byTime.progress.recordsSeen).toBeGreaterThanOrEqual(50);

    await h.settle();
    expect(contactRequests()).toBe(before);
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id, source: 'replayed' } })).toBe(contacts);
    expect(done.cursor).toEqual({ messageId: messages.at(-1)!.messageId, time: messages.at(-1)!.time });
  });

  it('backs off on 429 and records it on the source; reports a cursor stalled by failing reads, and clears it', async () => {
    const topic = '7800';
    h.workato.publish(topic, Array.from({ length: 120 }, (_, i) => topicPayload(i)));
    const source = await createSource(h.t.app, ws, { kind: 'event_stream', name: 'throttled', token: WORKATO_TOKEN, eventStream: { topicId: topic }, mapping: TOPIC_MAPPING, backfillEnabled: true });
    h.workato.failNext(`/api/v1/topics/${topic}/consume`, 429, 1, { retryAfterSeconds: 1 });
    const throttled = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const done = await waitForJob(h.t.app, ws, throttled.id, (seen) => seen.status === 'completed');
    expect(done.progress.recordsSeen).toBe(120);
    const seen = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${source.id}`, headers: withKey(ws.readKey) });
    expect(seen.json()).toMatchObject({ lastRateLimit: { endpoint: expect.stringContaining('consume'), retryAfterMs: 1_000 } });

    // Every attempt of two reads fails (six attempts each), then Workato recovers.
    h.workato.publish(topic, Array.from({ length: 30 }, (_, i) => topicPayload(1_000 + i)));
    h.workato.failNext(`/api/v1/topics/${topic}/consume`, 503, 12);
    const stalling = await startJob(h.t.app, ws, source.id, { kind: 'backfill', from: { messageId: h.workato.messages(topic)[119]!.messageId } });
    const stalled = await waitForJob(h.t.app, ws, stalling.id, (job) => job.stalledSince !== null);
    expect(stalled.lastError).toMatchObject({ category: 'vendor_unavailable' });
    const recovered = await waitForJob(h.t.app, ws, stalling.id, (job) => job.status === 'completed', 60_000);
    expect(recovered).toMatchObject({ stalledSince: null, lastError: null, progress: { recordsSeen: 30 } });
  }, 90_000);
});
