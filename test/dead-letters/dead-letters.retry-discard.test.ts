/**
 * Retry and discard are idempotent by themselves, with or without an Idempotency-Key: a letter is
 * handled once, and asking again answers what was done instead of doing it again, even when the
 * two requests race.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';

interface HandledLetter {
  result: string;
}

type Action = 'retry' | 'discard';

const act = (app: TestApp['app'], ws: TestWorkspace, id: string, action: Action, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/v1/dead-letters/${id}/${action}`, headers: withKey(ws.writeKey, headers) });

describe('a letter Brevo refused, retried twice before the cause is fixed', () => {
  let h: ActivationHarness;

  beforeAll(async () => {
    h = await startActivationHarness();
  }, 120_000);
  afterAll(() => h?.close());

  it('is sent once more and written once more: the second retry re-queues nothing', async () => {
    const ws = await createWorkspace(h.t.app);
    await h.connect(ws);
    const upsert = async (payload: object) => {
      const response = await h.t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json<{ contact: { id: string } }>().contact;
    };
    // Brevo keeps SMS unique: it refuses the second contact with the first one's phone.
    await upsert({ externalId: 'twice:1', email: 'twice1@example.com', phone: '+14155550931' });
    await h.settle();
    const refused = await upsert({ externalId: 'twice:2', email: 'twice2@example.com', phone: '+14155550931' });
    await h.settle();
    const [letter, ...none] = await h.t.db.deadLetter.findMany({ where: { workspaceId: ws.id } });
    expect(none).toEqual([]);
    expect(letter).toMatchObject({ entityId: refused.id, category: 'mapping' });
    const refusals = () => h.brevo.state.count((request) => request.route.startsWith('/v3/contacts') && request.status === 400);
    const refusedOnce = refusals();
    expect(refusedOnce).toBeGreaterThan(0);

    const [first, second] = [await act(h.t.app, ws, letter!.id, 'retry'), await act(h.t.app, ws, letter!.id, 'retry')];
    await h.settle();

    expect(await h.t.db.activationOutbox.count({ where: { workspaceId: ws.id, entityId: refused.id, replay: true } })).toBe(1);
    // Sent again as the first time, once, and refused again: one new letter.
    expect(refusals()).toBe(2 * refusedOnce);
    const open = await h.t.db.deadLetter.findMany({ where: { workspaceId: ws.id, status: 'open' } });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ entityId: refused.id, occurrences: 1 });
    expect(open[0]!.id).not.toBe(letter!.id);
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.json()).toMatchObject({ id: letter!.id, status: 'retried', result: 'retried' });
    expect(second.json()).toMatchObject({ id: letter!.id, status: 'retried', result: 'already_retried' });
  }, 60_000);
});

describe('retry and discard asked again', () => {
  let t: TestApp;
  let ws: TestWorkspace;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app);
  });
  afterAll(() => t?.close());

  /** An open letter about a live contact of the workspace; no workers run here, so what a retry queues stays in the outbox. */
  async function openLetter() {
    const externalId = `again:${randomUUID()}`;
    const contact = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId, email: `${externalId.slice(6)}@example.com` } });
    expect(contact.statusCode, contact.body).toBe(201);
    const entityId = contact.json<{ contact: { id: string } }>().contact.id;
    const letter = await t.app.services.deadLetters.record({ workspaceId: ws.id, entityType: 'contact', entityId, sourceObjectId: externalId, category: 'mapping', reason: 'test: Brevo refused it', request: {}, response: null });
    return { id: letter.id, entityId };
  }
  const requeued = (entityId: string) => t.db.activationOutbox.count({ where: { workspaceId: ws.id, entityId, replay: true } });

  it('retried again: answers the retried letter and that it already was, without queuing it again (with or without a new Idempotency-Key)', async () => {
    const letter = await openLetter();
    const first = await act(t.app, ws, letter.id, 'retry');
    const again = [await act(t.app, ws, letter.id, 'retry'), await act(t.app, ws, letter.id, 'retry', { 'idempotency-key': randomUUID() })];
    expect(await requeued(letter.entityId)).toBe(1);
    expect(first.json()).toMatchObject({ status: 'retried', result: 'retried' });
    for (const answer of again) {
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json()).toMatchObject({ id: letter.id, status: 'retried', result: 'already_retried' });
    }
  });

  it('retried by racing requests: one re-queues, the others answer already_retried', async () => {
    const letter = await openLetter();
    const answers = await Promise.all(Array.from({ length: 6 }, () => act(t.app, ws, letter.id, 'retry')));
    expect(await requeued(letter.entityId)).toBe(1);
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(6).fill(200));
    expect(answers.map((answer) => answer.json<HandledLetter>().result).sort()).toEqual(['already_retried', 'already_retried', 'already_retried', 'already_retried', 'already_retried', 'retried']);
  });

  it('discarded again, or by racing requests: one discards, the others answer already_discarded', async () => {
    const letter = await openLetter();
    const answers = await Promise.all(Array.from({ length: 4 }, () => act(t.app, ws, letter.id, 'discard')));
    expect(answers.map((answer) => answer.json<HandledLetter>().result).sort()).toEqual(['already_discarded', 'already_discarded', 'already_discarded', 'discarded']);
    const again = await act(t.app, ws, letter.id, 'discard');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ id: letter.id, status: 'discarded', result: 'already_discarded' });
    expect(await requeued(letter.entityId)).toBe(0);
  });

  it('handled the other way already: 409, problem+json saying how it was handled', async () => {
    const discarded = await openLetter();
    expect((await act(t.app, ws, discarded.id, 'discard')).statusCode).toBe(200);
    const retry = await act(t.app, ws, discarded.id, 'retry');
    expect(retry.statusCode).toBe(409);
    expect(retry.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(retry.json()).toMatchObject({ type: 'conflict', status: 409, detail: 'The dead letter was discarded; it cannot be retried.' });
    expect(await requeued(discarded.entityId)).toBe(0);

    const retried = await openLetter();
    expect((await act(t.app, ws, retried.id, 'retry')).statusCode).toBe(200);
    const discard = await act(t.app, ws, retried.id, 'discard');
    expect(discard.statusCode).toBe(409);
    expect(discard.json()).toMatchObject({ type: 'conflict', status: 409, detail: 'The dead letter was retried; it cannot be discarded.' });
    expect((await t.app.inject({ method: 'GET', url: `/v1/dead-letters/${retried.id}`, headers: withKey(ws.readKey) })).json()).toMatchObject({ status: 'retried' });
  });

  it('of a record gone from Tajo: 409, and the letter stays open', async () => {
    const letter = await t.app.services.deadLetters.record({ workspaceId: ws.id, entityType: 'contact', entityId: randomUUID(), sourceObjectId: 'gone:1', category: 'mapping', reason: 'test: gone', request: {}, response: null });
    const retry = await act(t.app, ws, letter.id, 'retry');
    expect(retry.statusCode).toBe(409);
    expect(retry.json()).toMatchObject({ type: 'conflict', detail: 'The record behind this dead letter no longer exists in Tajo.' });
    expect((await t.db.deadLetter.findUniqueOrThrow({ where: { id: letter.id } })).status).toBe('open');
  });

  it("of another workspace's letter, or none: 404", async () => {
    const letter = await openLetter();
    const other = await createWorkspace(t.app);
    for (const action of ['retry', 'discard'] as const) {
      expect((await act(t.app, other, letter.id, action)).statusCode).toBe(404);
      expect((await act(t.app, ws, randomUUID(), action)).statusCode).toBe(404);
    }
    expect((await t.db.deadLetter.findUniqueOrThrow({ where: { id: letter.id } })).status).toBe('open');
  });
});
