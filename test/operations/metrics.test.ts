/** /metrics: this process's counters, and gauges read from the database at each scrape (on a database of its own). */
import { randomUUID } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { scrape, valueOf } from '../support/metrics.ts';

describe('/metrics', () => {
  let harness: ActivationHarness;
  let ws: TestWorkspace;

  beforeAll(async () => {
    harness = await startActivationHarness();
    ws = await createWorkspace(harness.t.app);
  });
  afterAll(() => harness.close());

  it('answers without a key, and counts HTTP requests and their durations by route template', async () => {
    const { app } = harness.t;
    for (const id of [randomUUID(), randomUUID()]) {
      expect((await app.inject({ method: 'GET', url: `/v1/contacts/${id}`, headers: withKey(ws.readKey) })).statusCode).toBe(404);
    }
    const samples = await scrape(app);
    expect(valueOf(samples, 'tajo_http_requests_total', { method: 'GET', route: '/v1/contacts/:id', status: '404' })).toBe(2);
    expect(valueOf(samples, 'tajo_http_request_duration_seconds_count', { method: 'GET', route: '/v1/contacts/:id' })).toBe(2);
    expect(valueOf(samples, 'tajo_http_request_duration_seconds_bucket', { method: 'GET', route: '/v1/contacts/:id', le: '+Inf' })).toBe(2);
    expect(samples.some((sample) => sample.labels.route?.includes(ws.id))).toBe(false);
  });

  it('counts records by stage: received, normalized, unchanged, rejected, activated in Brevo, dead-lettered by category', async () => {
    const { app } = harness.t;
    await harness.connect(ws);
    const records = [
      { externalId: 'm:1', email: 'one@example.com' },
      { externalId: 'm:2', email: 'two@example.com' },
      { externalId: 'm:3', email: 'not an email' },
    ];
    const batch = () => app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect((await batch()).json<{ counts: object }>().counts).toEqual({ created: 2, updated: 0, unchanged: 0, stale: 0, rejected: 1 });
    expect((await batch()).json<{ counts: object }>().counts).toEqual({ created: 0, updated: 0, unchanged: 2, stale: 0, rejected: 1 });
    const single = await app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId: 'm:1', email: 'one@example.com', firstName: 'One' } });
    expect(single.statusCode, single.body).toBe(200);
    await harness.settle();
    // A refusal Brevo would send back becomes a dead letter where it is written.
    await app.services.deadLetters.record({ workspaceId: ws.id, entityType: 'contact', entityId: null, sourceObjectId: 'm:9', category: 'permission', reason: 'test', request: {}, response: null });

    const samples = await scrape(app);
    const records_ = (stage: string, category = '') => valueOf(samples, 'tajo_records_total', { stage, category });
    expect(records_('received')).toBe(7);
    expect(records_('normalized')).toBe(3);
    expect(records_('unchanged')).toBe(2);
    expect(records_('dead_lettered', 'validation')).toBe(2);
    expect(records_('dead_lettered', 'permission')).toBe(1);
    // m:1 twice (created, then updated before or after its first activation) and m:2 once: at least one activation each.
    expect(records_('activated')).toBeGreaterThanOrEqual(2);
    expect(records_('activated')).toBeLessThanOrEqual(3);
    expect(harness.brevo.state.contacts.size).toBe(2);
    const brevo = samples.filter((sample) => sample.name === 'tajo_vendor_requests_total' && sample.labels.vendor === 'brevo');
    expect(brevo.filter((sample) => sample.labels.family === 'contacts' && sample.labels.status!.startsWith('2')).reduce((sum, sample) => sum + sample.value, 0)).toBeGreaterThanOrEqual(2);
  });

  it('reads gauges from the database: job queues, cursor lag and stalls, hint rejections, open dead letters, Workato rate limits, alerts', async () => {
    const { app, db } = harness.t;
    const before = await scrape(app);
    expect(valueOf(before, 'tajo_job_queue_depth', { queue: 'brevo-activation' })).toBe(0);
    expect(valueOf(before, 'tajo_sync_jobs_stalled')).toBe(0);
    expect(valueOf(before, 'tajo_alert_firing', { name: 'sync_cursor_stalled' })).toBe(0);

    // Two jobs waiting on a queue nobody works, the older one due for two minutes.
    const boss = new PgBoss({ connectionString: harness.databaseUrl, max: 1, supervise: false, schedule: false });
    await boss.start();
    await boss.createQueue('metrics-test');
    await boss.send('metrics-test', {});
    await boss.send('metrics-test', {});
    await boss.stop({ graceful: false });
    await db.$executeRaw`UPDATE pgboss.job SET start_after = now() - interval '120 seconds' WHERE id = (SELECT id FROM pgboss.job WHERE name = 'metrics-test' LIMIT 1)`;

    const source = await db.source.create({
      data: { workspaceId: ws.id, name: 'gauges', kind: 'event_stream', dataCenter: 'us', config: {}, mapping: {}, rateLimitedAt: new Date('2026-11-24T10:00:00Z'), rateLimit: { endpoint: 'POST /api/v1/topics/:id/consume', remaining: 0 } },
    });
    await db.syncJob.create({ data: { workspaceId: ws.id, sourceId: source.id, kind: 'incremental', status: 'running', cursorAdvancedAt: new Date(Date.now() - 300_000), stalledSince: new Date() } });
    await db.webhookHintRejection.createMany({ data: ['signature', 'signature', 'stale'].map((reason) => ({ workspaceId: ws.id, sourceId: source.id, reason })) });

    const after = await scrape(app);
    expect(valueOf(after, 'tajo_job_queue_depth', { queue: 'metrics-test' })).toBe(2);
    expect(valueOf(after, 'tajo_job_queue_oldest_waiting_seconds', { queue: 'metrics-test' })).toBeGreaterThanOrEqual(120);
    expect(valueOf(after, 'tajo_sync_cursor_lag_seconds', { source_id: source.id, kind: 'incremental' })).toBeGreaterThanOrEqual(300);
    expect(valueOf(after, 'tajo_sync_jobs_stalled')).toBe(1);
    expect(valueOf(after, 'tajo_webhook_hint_rejections', { reason: 'signature' })).toBe(2);
    expect(valueOf(after, 'tajo_webhook_hint_rejections', { reason: 'stale' })).toBe(1);
    expect(valueOf(after, 'tajo_dead_letters_open', { category: 'permission' })).toBe(1);
    expect(valueOf(after, 'tajo_workato_rate_limit_remaining', { source_id: source.id })).toBe(0);
    expect(valueOf(after, 'tajo_workato_rate_limited_timestamp_seconds', { source_id: source.id })).toBe(Date.parse('2026-11-24T10:00:00Z') / 1000);
    expect(valueOf(after, 'tajo_alert_firing', { name: 'sync_cursor_stalled' })).toBe(1);

    await db.syncJob.updateMany({ where: { sourceId: source.id }, data: { status: 'cancelled' } });
    const cleared = await scrape(app);
    expect(valueOf(cleared, 'tajo_sync_cursor_lag_seconds', { source_id: source.id, kind: 'incremental' })).toBeUndefined();
    expect(valueOf(cleared, 'tajo_alert_firing', { name: 'sync_cursor_stalled' })).toBe(0);
  });
});
