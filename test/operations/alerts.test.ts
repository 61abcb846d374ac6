/** Every alert condition fires from the workspace's data, and clears when the data no longer says so. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config/config.ts';
import { createDb, type Db } from '../../api/src/db/client.ts';
import type { Alert } from '../../api/src/alerts/service.ts';
import { createWorkspace, testSecrets, withKey, type TestWorkspace } from '../support/app.ts';
import { scrape, valueOf } from '../support/metrics.ts';

const THRESHOLDS = { ALERT_TOKEN_REFRESH_FAILURES: '3', ALERT_SIGNATURE_FAILURES: '2', ALERT_BREVO_REJECTION_RATE: '0.5', ALERT_DEAD_LETTER_GROWTH: '3' };

describe('alerts', () => {
  let app: App;
  let db: Db;

  beforeAll(async () => {
    db = createDb(inject('databaseUrl'), 4);
    app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...THRESHOLDS }), db, secrets: testSecrets(), logger: { level: 'silent' } });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await db.$disconnect();
  });

  async function alert(ws: TestWorkspace, name: Alert['name']): Promise<Alert> {
    const response = await app.inject({ method: 'GET', url: '/v1/alerts', headers: withKey(ws.readKey) });
    expect(response.statusCode, response.body).toBe(200);
    const { data } = response.json<{ data: Alert[] }>();
    expect(data.map((a) => a.name)).toEqual(['token_refresh_failures', 'webhook_signature_failures', 'sync_cursor_stalled', 'brevo_rejection_rate', 'dead_letter_growth', 'activation_stalled']);
    return data.find((a) => a.name === name)!;
  }

  const source = (ws: TestWorkspace) =>
    db.source.create({ data: { workspaceId: ws.id, name: `source ${randomUUID()}`, kind: 'event_stream', dataCenter: 'us', config: {}, mapping: {} } });

  /** What happened in the window happened long ago, as if the clock had moved on. */
  const moveOn = (table: string, ws: TestWorkspace, column = 'created_at') =>
    db.$executeRawUnsafe(`UPDATE ${table} SET ${column} = ${column} - interval '2 hours' WHERE workspace_id = $1::uuid`, ws.id);

  it('lists every condition, none firing, for a quiet workspace; the endpoint needs a key', async () => {
    const ws = await createWorkspace(app);
    const response = await app.inject({ method: 'GET', url: '/v1/alerts', headers: withKey(ws.readKey) });
    expect(response.json<{ data: Alert[] }>().data).toEqual([
      expect.objectContaining({ name: 'token_refresh_failures', severity: 'critical', firing: false, since: null, value: 0, threshold: 3 }),
      expect.objectContaining({ name: 'webhook_signature_failures', severity: 'warning', firing: false, since: null, value: 0, threshold: 2 }),
      expect.objectContaining({ name: 'sync_cursor_stalled', severity: 'critical', firing: false, since: null, value: 0, threshold: 1 }),
      expect.objectContaining({ name: 'brevo_rejection_rate', severity: 'critical', firing: false, since: null, value: 0, threshold: 0.5 }),
      expect.objectContaining({ name: 'dead_letter_growth', severity: 'warning', firing: false, since: null, value: 0, threshold: 3 }),
      expect.objectContaining({ name: 'activation_stalled', severity: 'critical', firing: false, since: null, value: 0, threshold: 1 }),
    ]);
    expect((await app.inject({ method: 'GET', url: '/v1/alerts' })).statusCode).toBe(401);
  });

  it('token_refresh_failures fires after repeated refused token requests for the workspace’s key, and clears once they age out', async () => {
    const ws = await createWorkspace(app);
    const { apiKey } = await app.services.apiKeys.create(ws.id, { name: 'connector', scopes: ['read'] });
    const refuse = () => app.inject({ method: 'POST', url: '/v1/oauth/token', payload: { grant_type: 'client_credentials', client_id: apiKey.id, client_secret: 'tajo_wrong' } });
    for (let i = 0; i < 2; i += 1) expect((await refuse()).statusCode).toBe(401);
    expect(await alert(ws, 'token_refresh_failures')).toMatchObject({ firing: false, value: 2 });
    expect((await refuse()).statusCode).toBe(401);
    const firing = await alert(ws, 'token_refresh_failures');
    expect(firing).toMatchObject({ firing: true, value: 3 });
    expect(Date.now() - Date.parse(firing.since!)).toBeLessThan(60_000);
    expect(valueOf(await scrape(app), 'tajo_token_refresh_failures_total', { reason: 'invalid_client' })).toBeGreaterThanOrEqual(3);

    await moveOn('token_refresh_failures', ws);
    expect(await alert(ws, 'token_refresh_failures')).toMatchObject({ firing: false, since: null, value: 0 });
  });

  it('webhook_signature_failures fires on unsigned or badly signed hints, and clears once they age out', async () => {
    const ws = await createWorkspace(app);
    const { id } = await source(ws);
    const unsigned = () => app.inject({ method: 'POST', url: `/v1/sources/${id}/hints`, payload: { recordId: '1' } });
    expect((await unsigned()).statusCode).toBe(401);
    expect(await alert(ws, 'webhook_signature_failures')).toMatchObject({ firing: false, value: 1 });
    expect((await unsigned()).statusCode).toBe(401);
    expect(await alert(ws, 'webhook_signature_failures')).toMatchObject({ firing: true, value: 2 });

    await moveOn('webhook_hint_rejections', ws);
    expect(await alert(ws, 'webhook_signature_failures')).toMatchObject({ firing: false, since: null, value: 0 });
  });

  it('sync_cursor_stalled fires while a running job is stalled, since it stalled, and clears when it is no longer running', async () => {
    const ws = await createWorkspace(app);
    const { id: sourceId } = await source(ws);
    const stalledSince = new Date(Date.now() - 5 * 60_000);
    const job = await db.syncJob.create({ data: { workspaceId: ws.id, sourceId, kind: 'incremental', status: 'running', stalledSince } });
    expect(await alert(ws, 'sync_cursor_stalled')).toMatchObject({ firing: true, value: 1, since: stalledSince.toISOString() });
    expect(valueOf(await scrape(app), 'tajo_alert_firing', { name: 'sync_cursor_stalled' })).toBe(1);

    await db.syncJob.update({ where: { id: job.id }, data: { status: 'paused' } });
    expect(await alert(ws, 'sync_cursor_stalled')).toMatchObject({ firing: false, value: 0, since: null });
  });

  const letter = (ws: TestWorkspace, category: 'validation' | 'vendor_unavailable') =>
    app.services.deadLetters.record({ workspaceId: ws.id, entityType: 'contact', entityId: randomUUID(), sourceObjectId: `x:${randomUUID()}`, category, reason: 'test', request: {}, response: null });

  it('brevo_rejection_rate fires when Brevo refuses a sustained share of activations, and clears once they age out', async () => {
    const ws = await createWorkspace(app);
    // Below 20 activations, no rate is sustained.
    for (let i = 0; i < 19; i += 1) await letter(ws, 'validation');
    expect(await alert(ws, 'brevo_rejection_rate')).toMatchObject({ firing: false, value: 1 });
    await letter(ws, 'validation');
    // Brevo being unavailable is no rejection.
    await letter(ws, 'vendor_unavailable');
    const firing = await alert(ws, 'brevo_rejection_rate');
    expect(firing).toMatchObject({ firing: true, value: 1 });
    expect(firing.detail).toMatch(/refused 20 of 20 activations/);

    // Refusals count by when they were last seen: one repeated on its open letter is a refusal now.
    await moveOn('dead_letters', ws, 'last_seen_at');
    expect(await alert(ws, 'brevo_rejection_rate')).toMatchObject({ firing: false, since: null, value: 0 });
  });

  it('dead_letter_growth fires on open dead letters created in the hour, and clears when they are handled', async () => {
    const ws = await createWorkspace(app);
    const letters = [await letter(ws, 'vendor_unavailable'), await letter(ws, 'vendor_unavailable'), await letter(ws, 'vendor_unavailable')];
    const firing = await alert(ws, 'dead_letter_growth');
    expect(firing).toMatchObject({ firing: true, value: 3, since: letters[0]!.createdAt.toISOString() });

    const discarded = await app.inject({ method: 'POST', url: `/v1/dead-letters/${letters[0]!.id}/discard`, headers: withKey(ws.writeKey) });
    expect(discarded.statusCode, discarded.body).toBe(200);
    expect(await alert(ws, 'dead_letter_growth')).toMatchObject({ firing: false, value: 2, since: null });
  });
});
