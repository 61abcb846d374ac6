import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { BrevoSpecValidator, brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import type { BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { ZSendTransacEmail } from '../../api/src/simulators/brevo/schemas.ts';

let harness: ActivationHarness;
let t: TestApp;
let brevo: BrevoSimulator;

beforeAll(async () => {
  harness = await startActivationHarness();
  ({ t, brevo } = harness);
  brevo.state.mailer.templates.add(12);
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(() => brevo.setFaults({}));

const settle = () => harness.settle(120_000);

async function post(ws: TestWorkspace, url: string, payload: object, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url, headers: withKey(ws.writeKey, headers), payload });
}

async function contact(ws: TestWorkspace, externalId: string, email?: string) {
  const response = await post(ws, '/v1/contacts/upsert', { externalId, ...(email ? { email } : { phone: '+14155550199' }), firstName: 'Ada' });
  expect(response.statusCode, response.body).toBeLessThan(300);
}

const sentTo = (email: string) => brevo.state.mailer.sent.filter((sent) => sent.to.some((to) => to.email === email));

describe('transactional email by template', () => {
  it('sends once, from the template, to the contact, and records Brevo’s message ID', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    await contact(ws, 'tx:1', 'Buyer@Example.com');
    const queued = await post(ws, '/v1/messages/transactional', { to: { externalId: 'tx:1' }, templateId: 12, params: { ORDER: 'A-1001' } });
    expect(queued.statusCode, queued.body).toBe(202);
    const message = queued.json<{ id: string; status: string }>();
    expect(message.status).toBe('queued');
    await settle();
    expect(sentTo('buyer@example.com')).toEqual([
      { messageId: expect.any(String), templateId: 12, to: [{ email: 'buyer@example.com', name: 'Ada' }], params: { ORDER: 'A-1001' }, idempotencyKey: message.id },
    ]);
    const read = await t.app.inject({ method: 'GET', url: `/v1/messages/${message.id}`, headers: withKey(ws.readKey) });
    expect(read.json()).toMatchObject({ status: 'sent', brevoMessageId: sentTo('buyer@example.com')[0]!.messageId });

    // Replayed by a crash-retried job before Tajo recorded the answer: Brevo recognises the key.
    await t.db.message.update({ where: { id: message.id }, data: { status: 'queued', brevoMessageId: null } });
    await t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'message', entityId: message.id, operation: 'send', entityVersion: 1 } });
    await settle();
    expect(sentTo('buyer@example.com')).toHaveLength(1);
    // Once sent, never sent again.
    await t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'message', entityId: message.id, operation: 'send', entityVersion: 1 } });
    const requests = brevo.state.count();
    await settle();
    expect(brevo.state.count()).toBe(requests);

    const other = await createWorkspace(t.app);
    expect((await t.app.inject({ method: 'GET', url: `/v1/messages/${message.id}`, headers: withKey(other.readKey) })).statusCode).toBe(404);
  });

  it('sends each of many messages exactly once under 20% 429s and 5% 5xx; an Idempotency-Key makes a re-sent request one message', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    for (let i = 0; i < 30; i += 1) await contact(ws, `load:${i}`, `load${i}@example.com`);
    await settle();
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05 });
    for (let i = 0; i < 30; i += 1) {
      const payload = { to: { externalId: `load:${i}` }, templateId: 12 };
      const first = await post(ws, '/v1/messages/transactional', payload, { 'idempotency-key': `send-${i}` });
      const again = await post(ws, '/v1/messages/transactional', payload, { 'idempotency-key': `send-${i}` });
      expect(again.json()).toEqual(first.json());
    }
    await settle();
    brevo.setFaults({});
    for (let i = 0; i < 30; i += 1) expect(sentTo(`load${i}@example.com`)).toHaveLength(1);
    expect(await t.db.message.count({ where: { workspaceId: ws.id, status: 'sent' } })).toBe(30);
  }, 120_000);

  it('does not send again once Brevo no longer recognises the key of an attempt with no known outcome', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    await contact(ws, 'tx:old', 'old@example.com');
    const message = (await post(ws, '/v1/messages/transactional', { to: { externalId: 'tx:old' }, templateId: 12 })).json<{ id: string }>();
    await settle();
    // As if the first attempt, 20 minutes ago, died with the process before Brevo's answer was recorded.
    await t.db.message.update({ where: { id: message.id }, data: { status: 'queued', brevoMessageId: null, attemptedAt: new Date(Date.now() - 20 * 60 * 1000) } });
    await t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'message', entityId: message.id, operation: 'send', entityVersion: 1 } });
    await settle();
    expect(sentTo('old@example.com')).toHaveLength(1);
    const letter = await t.db.deadLetter.findFirstOrThrow({ where: { workspaceId: ws.id, entityType: 'message', entityId: message.id } });
    expect(letter.reason).toContain('outcome is unknown');
    expect((await t.db.message.findUniqueOrThrow({ where: { id: message.id } })).status).toBe('failed');
  });

  it('dead-letters a template Brevo does not have, and sends it when retried after the template exists', async () => {
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    await contact(ws, 'tx:tpl', 'tpl@example.com');
    const message = (await post(ws, '/v1/messages/transactional', { to: { externalId: 'tx:tpl' }, templateId: 99 })).json<{ id: string }>();
    await settle();
    const letter = await t.db.deadLetter.findFirstOrThrow({ where: { workspaceId: ws.id, entityType: 'message' } });
    expect(letter).toMatchObject({ entityId: message.id, category: 'mapping' });
    brevo.state.mailer.templates.add(99);
    expect((await post(ws, `/v1/dead-letters/${letter.id}/retry`, {})).json()).toMatchObject({ status: 'retried' });
    await settle();
    expect(sentTo('tpl@example.com')).toMatchObject([{ templateId: 99 }]);
  });

  it('refuses a recipient that is unknown or has no email, with problem+json', async () => {
    const ws = await createWorkspace(t.app);
    await contact(ws, 'tx:phone-only');
    const unknown = await post(ws, '/v1/messages/transactional', { to: { externalId: 'tx:nobody' }, templateId: 12 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json()).toMatchObject({ errors: [{ field: 'body.to', reason: 'no contact with this external ID in the workspace' }] });
    const noEmail = await post(ws, '/v1/messages/transactional', { to: { externalId: 'tx:phone-only' }, templateId: 12 });
    expect(noEmail.json()).toMatchObject({ status: 400, errors: [{ field: 'body.to', reason: 'the contact has no email address' }] });
    expect((await post(ws, '/v1/messages/transactional', { to: { externalId: 'tx:phone-only' }, templateId: 0 })).statusCode).toBe(400);
    expect(await t.db.message.count({ where: { workspaceId: ws.id } })).toBe(0);
  });
});

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('POST /v3/smtp/email: the simulator accepts exactly the properties the spec names', () => {
    const validator = new BrevoSpecValidator();
    const spec = validator.resolve(validator.requestSchema('POST', '/v3/smtp/email')!);
    expect(Object.keys(ZSendTransacEmail.shape).sort()).toEqual(Object.keys(spec.properties as object).sort());
  });

  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
