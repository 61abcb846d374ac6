import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { createSource, startJob, startSyncHarness, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';

// Sources as an administrator configures them: credentials sealed and never shown, a smoke test
// on every change of reach, jobs refused until it passes, mapping previews on stored payloads.
let h: SyncHarness;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startSyncHarness({ topics: ['100', '200'] });
  ws = await createWorkspace(h.t.app);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const topicSource = (name: string, extra: Record<string, unknown> = {}) => ({ kind: 'event_stream', name, token: WORKATO_TOKEN, eventStream: { topicId: '100' }, mapping: TOPIC_MAPPING, ...extra });

describe('sources', () => {
  it('keep the token sealed: never in a response, encrypted in the database', async () => {
    const source = await createSource(h.t.app, ws, topicSource('sealed'));
    const read = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${source.id}`, headers: withKey(ws.readKey) });
    expect(read.statusCode).toBe(200);
    expect(read.body).not.toContain(WORKATO_TOKEN);
    expect(read.json()).toMatchObject({ kind: 'event_stream', dataCenter: 'us', hasToken: true, smokeTest: { status: 'passed' }, hintPath: `/v1/sources/${source.id}/hints` });
    const row = await h.t.db.source.findUniqueOrThrow({ where: { id: source.id } });
    expect(row.tokenCiphertext).not.toContain(WORKATO_TOKEN);
    const list = await h.t.app.inject({ method: 'GET', url: '/v1/sources', headers: withKey(ws.readKey) });
    expect(list.json<{ data: { id: string }[] }>().data.map((item) => item.id)).toContain(source.id);
  });

  it('are an administrator\'s to create, and invisible to other workspaces', async () => {
    const refused = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.writeKey), payload: topicSource('not-mine') });
    expect(refused.statusCode).toBe(403);
    const source = await createSource(h.t.app, ws, topicSource('private'));
    const other = await createWorkspace(h.t.app);
    const foreign = await h.t.app.inject({ method: 'GET', url: `/v1/sources/${source.id}`, headers: withKey(other.readKey) });
    expect(foreign.statusCode).toBe(404);
    const foreignJob = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${source.id}/sync-jobs`, headers: withKey(other.writeKey), payload: { kind: 'backfill' } });
    expect(foreignJob.statusCode).toBe(404);
    const duplicate = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload: topicSource('private') });
    expect(duplicate.statusCode).toBe(409);
  });

  it('with a token Workato rejects: saved as failed, refused with 422 naming authentication when enabling', async () => {
    const failed = await createSource(h.t.app, ws, topicSource('bad-token', { token: 'wrk_not_a_real_token_000' }));
    expect(failed.smokeTest).toMatchObject({ status: 'failed', failure: { category: 'authentication' } });
    expect(failed.smokeTest.failure!.detail).not.toContain('wrk_not_a_real_token_000');

    const enabling = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload: topicSource('bad-token-2', { token: 'wrk_not_a_real_token_000', backfillEnabled: true }) });
    expect(enabling.statusCode).toBe(422);
    expect(enabling.headers['content-type']).toContain('application/problem+json');
    expect(enabling.json()).toMatchObject({ type: 'authentication', smokeTestFailure: 'authentication', detail: expect.stringContaining('smoke test failed (authentication)') });
    expect(await h.t.db.source.count({ where: { workspaceId: ws.id, name: 'bad-token-2' } })).toBe(0);

    // Jobs wait for a passing smoke test; fixing the token (which runs it again) lets them start.
    const start = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${failed.id}/sync-jobs`, headers: withKey(ws.writeKey), payload: { kind: 'backfill' } });
    expect(start.statusCode).toBe(409);
    expect(start.json().detail).toContain('smoke test has not passed');
    const fixed = await h.t.app.inject({ method: 'PATCH', url: `/v1/sources/${failed.id}`, headers: withKey(ws.adminKey), payload: { token: WORKATO_TOKEN, backfillEnabled: true } });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json()).toMatchObject({ smokeTest: { status: 'passed', failure: null }, backfillEnabled: true });
  });

  it('on a topic Workato does not have: not_found; on an unreachable host: unreachable', async () => {
    const missing = await createSource(h.t.app, ws, topicSource('no-topic', { eventStream: { topicId: '999999' } }));
    expect(missing.smokeTest).toMatchObject({ status: 'failed', failure: { category: 'not_found' } });
    h.workato.failNext('/api/v1/topics/200', 'drop', 20);
    const unreachable = await createSource(h.t.app, ws, topicSource('dropped', { eventStream: { topicId: '200' } }));
    expect(unreachable.smokeTest).toMatchObject({ status: 'failed', failure: { category: 'unreachable' } });
  });

  it('refuse an invalid mapping with the expression error', async () => {
    const invalid = await h.t.app.inject({ method: 'POST', url: '/v1/sources', headers: withKey(ws.adminKey), payload: topicSource('bad-mapping', { mapping: { externalId: '$string(id', contact: '{' } }) });
    expect(invalid.statusCode).toBe(400);
    const fields = invalid.json<{ errors: { field: string; reason: string }[] }>().errors.map((error) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['body.mapping.externalId', 'body.mapping.contact']));
  });

  it('preview a mapping on stored payloads without saving anything', async () => {
    h.workato.publish('100', Array.from({ length: 40 }, (_, i) => topicPayload(i)));
    const source = await createSource(h.t.app, ws, topicSource('previewed', { backfillEnabled: true }));
    await h.connect(ws);
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed');
    const contactsBefore = await h.t.db.contact.count({ where: { workspaceId: ws.id } });

    const mapping = {
      externalId: '$string(id)',
      contact: '{"email": email, "firstName": $uppercase(first_name), "attributes": {"PLAN": plan, "SEGMENT": plan = "free" ? "trial" : "paying"}}',
      events: '{"name": "customer_synced", "eventId": "sync-" & id, "occurredAt": updated_at, "contact": {"externalId": $source & ":" & id}}',
      tajoOnly: '{"sourceObject": $objectId}',
    };
    const preview = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${source.id}/mapping/preview`, headers: withKey(ws.readKey), payload: { mapping, limit: 40 } });
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json<{ data: { objectId: string; contact: Record<string, unknown> | null; events: Record<string, unknown>[]; tajoOnly: unknown; errors: { field: string }[] }[]; counts: { mapped: number; deadLettered: number } }>();
    expect(body.data).toHaveLength(40);
    // Payload 7 (every 33rd from 7) carries an email no one can fix.
    expect(body.counts).toEqual({ mapped: 39, deadLettered: 1 });
    const good = body.data.find((record) => record.errors.length === 0)!;
    expect(good.contact).toMatchObject({ firstName: expect.stringMatching(/^NAME\d+$/), attributes: { SEGMENT: 'trial' } });
    expect(good.events[0]).toMatchObject({ name: 'customer_synced' });
    expect(good.tajoOnly).toEqual({ sourceObject: good.objectId });
    expect(body.data.find((record) => record.errors.length > 0)!.errors[0]!.field).toBe('contact.email');

    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id } })).toBe(contactsBefore);
    expect((await h.t.db.source.findUniqueOrThrow({ where: { id: source.id } })).mappingVersion).toBe(1);
    const saved = await h.t.app.inject({ method: 'PATCH', url: `/v1/sources/${source.id}`, headers: withKey(ws.adminKey), payload: { mapping } });
    expect(saved.json()).toMatchObject({ mappingVersion: 2 });
  });
});
