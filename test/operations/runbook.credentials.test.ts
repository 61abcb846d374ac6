import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Alert } from '../../api/src/alerts/service.ts';
import { GENERAL_TIER_CONTACTS, GENEROUS_LIMITS } from '../support/activation.ts';
import { withKey, type TestWorkspace } from '../support/app.ts';
import { scrape, valueOf } from '../support/metrics.ts';
import { runbookCommand, runCurl, startRunbookRig, type RunbookRig } from '../support/runbook.ts';
import { createSource, getJob, startJob, TOPIC_MAPPING, topicPayload, waitForJob, type SyncHarness } from '../support/sources.ts';
import { startCallbacks } from '../support/webhooks.ts';
import { waitFor } from '../support/worker.ts';

// docs/RUNBOOK.md's credential rotation and webhook re-registration, done as it says: its curl
// lines run through sh against the API on 127.0.0.1, the vendors being the simulators, and what
// it promises checked (the alerts each procedure fixes included).
let h: SyncHarness;
let tajo: string;
let operatorOf: RunbookRig['operator'];
let rowSource: RunbookRig['rowSource'];

beforeAll(async () => {
  ({ h, tajo, operator: operatorOf, rowSource } = await startRunbookRig());
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const call = (ws: TestWorkspace, method: 'GET' | 'POST', url: string, payload?: object) => h.t.app.inject({ method, url, headers: withKey(ws.adminKey), ...(payload ? { payload } : {}) });

async function alert(ws: TestWorkspace, name: Alert['name']) {
  return (await call(ws, 'GET', '/v1/alerts')).json<{ data: Alert[] }>().data.find((a) => a.name === name)!;
}

const unmappable = (count: number) => Array.from({ length: count }, (_, i) => i).filter((i) => i % 33 === 7).length;

describe('Credential rotation', () => {
  it('Brevo API key: a refused key changes nothing, the new one keeps the account’s limits, and work queued while a key was dead goes with the new one (brevo_rejection_rate’s fix)', async () => {
    const { ws, vars } = await operatorOf();
    const [OLD, NEW, LATER] = ['xkeysib-runbook-0001-OLDx', 'xkeysib-runbook-0002-NEWx', 'xkeysib-runbook-0003-LATR'];
    // Contacts at Brevo's general tier, in the simulator as in the connection: a backlog goes as an import.
    h.brevo.setLimits(GENERAL_TIER_CONTACTS);
    onTestFinished(() => h.brevo.setLimits(GENEROUS_LIMITS));
    h.brevo.addApiKey(OLD);
    const connected = await h.t.app.inject({ method: 'PUT', url: '/v1/brevo/connection', headers: withKey(ws.adminKey), payload: { apiKey: OLD, baseUrl: h.brevo.baseUrl, limits: GENERAL_TIER_CONTACTS } });
    expect(connected.statusCode, connected.body).toBe(200);
    const store = runbookCommand('Brevo API key', '-X PUT');
    const test = runbookCommand('Brevo API key', 'connection/test');
    const write = async (prefix: string, count: number) => {
      const records = Array.from({ length: count }, (_, i) => ({ externalId: `${prefix}:${i}`, email: `${prefix}${i}@example.com` }));
      const response = await call(ws, 'POST', '/v1/contacts/batch', { records });
      expect(response.statusCode, response.body).toBe(200);
      return records.map((record) => record.externalId);
    };

    // 1. The new key is made in Brevo; 2. a key Brevo does not know is refused, and nothing changes.
    h.brevo.addApiKey(NEW);
    const refused = await runCurl(store, vars, { 'xkeysib-NEW...': 'xkeysib-never-issued-9999' });
    expect(refused.status, refused.body).toBe(422);
    expect(refused.json().detail).toContain('authentication');
    expect((await call(ws, 'GET', '/v1/brevo/connection')).json()).toMatchObject({ apiKeyHint: OLD.slice(-4), baseUrl: h.brevo.baseUrl, limits: GENERAL_TIER_CONTACTS });
    const stored = await runCurl(store, vars, { 'xkeysib-NEW...': NEW });
    expect(stored.status, stored.body).toBe(200);
    // The key alone was sent: the account's URL and limits stay.
    expect(stored.json()).toMatchObject({ apiKeyHint: NEW.slice(-4), baseUrl: h.brevo.baseUrl, limits: GENERAL_TIER_CONTACTS });
    expect((await runCurl(test, vars)).status).toBe(200);
    // 3. The old key is revoked in Brevo: what follows goes with the new one.
    h.brevo.revokeApiKey(OLD);
    const first = await write('rot-a', 60);
    await h.settle();
    for (const externalId of first) expect(h.brevo.state.byExtId(externalId)).toBeDefined();

    // The key dies in Brevo before anyone rotates it: single sends (fewer than an import takes)
    // are refused (dead letters), a backlog's import job fails and waits in the queue.
    h.brevo.revokeApiKey(NEW);
    const lettered = await write('rot-b', 19);
    await h.settle();
    const refusals = h.brevo.state.count((request) => request.status === 401);
    const queued = await write('rot-c', 60);
    await waitFor(() => h.brevo.state.count((request) => request.status === 401) > refusals, 20_000, 'the import to be refused');
    // 19 refusals against the 60 activations before: 0.241, over the 0.2 threshold.
    expect(await alert(ws, 'brevo_rejection_rate')).toMatchObject({ firing: true, value: 0.241 });
    const confirm = await runCurl(runbookCommand('brevo_rejection_rate (critical)', 'dead-letters'), vars);
    expect(confirm.status, confirm.body).toBe(200);
    const letters = confirm.json<{ data: { id: string; category: string; sourceObjectId: string }[] }>().data;
    expect(letters.map((letter) => [letter.category, letter.sourceObjectId]).sort()).toEqual(lettered.map((externalId) => ['authentication', externalId]).sort());

    // The fix: rotate (above), then retry the letters.
    h.brevo.addApiKey(LATER);
    expect((await runCurl(store, vars, { 'xkeysib-NEW...': LATER })).status).toBe(200);
    const retry = runbookCommand('Brevo down or refusing everything', '/retry');
    for (const letter of letters) expect((await runCurl(retry, { ...vars, LETTER: letter.id })).status).toBe(200);
    await h.settle();
    for (const externalId of [...lettered, ...queued]) expect(h.brevo.state.byExtId(externalId), externalId).toBeDefined();
    expect([...h.brevo.state.contacts.values()].filter((contact) => /^rot-[abc]:/.test(contact.extId ?? ''))).toHaveLength(139);
    expect((await runCurl(runbookCommand('brevo_rejection_rate (critical)', 'dead-letters'), vars)).json()).toMatchObject({ data: [] });
  });

  it('Workato API-client token: a job failed `authentication` by a dead token; PATCH the new one (smoke test passed), replay, exact counts', async () => {
    const { ws, vars } = await operatorOf();
    const [OLD, NEW] = ['wrk_runbook_token_old_0001', 'wrk_runbook_token_new_0002'];
    h.workato.addToken(OLD);
    const topic = '9301';
    h.workato.publish(topic, Array.from({ length: 120 }, (_, i) => topicPayload(i)));
    const source = await createSource(h.t.app, ws, { kind: 'event_stream', name: 'rotated', token: OLD, eventStream: { topicId: topic }, mapping: TOPIC_MAPPING, backfillEnabled: true });
    h.workato.revokeToken(OLD);
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    expect((await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'failed')).lastError).toMatchObject({ category: 'authentication' });

    h.workato.addToken(NEW);
    const patched = await runCurl(runbookCommand('Workato API-client token (or MCP server URL)', '-X PATCH'), { ...vars, SOURCE: source.id }, { 'NEW-TOKEN': NEW });
    expect(patched.status, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ smokeTest: { status: 'passed', failure: null } });
    // The failed job stays failed: replay it, as the runbook says.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await getJob(h.t.app, ws, job.id)).status).toBe('failed');
    const listed = await runCurl(runbookCommand('Backfill replay', 'sync-jobs?sourceId'), { ...vars, SOURCE: source.id });
    expect(listed.json<{ data: { id: string; status: string }[] }>().data).toEqual([expect.objectContaining({ id: job.id, status: 'failed' })]);
    const replay = await runCurl(runbookCommand('Backfill replay', '/replay'), { ...vars, JOB: job.id });
    expect(replay.status, replay.body).toBe(202);
    const done = await waitForJob(h.t.app, ws, replay.json<{ id: string }>().id, (seen) => seen.status === 'completed');
    const bad = unmappable(120);
    expect(done.progress).toMatchObject({ recordsSeen: 120, created: 120 - bad, updated: 0, unchanged: 0, deadLettered: bad });
    const progress = await runCurl(runbookCommand('Backfill replay', '$NEW_JOB'), { ...vars, NEW_JOB: done.id });
    expect(progress.json()).toMatchObject({ id: done.id, status: 'completed' });
  });

  it('Tajo API keys: after a rotation old and new keys work, after revoking the old one only the new (token_refresh_failures’ fix)', async () => {
    const { ws, vars } = await operatorOf();
    const made = await call(ws, 'POST', '/v1/api-keys', { name: 'Workato production', scopes: ['write'] });
    const { apiKey, secret: old } = made.json<{ apiKey: { id: string }; secret: string }>();
    const rotated = await runCurl(runbookCommand("Tajo API keys (a recipe's connection)", '/rotate'), { ...vars, KEY_ID: apiKey.id });
    expect(rotated.status, rotated.body).toBe(201);
    const { apiKey: next, secret } = rotated.json<{ apiKey: { id: string }; secret: string }>();
    const workspace = (key: string) => h.t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(key) });
    expect((await workspace(old)).statusCode).toBe(200);
    expect((await workspace(secret)).statusCode).toBe(200);

    const revoked = await runCurl(runbookCommand("Tajo API keys (a recipe's connection)", '-X DELETE'), { ...vars, KEY_ID: apiKey.id });
    expect(revoked.status, revoked.body).toBe(200);
    expect((await workspace(old)).statusCode).toBe(401);
    expect((await workspace(secret)).statusCode).toBe(200);

    // A connection still on the old key: its token requests are refused until it gets the new one.
    const token = (id: string, key: string) => h.t.app.inject({ method: 'POST', url: '/v1/oauth/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: key } });
    for (let i = 0; i < 5; i += 1) expect((await token(apiKey.id, old)).statusCode).toBe(401);
    const confirm = await runCurl(runbookCommand('token_refresh_failures (critical)', '/v1/alerts'), vars);
    expect(confirm.json<{ data: Alert[] }>().data.find((a) => a.name === 'token_refresh_failures')).toMatchObject({ firing: true, value: 5 });
    expect(valueOf(await scrape(h.t.app), 'tajo_token_refresh_failures_total', { reason: 'invalid_client' })).toBeGreaterThanOrEqual(5);
    const fixed = await token(next.id, secret);
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({ token_type: 'Bearer', scope: 'write' });
  });

  it('Webhook secrets: hint secrets rotated with an overlap accept old and new signatures; overlapSeconds 0 cuts the old ones (webhook_signature_failures’ fix)', async () => {
    const { ws, vars } = await operatorOf({ brevo: true });
    const rows = Array.from({ length: 4 }, (_, i) => ({ customer_id: `hint-${i}`, email: `hint${i}@example.com` }));
    const { source, rows: stored } = await rowSource(ws, 'hinted', '9401', rows, { hintsEnabled: true });
    const first = (await call(ws, 'GET', `/v1/sources/${source.id}/hint-secret`)).json<{ secret: string }>().secret;
    const hint = (secret: string, row: number) => h.workato.sendWebhook(`${tajo}${source.hintPath}`, { secret, body: { recordId: stored[row]!.id } });
    const rotate = runbookCommand('Webhook secrets', 'hint-secret/rotate');

    const overlapping = await runCurl(rotate, { ...vars, SOURCE: source.id });
    expect(overlapping.status, overlapping.body).toBe(200);
    const second = overlapping.json<{ secret: string; previousSecretExpiresAt: string }>();
    expect(Date.parse(second.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(86_000_000);
    expect(await hint(first, 0)).toBe(202);
    expect(await hint(second.secret, 1)).toBe(202);

    const cut = await runCurl(rotate, { ...vars, SOURCE: source.id }, { '"overlapSeconds":86400': '"overlapSeconds":0' });
    expect(cut.status, cut.body).toBe(200);
    const third = cut.json<{ secret: string }>().secret;
    expect(await hint(first, 2)).toBe(401);
    expect(await hint(second.secret, 2)).toBe(401);
    const stats = await runCurl(runbookCommand('webhook_signature_failures (warning)', 'hint-stats'), { ...vars, SOURCE: source.id });
    expect(stats.json()).toMatchObject({ accepted: 2, rejected: { signature: 2, stale: 0 } });
    // The fix: the sender signs with the secret the source gives now.
    expect((await call(ws, 'GET', `/v1/sources/${source.id}/hint-secret`)).json()).toMatchObject({ secret: third });
    expect(await hint(third, 2)).toBe(202);
    await waitFor(async () => (await h.t.db.contact.count({ where: { workspaceId: ws.id } })) === 3, 20_000, 'the hinted rows to be refetched');
  });
});

describe('Webhook re-registration', () => {
  it('a subscription disabled by a 410 is found, deleted and registered again; deliveries resume, and the missed change is searchable', async () => {
    const { ws, vars } = await operatorOf();
    const callbacks = await startCallbacks();
    try {
      callbacks.answer('/recipe', 410);
      const subscribed = await call(ws, 'POST', '/v1/webhooks', { url: callbacks.url('/recipe'), events: ['contact.created', 'contact.updated'] });
      expect(subscribed.statusCode, subscribed.body).toBe(201);
      const sub = subscribed.json<{ id: string }>().id;
      const upsert = (externalId: string) => call(ws, 'POST', '/v1/contacts/upsert', { externalId, email: `${externalId.replace(':', '-')}@example.com` });
      expect((await upsert('hook:1')).statusCode).toBeLessThan(300);
      await waitFor(async () => (await call(ws, 'GET', `/v1/webhooks/${sub}`)).json<{ status: string }>().status === 'disabled', 20_000, 'the subscription to be disabled');
      const since = new Date().toISOString();
      expect((await upsert('hook:2')).statusCode).toBeLessThan(300);
      // Relayed while no subscription is active: announced to no one.
      await h.settle();

      const section = 'Webhook re-registration';
      const found = await runCurl(runbookCommand(section, '"$TAJO/v1/webhooks"'), vars);
      expect(found.json()).toMatchObject({ data: [{ id: sub, status: 'disabled', url: callbacks.url('/recipe') }] });
      const missed = await runCurl(runbookCommand(section, 'deliveries?status=failed'), { ...vars, SUB: sub });
      expect(missed.json()).toMatchObject({ data: [{ type: 'contact.created', status: 'failed', lastStatusCode: 410 }] });
      expect((await runCurl(runbookCommand(section, '-X DELETE'), { ...vars, SUB: sub })).status).toBe(200);
      const again = await runCurl(runbookCommand(section, '-X POST'), vars, { 'https://www.workato.com/webhooks/rest/...': callbacks.url('/recipe-again') });
      expect(again.status, again.body).toBe(201);

      expect((await upsert('hook:3')).statusCode).toBeLessThan(300);
      await waitFor(() => callbacks.received('/recipe-again').length > 0, 20_000, 'a delivery to the new subscription');
      expect(callbacks.received('/recipe-again').map(({ notification }) => [notification.type, (notification.data as { externalId: string }).externalId])).toEqual([['contact.created', 'hook:3']]);
      // What it missed while disabled, from the polling trigger's search.
      const changed = await call(ws, 'GET', `/v1/contacts?updatedSince=${encodeURIComponent(since)}`);
      expect(changed.json<{ data: { externalId: string }[] }>().data.map((contact) => contact.externalId)).toEqual(['hook:2', 'hook:3']);
    } finally {
      await callbacks.close();
    }
  });
});
