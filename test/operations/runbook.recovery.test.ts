import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../api/src/alerts/service.ts';
import { ACTIVATION_QUEUE } from '../../api/src/jobs/activation-workers.ts';
import { withKey, type TestWorkspace } from '../support/app.ts';
import { scrape, valueOf, type Sample } from '../support/metrics.ts';
import { runbookCommand, runCurl, startRunbookRig, type RunbookRig } from '../support/runbook.ts';
import { createSource, startJob, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';
import { waitFor } from '../support/worker.ts';

// docs/RUNBOOK.md's backfill replay and partial outages, done as it says: its curl lines run
// through sh against the API on 127.0.0.1, the vendors being the simulators, and what it promises
// checked: nothing lost, nothing sent twice, jobs finishing with exact counts.
let h: SyncHarness;
let operator: RunbookRig['operator'];
let rowSource: RunbookRig['rowSource'];

beforeAll(async () => {
  ({ h, operator, rowSource } = await startRunbookRig());
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** A workspace of the test's own, connected to the Brevo simulator. */
const operatorOf = () => operator({ brevo: true });

async function alert(ws: TestWorkspace, name: Alert['name']) {
  const response = await h.t.app.inject({ method: 'GET', url: '/v1/alerts', headers: withKey(ws.readKey) });
  return response.json<{ data: Alert[] }>().data.find((a) => a.name === name)!;
}

const unmappable = (count: number) => Array.from({ length: count }, (_, i) => i).filter((i) => i % 33 === 7).length;
const contactRequests = () => h.brevo.state.count((request) => request.route.startsWith('/v3/contacts'));
const sum = (samples: Sample[], name: string, match: (labels: Record<string, string>) => boolean) =>
  samples.filter((sample) => sample.name === name && match(sample.labels)).reduce((total, sample) => total + sample.value, 0);

/** A topic source whose contacts are the test's own in the shared Brevo simulator: their emails are at a domain named after the source. */
async function topicSource(ws: TestWorkspace, name: string, topic: string, messages: number) {
  h.workato.publish(topic, Array.from({ length: messages }, (_, i) => topicPayload(i, { emailDomain: `${name}.Example.COM` })));
  return createSource(h.t.app, ws, { kind: 'event_stream', name, token: WORKATO_TOKEN, eventStream: { topicId: topic }, mapping: TOPIC_MAPPING, backfillEnabled: true });
}

describe('Backfill replay', () => {
  it('replays a topic from a time and a paged resource from a page: records come back unchanged, Brevo gets nothing twice', async () => {
    const { ws, vars } = await operatorOf();
    const topic = await topicSource(ws, 'replayed-topic', '9501', 150);
    const rows = Array.from({ length: 100 }, (_, i) => ({ customer_id: i, email: `paged${i}@example.com` }));
    const { source: paged } = await rowSource(ws, 'replayed-rows', '9502', rows, { pageSize: 20, backfillEnabled: true });
    for (const source of [topic, paged]) {
      const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
      await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed');
    }
    await h.settle();
    const [requests, contacts] = [contactRequests(), await h.t.db.contact.count({ where: { workspaceId: ws.id } })];
    expect(contacts).toBe(250 - unmappable(150));

    const section = 'Backfill replay';
    const replayed = [];
    for (const [source, from] of [[topic, null], [paged, '{"from":{"page":"1"}}']] as const) {
      const listed = await runCurl(runbookCommand(section, 'sync-jobs?sourceId'), { ...vars, SOURCE: source.id });
      const [job] = listed.json<{ data: { id: string; status: string }[] }>().data;
      expect(job).toMatchObject({ status: 'completed' });
      // The runbook's body replays from a time; a paged resource takes the page its comment gives.
      const replay = await runCurl(runbookCommand(section, '/replay'), { ...vars, JOB: job!.id }, from ? { '{"from":{"time":"2026-11-20T00:00:00Z"}}': from } : {});
      expect(replay.status, replay.body).toBe(202);
      const NEW_JOB = replay.json<{ id: string }>().id;
      await waitForJob(h.t.app, ws, NEW_JOB, (seen) => seen.status === 'completed');
      replayed.push((await runCurl(runbookCommand(section, '$NEW_JOB'), { ...vars, NEW_JOB })).json<{ progress: Record<string, number> }>().progress);
    }
    expect(replayed[0]).toMatchObject({ recordsSeen: 150, created: 0, updated: 0, unchanged: 150 - unmappable(150), deadLettered: unmappable(150) });
    expect(replayed[1]).toMatchObject({ recordsSeen: 100, created: 0, updated: 0, unchanged: 100, deadLettered: 0 });
    await h.settle();
    expect(contactRequests()).toBe(requests);
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(contacts);
  });
});

describe('Partial outages', () => {
  it('Brevo down: the queue grows in /metrics and nothing is lost; when Brevo answers it drains, and the vendor_unavailable dead letter is retried with the runbook’s commands', async () => {
    const { ws, vars } = await operatorOf();
    const write = (records: object[]) => h.t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    const before = await scrape(h.t.app);
    const brevo5xx = (samples: Sample[]) => sum(samples, 'tajo_vendor_requests_total', (labels) => labels.vendor === 'brevo' && /^5..$/.test(labels.status ?? ''));
    h.brevo.setFaults({ serverError: 1 });

    // A single change is sent on its own: its retries run out, and it becomes a dead letter.
    expect((await write([{ externalId: 'down:single', email: 'single@example.com' }])).statusCode).toBe(200);
    await waitFor(async () => (await h.t.db.deadLetter.count({ where: { workspaceId: ws.id } })) === 1, 20_000, 'the single change to be dead-lettered');
    // A backlog goes as an import, whose job waits in the queue for Brevo.
    const backlog = Array.from({ length: 60 }, (_, i) => ({ externalId: `down:${i}`, email: `down${i}@example.com` }));
    expect((await write(backlog)).statusCode).toBe(200);
    let during = before;
    await waitFor(
      async () => (valueOf((during = await scrape(h.t.app)), 'tajo_job_queue_depth', { queue: ACTIVATION_QUEUE }) ?? 0) >= 1,
      20_000,
      'the activation queue to hold the failed import',
    );
    expect(brevo5xx(during)).toBeGreaterThan(brevo5xx(before));
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(61);

    h.brevo.setFaults({});
    await h.settle();
    expect(valueOf(await scrape(h.t.app), 'tajo_job_queue_depth', { queue: ACTIVATION_QUEUE })).toBe(0);
    for (const { externalId } of backlog) expect(h.brevo.state.byExtId(externalId), externalId).toBeDefined();
    expect(h.brevo.state.byExtId('down:single')).toBeUndefined();

    const section = 'Brevo down or refusing everything';
    const open = await runCurl(runbookCommand(section, 'category=vendor_unavailable'), vars);
    const letters = open.json<{ data: { id: string; sourceObjectId: string }[] }>().data;
    expect(letters.map((letter) => letter.sourceObjectId)).toEqual(['down:single']);
    expect(await alert(ws, 'dead_letter_growth')).toMatchObject({ value: 1 });
    const retried = await runCurl(runbookCommand(section, '/retry'), { ...vars, LETTER: letters[0]!.id });
    expect(retried.status, retried.body).toBe(200);
    await h.settle();
    expect(h.brevo.state.byExtId('down:single')).toMatchObject({ email: 'single@example.com' });
    expect(await alert(ws, 'dead_letter_growth')).toMatchObject({ value: 0 });
    // A backfill now finds nothing Brevo lacks.
    const backfill = await runCurl(runbookCommand(section, 'brevo/backfill'), vars);
    expect(backfill.status, backfill.body).toBe(202);
    expect(backfill.json()).toMatchObject({ queued: 0 });
    expect([...h.brevo.state.contacts.values()].filter((contact) => contact.extId?.startsWith('down:'))).toHaveLength(61);
  });

  it('Workato down: reads retry, the stalled cursor is reported (sync_cursor_stalled), and the job goes on by itself when Workato answers, with exact counts', async () => {
    const { ws, vars } = await operatorOf();
    const source = await topicSource(ws, 'outage-topic', '9601', 200);
    // Slow reads keep the backfill running into the outage.
    h.workato.setFaults({ latencyMs: [40, 60] });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.recordsSeen >= 50);
    h.workato.setFaults({ serverError: 1 });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.stalledSince !== null, 30_000);

    const confirm = await runCurl(runbookCommand('sync_cursor_stalled (critical)', 'status=running'), vars);
    expect(confirm.json()).toMatchObject({ data: [{ id: job.id, status: 'running', stalledSince: expect.any(String), lastError: { category: 'vendor_unavailable' } }] });
    expect(await alert(ws, 'sync_cursor_stalled')).toMatchObject({ firing: true, value: 1 });
    expect(valueOf(await scrape(h.t.app), 'tajo_sync_cursor_lag_seconds', { source_id: source.id, kind: 'backfill' })).toBeGreaterThanOrEqual(1);

    // The fix for vendor_unavailable: wait.
    h.workato.setFaults({});
    const done = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed', 45_000);
    expect(done).toMatchObject({ stalledSince: null, lastError: null, progress: { recordsSeen: 200, created: 200 - unmappable(200), updated: 0, unchanged: 0, deadLettered: unmappable(200) } });
    expect(await alert(ws, 'sync_cursor_stalled')).toMatchObject({ firing: false });
    // Its activation ends with it, rather than running into the next test (and its database restart).
    await h.settle();
  }, 90_000);

  // A restart of the machine's PostgreSQL is not ours to make: its effect on the API is. The
  // database refuses connections and drops every one it has, then comes back. (The embedded
  // database lives inside the API's process: it restarts with the API.)
  it.runIf(Boolean(process.env.DATABASE_URL))('Database restart: /ready is 503 while the database is gone, 200 once it is back, and a running job finishes with exact counts', async () => {
    const { ws } = await operatorOf();
    const source = await topicSource(ws, 'restart-topic', '9701', 300);
    h.workato.setFaults({ latencyMs: [60, 80] });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.recordsSeen >= 50);

    const name = new URL(h.databaseUrl).pathname.slice(1);
    const server = new pg.Client(process.env.DATABASE_URL);
    await server.connect();
    const ready = () => h.t.app.inject({ method: 'GET', url: '/ready' });
    try {
      await server.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await server.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      const down = await ready();
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ status: 'not_ready', checks: { database: { ok: false } } });
      const refused = await h.t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId: 'restart:1', email: 'restart@example.com' } });
      expect([500, 503]).toContain(refused.statusCode);
    } finally {
      await server.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await server.end();
    }
    h.workato.setFaults({});
    await waitFor(async () => (await ready()).statusCode === 200, 30_000, '/ready to answer 200');
    const done = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed', 60_000);
    expect(done.progress).toMatchObject({ recordsSeen: 300, created: 300 - unmappable(300), updated: 0, unchanged: 0, deadLettered: unmappable(300) });
    await h.settle();
    expect(valueOf(await scrape(h.t.app), 'tajo_job_queue_depth', { queue: ACTIVATION_QUEUE })).toBe(0);
    // Every contact Tajo made is in Brevo, under its external ID and with its email; the only dead
    // letters are the records no mapping could make contacts of (Brevo refused nothing).
    const contacts = await h.t.db.contact.findMany({ where: { workspaceId: ws.id } });
    expect(contacts).toHaveLength(300 - unmappable(300));
    const absent = contacts.filter((contact) => h.brevo.state.byExtId(contact.externalId)?.email !== contact.email);
    const jobs = await h.t.db.sql.query('SELECT state, retry_count, output FROM pgboss.job WHERE name = $1 ORDER BY created_on', [ACTIVATION_QUEUE]);
    const held = absent.map((contact) => ({ externalId: contact.externalId, brevoHolds: contact.email ? (h.brevo.state.byEmail(contact.email)?.extId ?? null) : null }));
    expect(held, JSON.stringify(jobs.rows)).toEqual([]);
    const letters = await h.t.db.deadLetter.groupBy({ by: ['entityType', 'category'], where: { workspaceId: ws.id }, _count: true });
    expect(letters).toEqual([{ entityType: 'source_record', category: 'mapping', _count: unmappable(300) }]);
  }, 120_000);
});
