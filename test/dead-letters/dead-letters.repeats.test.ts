/**
 * Dead letters are deduplicated: the same record failing for the same reason counts on its open
 * letter (occurrences, lastSeenAt) instead of writing another, whether a source is read again, two
 * pages carry the record at once, or two workers refuse it together.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDeadLetter } from '../../api/src/dead-letters/service.ts';
import { SOURCE_RECORD_ENTITY } from '../../api/src/sources/ingest.ts';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { scrape, valueOf } from '../support/metrics.ts';
import { createSource, startJob, startSyncHarness, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';

interface Letter {
  id: string;
  entityType: string;
  entityId: string | null;
  sourceObjectId: string | null;
  syncJobId: string | null;
  reason: string;
  status: string;
  occurrences: number;
  lastSeenAt: string;
  createdAt: string;
}

let h: SyncHarness;

beforeAll(async () => {
  h = await startSyncHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

async function letters(ws: TestWorkspace, query = ''): Promise<Letter[]> {
  const response = await h.t.app.inject({ method: 'GET', url: `/v1/dead-letters?limit=200${query}`, headers: withKey(ws.readKey) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ data: Letter[] }>().data;
}

/** The records of 100 that no mapping can make contacts of (topicPayload's broken ones). */
const UNMAPPABLE = [7, 40, 73];

describe('a source read again', () => {
  it('a second backfill counts its unmappable records on their open letters instead of writing them again', async () => {
    const ws = await createWorkspace(h.t.app);
    await h.connect(ws);
    const topic = '8801';
    h.workato.publish(topic, Array.from({ length: 100 }, (_, i) => topicPayload(i, { emailDomain: 'repeats.example' })));
    const source = await createSource(h.t.app, ws, { kind: 'event_stream', name: 'reread', token: WORKATO_TOKEN, eventStream: { topicId: topic }, mapping: TOPIC_MAPPING, backfillEnabled: true });
    const metric = async (stage: string) => valueOf(await scrape(h.t.app), 'tajo_records_total', { stage, category: 'mapping' }) ?? 0;
    const [newBefore, repeatsBefore] = [await metric('dead_lettered'), await metric('dead_lettered_again')];

    const first = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    await waitForJob(h.t.app, ws, first.id, (job) => job.status === 'completed');
    const firstLetters = await letters(ws);
    // A topic's records are its messages.
    const messages = h.workato.messages(topic);
    expect(firstLetters.map((letter) => letter.sourceObjectId).sort()).toEqual(UNMAPPABLE.map((i) => messages[i]!.messageId).sort());
    expect(firstLetters.every((letter) => letter.syncJobId === first.id)).toBe(true);

    const second = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const reread = await waitForJob(h.t.app, ws, second.id, (job) => job.status === 'completed');
    expect(reread.progress.recordsSeen).toBe(100);
    const secondLetters = await letters(ws);
    // The same letters, seen twice, last by the second job: nothing new for an operator to triage.
    expect(secondLetters.map((letter) => letter.id).sort()).toEqual(firstLetters.map((letter) => letter.id).sort());
    for (const letter of secondLetters) {
      const before = firstLetters.find((earlier) => earlier.id === letter.id)!;
      expect(before).toMatchObject({ occurrences: 1, lastSeenAt: before.createdAt });
      expect(letter).toMatchObject({ status: 'open', occurrences: 2, syncJobId: second.id, createdAt: before.createdAt, reason: before.reason });
      expect(Date.parse(letter.lastSeenAt)).toBeGreaterThan(Date.parse(before.lastSeenAt));
    }
    // Re-reads are repeats: they neither grow the count of new letters nor fire dead_letter_growth.
    expect((await letters(ws, `&since=${encodeURIComponent(firstLetters[0]!.lastSeenAt)}`)).length).toBe(3);
    expect(await metric('dead_lettered')).toBe(newBefore + 3);
    expect(await metric('dead_lettered_again')).toBe(repeatsBefore + 3);
    const alerts = (await h.t.app.inject({ method: 'GET', url: '/v1/alerts', headers: withKey(ws.readKey) })).json<{ data: { name: string; value: number }[] }>().data;
    expect(alerts.find((alert) => alert.name === 'dead_letter_growth')).toMatchObject({ value: 3 });
    // Announced once: a repeat is no new dead letter for webhook subscribers.
    expect(await h.t.db.activationOutbox.count({ where: { workspaceId: ws.id, entityType: 'dead_letter' } })).toBe(3);
  }, 120_000);

  it('two pages carrying the same unmappable records at once leave one letter per record', async () => {
    const ws = await createWorkspace(h.t.app);
    const created = await createSource(h.t.app, ws, { kind: 'event_stream', name: 'twice', token: WORKATO_TOKEN, eventStream: { topicId: '8802' }, mapping: TOPIC_MAPPING });
    const source = await h.t.db.source.findUniqueOrThrow({ where: { id: created.id } });
    const page = Array.from({ length: 80 }, (_, i) => ({ objectId: `cust-${i}`, payload: topicPayload(i, { emailDomain: 'pages.example' }) }));
    const settings = { sourceName: 'api', defaultPhoneRegion: 'US' as const };
    const ingest = (n: number) => h.t.app.services.sourceIngest.ingest(source, settings, page, { requestId: `page-${n}`, log: pino({ level: 'silent' }) });
    const counts = await Promise.all([1, 2, 3, 4].map(ingest));
    expect(counts.map((count) => count.deadLettered)).toEqual([3, 3, 3, 3]);
    const written = await letters(ws);
    expect(written.map((letter) => letter.sourceObjectId).sort()).toEqual(UNMAPPABLE.map((i) => `cust-${i}`).sort());
    expect(written.map((letter) => letter.occurrences)).toEqual([4, 4, 4]);
  });
});

describe('the same failure recorded again', () => {
  const letter = (ws: TestWorkspace, overrides: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
    workspaceId: ws.id,
    entityType: 'contact',
    entityId: null,
    sourceObjectId: 'crm:1',
    category: 'mapping',
    reason: 'Brevo answered upsertContact with 400 duplicate_parameter: SMS is already associated with another Contact',
    request: { operation: 'upsertContact', body: { ext_id: 'crm:1' } },
    response: { code: 'duplicate_parameter' },
    ...overrides,
  });

  it('by workers at once, counts every occurrence on one open letter, and keeps the latest request and answer', async () => {
    const ws = await createWorkspace(h.t.app);
    const entityId = randomUUID();
    const attempts = Array.from({ length: 8 }, (_, n) => letter(ws, { entityId, request: { attempt: n }, response: { attempt: n } }));
    const rows = await Promise.all(attempts.map((attempt) => h.t.app.services.deadLetters.record(attempt)));
    expect(new Set(rows.map((row) => row.id)).size).toBe(1);
    const [stored, ...others] = await letters(ws);
    expect(others).toEqual([]);
    expect(stored).toMatchObject({ entityId, occurrences: 8, status: 'open' });
    // Sequentially, the latest one wins.
    await h.t.app.services.deadLetters.record(letter(ws, { entityId, syncJobId: 'job-9', request: { attempt: 'last' }, response: { attempt: 'last' } }));
    const latest = await h.t.app.inject({ method: 'GET', url: `/v1/dead-letters/${stored!.id}`, headers: withKey(ws.readKey) });
    expect(latest.json()).toMatchObject({ occurrences: 9, syncJobId: 'job-9', request: { attempt: 'last' }, response: { attempt: 'last' } });
  });

  it('on a letter opened long ago: a refusal now for brevo_rejection_rate, and no growth for dead_letter_growth', async () => {
    const ws = await createWorkspace(h.t.app);
    const alert = async (name: string) =>
      (await h.t.app.inject({ method: 'GET', url: '/v1/alerts', headers: withKey(ws.readKey) })).json<{ data: { name: string; value: number }[] }>().data.find((found) => found.name === name)!.value;
    const refusal = letter(ws, { entityId: randomUUID(), category: 'validation' });
    await h.t.app.services.deadLetters.record(refusal);
    await h.t.db.$executeRaw`UPDATE dead_letters SET created_at = created_at - interval '2 hours', last_seen_at = last_seen_at - interval '2 hours' WHERE workspace_id = ${ws.id}::uuid`;
    expect([await alert('brevo_rejection_rate'), await alert('dead_letter_growth')]).toEqual([0, 0]);

    await h.t.app.services.deadLetters.record(refusal);
    // Brevo refused 1 of 1 activations in the window.
    expect([await alert('brevo_rejection_rate'), await alert('dead_letter_growth')]).toEqual([1, 0]);
  });

  it('is a new letter when it is about another record, another reason, another source, or the open letter was handled', async () => {
    const ws = await createWorkspace(h.t.app);
    const { deadLetters } = h.t.app.services;
    const sourceLetter = (sourceId: string, objectId: string) =>
      letter(ws, { entityType: SOURCE_RECORD_ENTITY, sourceObjectId: objectId, reason: 'the contact cannot be normalized: email is not an email address', request: { sourceId, objectId } });
    const [sourceA, sourceB] = [randomUUID(), randomUUID()];
    const first = await deadLetters.record(letter(ws));
    const fromA = await deadLetters.record(sourceLetter(sourceA, '17'));
    const distinct = [
      first,
      fromA,
      await deadLetters.record(letter(ws, { sourceObjectId: 'crm:2' })),
      await deadLetters.record(letter(ws, { reason: 'Brevo answered upsertContact with 400 invalid_parameter: email is invalid' })),
      await deadLetters.record(letter(ws, { category: 'validation' })),
      // Object IDs are a source's own: record 17 of another source is another record.
      await deadLetters.record(sourceLetter(sourceB, '17')),
    ];
    expect(new Set(distinct.map((row) => row.id)).size).toBe(6);
    expect((await deadLetters.record(letter(ws))).id).toBe(first.id);
    expect((await deadLetters.record(sourceLetter(sourceA, '17'))).id).toBe(fromA.id);
    const stored = await letters(ws);
    expect(stored).toHaveLength(6);
    expect(Object.fromEntries(stored.map((row) => [row.id, row.occurrences]))).toEqual(Object.fromEntries(distinct.map((row) => [row.id, [first.id, fromA.id].includes(row.id) ? 2 : 1])));

    // Only an open letter absorbs repeats: once handled, the failure is news again.
    const discarded = await h.t.app.inject({ method: 'POST', url: `/v1/dead-letters/${first.id}/discard`, headers: withKey(ws.writeKey) });
    expect(discarded.statusCode, discarded.body).toBe(200);
    const again = await deadLetters.record(letter(ws));
    expect(again).toMatchObject({ status: 'open', occurrences: 1 });
    expect(again.id).not.toBe(first.id);
  });
});
