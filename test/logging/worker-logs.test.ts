import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_CATEGORIES } from '../../api/src/errors/problem.ts';
import { BrevoError } from '../../api/src/simulators/brevo/server.ts';
import { BREVO_KEY } from '../support/activation.ts';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { messyContacts } from '../support/messy-contacts.ts';
import { createSource, startJob, startSyncHarness, TOPIC_MAPPING, topicPayload, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';
import { waitFor } from '../support/worker.ts';

// Real flows with every log line captured: API requests, a sync job on the Workato simulator (a
// 429, a mapping dead letter, then a 401) and Brevo activation with refusals quoting an email and
// a phone. Every line must be JSON, tagged, categorized when it reports a failure, and free of the
// data set's emails and phones and of every credential.
type Line = Record<string, unknown> & { level: number; msg?: string };

const lines: string[] = [];
const parsed = () => lines.map((line) => JSON.parse(line) as Line);
const TOPIC = '4242';
const topicRecords = Array.from({ length: 40 }, (_, i) => topicPayload(i));
const messy = messyContacts(10);
// Brevo refuses two contacts quoting what identifies them, as its answers do (and others, whose phone another contact has).
const refusals: Record<string, (body: { email?: string; attributes?: { SMS?: string } }) => string> = {
  'shop-customers:cust-3': (body) => `Invalid email address ${body.email}`,
  'crm:C-0': (body) => `Invalid phone number ${body.attributes?.SMS}`,
};

let h: SyncHarness;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startSyncHarness(
    {},
    {
      logStream: { write: (line: string) => void lines.push(line) },
      brevo: {
        onRequest({ method, route, body }) {
          const refusal = method === 'POST' && route === '/v3/contacts' ? refusals[(body as { ext_id?: string }).ext_id ?? ''] : undefined;
          if (refusal) throw new BrevoError(400, 'invalid_parameter', refusal(body as never));
        },
      },
    },
  );
  ws = await createWorkspace(h.t.app, { defaultPhoneRegion: 'US' });
  await h.connect(ws);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('worker and request logs', () => {
  it('tag sync, activation and request lines, categorize failures, and never hold personal data or credentials', async () => {
    const app = h.t.app;
    const batch = await app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records: messy.map((c) => c.record) } });
    expect(batch.statusCode, batch.body).toBe(200);
    await app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { email: 'broken' } });
    // Activated apart from the topic's contacts: together they would make one import, which these refusals do not reach.
    await h.settle(15_000);

    h.workato.publish(TOPIC, topicRecords);
    const source = await createSource(app, ws, {
      kind: 'event_stream',
      name: 'shop-customers',
      dataCenter: 'eu',
      token: WORKATO_TOKEN,
      eventStream: { topicId: TOPIC, longPollSeconds: 1 },
      mapping: TOPIC_MAPPING,
      backfillEnabled: true,
    });
    // Every request answered 429 until the client has seen one; its retry (after Retry-After) goes through.
    h.workato.setFaults({ rateLimited: 1 });
    const backfill = await startJob(app, ws, source.id, { kind: 'backfill' });
    await waitFor(() => parsed().some((line) => line.category === 'rate_limited'), 10_000, 'a Workato 429');
    h.workato.setFaults({});
    await waitForJob(app, ws, backfill.id, (job) => job.status === 'completed', 15_000);
    await h.settle(15_000);

    h.workato.revokeToken(WORKATO_TOKEN);
    const incremental = await startJob(app, ws, source.id, { kind: 'incremental' });
    await waitForJob(app, ws, incremental.id, (job) => job.status === 'failed', 15_000);

    const log = lines.join('');
    const all = parsed();
    const sync = (jobId: string, fields: Record<string, unknown>) => all.find((line) => line.syncJobId === jobId && Object.entries(fields).every(([key, value]) => line[key] === value));
    const bound = { workspaceId: ws.id, sourceId: source.id };
    expect(sync(backfill.id, { ...bound, category: 'rate_limited' })?.msg).toMatch(/429/);
    expect(sync(backfill.id, { ...bound, category: 'mapping', deadLettered: 1 })).toBeDefined();
    expect(sync(backfill.id, { ...bound, msg: 'sync job completed' })).toBeDefined();
    expect(sync(incremental.id, { ...bound, category: 'authentication', level: 50 })?.msg).toMatch(/sync job failed/);
    // Whatever names a source or a sync job names all three.
    for (const line of all.filter((l) => l.sourceId !== undefined || l.syncJobId !== undefined)) {
      expect(line, JSON.stringify(line)).toMatchObject({ workspaceId: ws.id, sourceId: source.id, syncJobId: expect.any(String) });
    }

    // Brevo's refusals are logged with their category and reason, masked.
    const refused = all.filter((line) => line.msg === 'activation dead-lettered');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const line of refused) expect(line).toMatchObject({ workspaceId: ws.id, category: 'mapping' });
    const reasons = refused.map((line) => String(line.reason));
    expect(reasons).toContainEqual(expect.stringContaining('Invalid email address c***@example.com'));
    expect(reasons).toContainEqual(expect.stringContaining('Invalid phone number +***71'));

    const requests = all.filter((line) => line.req !== undefined || line.res !== undefined);
    expect(requests.length).toBeGreaterThan(0);
    for (const line of requests) expect(line.requestId).toEqual(expect.any(String));
    expect(all.some((line) => line.category === 'validation' && line.workspaceId === ws.id && typeof line.requestId === 'string')).toBe(true);

    for (const line of all.filter((l) => l.level >= 40 || l.err !== undefined)) expect(PROBLEM_CATEGORIES, JSON.stringify(line)).toContain(line.category);

    const personal = [
      ...topicRecords.flatMap((record) => [String(record.email).trim(), String(record.email).trim().toLowerCase()]),
      ...messy.flatMap(({ record, expected }) => [String(record.email).trim(), String(record.phone), ...(expected.status === 'created' ? [expected.email!, expected.phone!] : [])]),
    ].filter((value) => value.includes('@') || /\d{6}/.test(value.replace(/\D/g, '')));
    for (const value of personal) expect(log, value).not.toContain(value);
    for (const secret of [WORKATO_TOKEN, BREVO_KEY, ws.adminKey, ws.writeKey, ws.readKey]) expect(log).not.toContain(secret);
  }, 60_000);
});
