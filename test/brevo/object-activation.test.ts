import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { connectedWithType, contactsBatch, deadLetters, defineType, objectUpserts, post } from './object-activation.support.ts';

// Custom objects reach Brevo's objects API: records once their Brevo type exists, associations
// once both ends are in Brevo. An association's other end gets 3 s to arrive here, and types are
// read back from Brevo 10 records a page, so a few dozen records span many pages.
const DEADLINE_MS = 3_000;
const PAGE = 10;

let h: ActivationHarness;

beforeAll(async () => {
  h = await startActivationHarness({}, { objects: { associationDeadlineMs: DEADLINE_MS, readBackPageSize: PAGE } });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

afterEach(() => h.brevo.setFaults({}));

describe('object activation', () => {
  it('activates records and their associations to contacts, exactly, and skips what Brevo has', async () => {
    const ws = await connectedWithType(h, 'plan', ['tier']);
    await contactsBatch(h, ws, [1, 2, 3]);
    await post(h, ws, '/v1/objects/plan/records/batch', {
      records: [1, 2, 3].map((i) => ({ attributes: { code: `P-${i}`, tier: `t${i}` }, associations: [{ objectType: 'contact', externalId: `crm:${i}` }, { objectType: 'contact', externalId: `crm:${(i % 3) + 1}` }] })),
    });
    await h.settle();
    const records = h.brevo.state.objects.records('plan');
    expect(records).toHaveLength(3);
    for (const i of [1, 2, 3]) {
      const record = h.brevo.state.objects.byExtId('plan', `P-${i}`)!;
      expect(record.attributes).toEqual({ code: `P-${i}`, tier: `t${i}` });
      const linked = [...(record.associations.get('contact') ?? [])].map((id) => [...h.brevo.state.contacts.values()].find((c) => c.id === id)?.extId).sort();
      expect(linked).toEqual([`crm:${i}`, `crm:${(i % 3) + 1}`].sort());
    }
    expect(await deadLetters(h, ws)).toEqual([]);

    const before = objectUpserts(h);
    await post(h, ws, '/v1/objects/plan/records/batch', { records: [1, 2, 3].map((i) => ({ attributes: { code: `P-${i}`, tier: `t${i}` } })) });
    await h.settle();
    expect(objectUpserts(h)).toBe(before);
  }, 60_000);

  it('backfills records and associations written before Brevo was connected, once it is, and a second backfill queues nothing', async () => {
    const ws = await createWorkspace(h.t.app);
    h.brevo.state.objects.defineType('locker', { attributes: { code: 'text', size: 'text' }, associations: ['contact'] });
    await defineType(h, ws, 'locker', ['size']);
    await contactsBatch(h, ws, [41, 42]);
    await post(h, ws, '/v1/objects/locker/records/batch', {
      records: [41, 42].map((i) => ({ attributes: { code: `L-${i}`, size: 'M' }, associations: [{ objectType: 'contact', externalId: `crm:${i}` }] })),
    });
    // Their activation ran and found no Brevo account: nothing was sent.
    await h.settle();
    expect(h.brevo.state.objects.records('locker')).toHaveLength(0);

    await h.connect(ws);
    await h.settle();
    for (const i of [41, 42]) {
      const record = h.brevo.state.objects.byExtId('locker', `L-${i}`)!;
      expect(record.attributes).toEqual({ code: `L-${i}`, size: 'M' });
      const linked = [...(record.associations.get('contact') ?? [])].map((id) => [...h.brevo.state.contacts.values()].find((c) => c.id === id)?.extId);
      expect(linked).toEqual([`crm:${i}`]);
    }
    expect(await deadLetters(h, ws)).toEqual([]);
    const again = await h.t.app.inject({ method: 'POST', url: '/v1/brevo/backfill', headers: withKey(ws.writeKey) });
    expect(again.json()).toEqual({ queued: 0, lists: 0, objects: 0 });
  }, 60_000);

  it('dead-letters records of a Brevo object type that does not exist, naming it (category mapping), and sends them on retry once it does', async () => {
    const ws = await createWorkspace(h.t.app);
    await h.connect(ws);
    await defineType(h, ws, 'booking', []);
    // The type's smoke test says so before anything is sent.
    const check = () => h.t.app.inject({ method: 'POST', url: '/v1/object-types/booking/brevo-check', headers: withKey(ws.readKey) });
    const failed = await check();
    expect(failed.statusCode).toBe(422);
    expect(failed.headers['content-type']).toContain('application/problem+json');
    expect(failed.json<{ type: string; detail: string }>()).toMatchObject({ type: 'mapping', detail: expect.stringContaining("Brevo has no object type 'booking'") });
    await post(h, ws, '/v1/objects/booking/records/batch', { records: [{ attributes: { code: 'B-1' } }, { attributes: { code: 'B-2' } }] });
    await h.settle();
    const letters = await deadLetters(h, ws);
    expect(letters).toHaveLength(2);
    for (const letter of letters) {
      expect(letter).toMatchObject({ entityType: 'object_record', category: 'mapping' });
      expect(letter.reason).toContain("Brevo has no object type 'booking'");
    }
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual(['B-1', 'B-2']);

    // Once the type is made in Brevo, the smoke test passes and retrying the dead letters sends the records.
    h.brevo.state.objects.defineType('booking', { attributes: { code: 'text' } });
    expect((await check()).json()).toEqual({ objectType: 'booking', brevoObjectType: 'booking', attributes: { unknownToBrevo: [], confirmed: [], unchecked: ['code'] }, checkedAt: null });
    for (const letter of letters) expect((await h.t.app.inject({ method: 'POST', url: `/v1/dead-letters/${letter.id}/retry`, headers: withKey(ws.adminKey) })).statusCode).toBe(200);
    await h.settle();
    expect(h.brevo.state.objects.records('booking').map((record) => record.extId).sort()).toEqual(['B-1', 'B-2']);
    expect(await deadLetters(h, ws)).toEqual([]);
  }, 60_000);

  it('reports the attributes Brevo drops instead of losing them quietly', async () => {
    const ws = await connectedWithType(h, 'device', ['model', 'firmware'], { inBrevo: ['model'], associations: [] });
    await post(h, ws, '/v1/objects/device/records/batch', {
      records: [{ attributes: { code: 'D-1', model: 'x', firmware: '1.2' } }, { attributes: { code: 'D-2', model: 'y' } }],
    });
    await h.settle();
    expect(h.brevo.state.objects.byExtId('device', 'D-1')!.attributes).toEqual({ code: 'D-1', model: 'x' });
    const letters = await deadLetters(h, ws);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ entityType: 'object_record', category: 'mapping', sourceObjectId: 'D-1' });
    expect(letters[0]!.reason).toContain("Brevo's object type 'device' has no attribute firmware");
    const check = await h.t.app.inject({ method: 'POST', url: '/v1/object-types/device/brevo-check', headers: withKey(ws.readKey) });
    expect(check.json()).toMatchObject({ brevoObjectType: 'device', attributes: { unknownToBrevo: ['firmware'], confirmed: ['code', 'model'], unchecked: [] } });

    // Known now: a later record with the attribute is reported without reading Brevo back.
    await post(h, ws, '/v1/objects/device/records/batch', { records: [{ attributes: { code: 'D-3', firmware: '2.0' } }] });
    await h.settle();
    expect((await deadLetters(h, ws)).map((letter) => letter.sourceObjectId).sort()).toEqual(['D-1', 'D-3']);
  }, 60_000);

  it('finds out an attribute first sent on records far from the newest pages, and reports every record that lost it', async () => {
    const ws = await connectedWithType(h, 'car', ['color', 'trim'], { inBrevo: ['color'] });
    const car = (i: number, trim?: string) => ({ attributes: { code: `C-${String(i).padStart(3, '0')}`, color: 'red', ...(trim ? { trim } : {}) } });
    // 100 cars, 10 pages of PAGE in Brevo (oldest first), a page at a time so each lands on its own:
    // C-035 sits on page 4, C-005 on page 1.
    for (let page = 0; page < 10; page += 1) {
      await post(h, ws, '/v1/objects/car/records/batch', { records: Array.from({ length: PAGE }, (_, i) => car(page * PAGE + i)) });
      await h.settle();
    }
    expect(await deadLetters(h, ws)).toEqual([]);
    const reads = () => h.brevo.state.count((r) => r.method === 'GET' && r.route === '/v3/objects/:object_type/records');

    // Its job checks the type exists, reads page 1 for the count, then the newest 3 pages and 3
    // more (7 to 5), and does not find it: unchecked, not reported yet.
    let before = reads();
    await post(h, ws, '/v1/objects/car/records', car(35, 'sport'));
    await h.settle();
    expect(reads() - before).toBe(1 + 1 + 3 + 3);
    expect(await deadLetters(h, ws)).toEqual([]);
    const check = await h.t.app.inject({ method: 'POST', url: '/v1/object-types/car/brevo-check', headers: withKey(ws.readKey) });
    expect(check.json()).toMatchObject({ attributes: { unchecked: ['trim'] } });

    // The next job goes on from page 4, finds C-035 there without trim, and reports both cars.
    before = reads();
    await post(h, ws, '/v1/objects/car/records', car(5, 'base'));
    await h.settle();
    expect(reads() - before).toBe(1 + 1 + 3 + 1);
    const letters = await deadLetters(h, ws);
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual(['C-005', 'C-035']);
    for (const letter of letters) expect(letter).toMatchObject({ entityType: 'object_record', category: 'mapping', reason: `Brevo's object type 'car' has no attribute trim: Brevo dropped it from car ${letter.sourceObjectId} (create it in Brevo, then retry)` });

    // Known now: a later car with trim is reported without reading Brevo back (only the type check).
    before = reads();
    await post(h, ws, '/v1/objects/car/records', car(99, 'gt'));
    await h.settle();
    expect(reads() - before).toBe(1);
    expect((await deadLetters(h, ws)).map((letter) => letter.sourceObjectId).sort()).toEqual(['C-005', 'C-035', 'C-099']);

    // Retrying one letter (trim still missing in Brevo) finds trim out again: that car is reported
    // anew, and the cars whose letters are still open are not reported twice.
    const retried = (await deadLetters(h, ws)).find((letter) => letter.sourceObjectId === 'C-005')!;
    expect((await h.t.app.inject({ method: 'POST', url: `/v1/dead-letters/${retried.id}/retry`, headers: withKey(ws.adminKey) })).statusCode).toBe(200);
    await h.settle();
    const open = await deadLetters(h, ws);
    expect(open.map((letter) => letter.sourceObjectId).sort()).toEqual(['C-005', 'C-035', 'C-099']);
    expect(open.find((letter) => letter.sourceObjectId === 'C-005')!.id).not.toBe(retried.id);
  }, 60_000);

  it('reports a dropped attribute of a record updated together with a new link, whichever of the two goes first', async () => {
    const ws = await connectedWithType(h, 'boat', ['hull'], { inBrevo: [] });
    await contactsBatch(h, ws, [61]);
    await post(h, ws, '/v1/objects/boat/records/batch', { records: [{ attributes: { code: 'B-1' } }, { attributes: { code: 'B-2', hull: 'wood' } }] });
    await h.settle();
    // Brevo's boat has no hull: known now.
    expect((await deadLetters(h, ws)).map((letter) => letter.sourceObjectId)).toEqual(['B-2']);

    await post(h, ws, '/v1/objects/boat/records', { attributes: { code: 'B-1', hull: 'steel' }, associations: [{ objectType: 'contact', externalId: 'crm:61' }] });
    await h.settle();
    const letters = await deadLetters(h, ws);
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual(['B-1', 'B-2']);
    expect(letters.find((letter) => letter.sourceObjectId === 'B-1')!.reason).toContain("has no attribute hull: Brevo dropped it from boat B-1");
    expect(h.brevo.state.objects.byExtId('boat', 'B-1')!.associations.get('contact')?.size).toBe(1);
  }, 60_000);

  it('dead-letters an association whose contact never reaches Brevo, naming both ends', async () => {
    const ws = await connectedWithType(h, 'subscription', []);
    await contactsBatch(h, ws, [41]);
    await post(h, ws, '/v1/objects/subscription/records/batch', {
      records: [{ attributes: { code: 'SUB-1' }, associations: [{ objectType: 'contact', externalId: 'crm:41' }, { objectType: 'contact', externalId: 'crm:42' }] }],
    });
    await h.settle(60_000);
    const letters = await deadLetters(h, ws);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ entityType: 'object_association', category: 'mapping', sourceObjectId: 'subscription SUB-1 → contact crm:42' });
    expect(letters[0]!.reason).toBe('subscription SUB-1 → contact crm:42: the contact never reached Brevo');
    const record = h.brevo.state.objects.byExtId('subscription', 'SUB-1')!;
    expect(record.associations.get('contact')?.size).toBe(1);
  }, 60_000);

  it('reports deletions and dissociations Brevo cannot carry out, instead of claiming them', async () => {
    const ws = await connectedWithType(h, 'ticket', []);
    await contactsBatch(h, ws, [7]);
    const { results } = await post<{ results: { id: string }[] }>(h, ws, '/v1/objects/ticket/records/batch', {
      records: [{ attributes: { code: 'T-1' }, associations: [{ objectType: 'contact', externalId: 'crm:7' }] }],
    });
    await h.settle();
    const url = `/v1/objects/ticket/records/${results[0]!.id}`;
    await h.t.app.inject({ method: 'DELETE', url: `${url}/associations`, headers: withKey(ws.writeKey), payload: { associations: [{ objectType: 'contact', externalId: 'crm:7' }] } });
    await h.t.app.inject({ method: 'DELETE', url, headers: withKey(ws.writeKey) });
    await h.settle();
    const reasons = (await deadLetters(h, ws)).map((letter) => letter.reason).sort();
    expect(reasons).toEqual([
      "ticket T-1 was deleted in Tajo, but Brevo's API has no way to delete an object record: delete it in Brevo by hand",
      "ticket T-1 → contact crm:7 was removed in Tajo, but Brevo's API has no way to remove an association: remove it in Brevo by hand",
    ]);
  }, 60_000);
});


describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(h.validator!.violations).toEqual([]);
  });
});
