import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { ZCreateBatchEvents, ZCreateEvent } from '../../api/src/simulators/brevo/schemas.ts';
import { ADDED_OPERATIONS, BrevoSpecValidator, brevoSpecAvailable } from '../support/brevo-spec.ts';

const KEY = 'xkeysib-simulator-events';
let brevo: BrevoSimulator;
beforeAll(async () => {
  brevo = await startBrevoSimulator({ apiKeys: [KEY] });
});
afterAll(() => brevo.close());

const call = (path: string, body: unknown) =>
  fetch(`${brevo.baseUrl}${path}`, { method: 'POST', headers: { 'api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe("the simulator's events endpoints", () => {
  it('records one event (204) and refuses what Brevo refuses with 400 {code, message}', async () => {
    const sent = await call('/events', { event_name: 'video_played', identifiers: { email_id: 'jane@example.com' }, event_properties: { duration: 142, autoplayed: false } });
    expect(sent.status).toBe(204);
    expect(brevo.state.events.at(-1)).toMatchObject({ event_name: 'video_played', identifiers: { email_id: 'jane@example.com' }, event_properties: { duration: 142 } });
    for (const invalid of [
      { event_name: 'video played', identifiers: { email_id: 'jane@example.com' } },
      { event_name: 'video_played', identifiers: {} },
      { event_name: 'video_played', identifiers: { email_id: 'not-an-email' } },
      { event_name: 'video_played', identifiers: { ext_id: 'x' }, event_properties: { 'bad key': 1 } },
    ]) {
      const refused = await call('/events', invalid);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ code: 'invalid_parameter' });
    }
  });

  it('accepts a batch (202), reports per-event refusals (207) and refuses a batch with nothing valid (400)', async () => {
    const before = brevo.state.events.length;
    const all = await call('/events/batch', { events: [{ event_name: 'a', identifiers: { ext_id: 'e1' } }, { event_name: 'b', identifiers: { ext_id: 'e2' } }] });
    expect(all.status).toBe(202);
    expect(await all.json()).toMatchObject({ count: 2 });

    // ext_id and email_id of two different contacts: Brevo cannot attribute the event.
    brevo.state.write({ email: 'one@example.com', extId: 'c-one' }, true);
    brevo.state.write({ email: 'two@example.com', extId: 'c-two' }, true);
    const partial = await call('/events/batch', {
      events: [
        { event_name: 'c', identifiers: { ext_id: 'c-one', email_id: 'one@example.com' } },
        { event_name: 'c', identifiers: { ext_id: 'c-one', email_id: 'two@example.com' } },
        { event_name: 'bad name', identifiers: { ext_id: 'c-one' } },
      ],
    });
    expect(partial.status).toBe(207);
    const body = (await partial.json()) as { errors: { eventIndex: number[] }[] };
    expect(body).toMatchObject({ total_events: 3, successful_events: 1, failed_events: 2 });
    expect(body.errors.flatMap((error) => error.eventIndex).sort()).toEqual([1, 2]);
    expect(brevo.state.events.length).toBe(before + 3);

    const none = await call('/events/batch', { events: [{ event_name: 'bad name', identifiers: { ext_id: 'x' } }] });
    expect(none.status).toBe(400);
    const tooMany = await call('/events/batch', { events: Array.from({ length: 201 }, () => ({ event_name: 'a', identifiers: { ext_id: 'x' } })) });
    expect(tooMany.status).toBe(400);
    expect(brevo.state.events.length).toBe(before + 3);
  });
});

describe.runIf(brevoSpecAvailable)("the events schemas against Brevo's published spec", () => {
  const validator = brevoSpecAvailable ? new BrevoSpecValidator() : null;

  it('POST /v3/events accepts exactly the properties the spec names', () => {
    const spec = validator!.resolve(validator!.requestSchema('POST', '/v3/events')!);
    expect(Object.keys(ZCreateEvent.shape).sort()).toEqual(Object.keys(spec.properties as object).sort());
  });

  it('POST /v3/events/batch is missing from the published spec: the simulator adds it, each item being the spec\'s event', () => {
    expect(validator!.inPublishedSpec('POST', '/v3/events/batch')).toBe(false);
    expect(Object.keys(ADDED_OPERATIONS)).toEqual(['post /events/batch']);
    expect(Object.keys(ZCreateBatchEvents.shape)).toEqual(['events']);
    validator!.check({ method: 'POST', route: '/v3/events/batch', body: { events: [{ event_name: 'a', identifiers: { ext_id: 'x' } }] } });
    validator!.check({ method: 'POST', route: '/v3/events/batch', body: { events: [{ event_name: 'a' }] } });
    expect(validator!.violations).toHaveLength(1);
    validator!.violations.length = 0;
  });

  it("takes decimals and booleans in event properties, as Brevo's reference does (the spec's types omit them)", () => {
    const body = { event_name: 'a', identifiers: { ext_id: 'x' }, event_properties: { price: 9.5, gift: true } };
    validator!.check({ method: 'POST', route: '/v3/events', body });
    expect(validator!.violations).toEqual([]);
    const published = new BrevoSpecValidator({ relax: false });
    published.check({ method: 'POST', route: '/v3/events', body });
    expect(published.violations).toHaveLength(1);
  });
});
