import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withKey, type TestWorkspace } from '../support/app.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { waitFor } from '../support/worker.ts';
import { pino } from 'pino';
import { requeueChangedSince } from '../../api/src/brevo/activation.ts';
import { RECORDS_SENT } from '../../api/src/brevo/object-activation.ts';
import { createActivators } from '../../api/src/jobs/activators.ts';
import { OBJECT_RECORD_ENTITY } from '../../api/src/objects/service.ts';
import { connectedWithType, contactsBatch, deadLetters, objectUpserts, post } from './object-activation.support.ts';

// Brevo processes objects batches asynchronously, and a later batch may finish first. An older
// version landing in Brevo after a newer one must not leave Brevo holding it while Tajo counts the
// record as activated; a link landing after its dissociation ran must still be reported.
const SLOW_MS = 1_500;
/** The ext_ids whose next batch Brevo holds for SLOW_MS; every other batch is quick. */
const slowNext = new Set<string>();

let h: ActivationHarness;

beforeAll(async () => {
  h = await startActivationHarness({
    objectsDelayMs: (_type, extIds) => {
      const slow = extIds.filter((extId) => slowNext.delete(extId));
      return slow.length > 0 ? SLOW_MS : 10;
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Runs `change` once the next objects batch carrying `extId` is on its way to Brevo (and held there). */
async function whileInFlight(extId: string, send: () => Promise<unknown>, change: () => Promise<unknown>) {
  const before = objectUpserts(h);
  slowNext.add(extId);
  await send();
  await waitFor(() => objectUpserts(h) > before, 30_000, `the batch carrying ${extId} to reach Brevo`);
  expect(slowNext.has(extId), `the batch carrying ${extId} is held`).toBe(false);
  await change();
}

async function recordState(ws: TestWorkspace, type: string, externalId: string) {
  const record = await h.t.db.objectRecord.findFirstOrThrow({ where: { workspaceId: ws.id, externalId, objectType: { name: type } } });
  const state = await h.t.db.brevoObjectState.findUnique({ where: { recordId: record.id } });
  return { version: record.version, sent: state?.version };
}

describe('object activation when Brevo finishes an older batch last', () => {
  it('a record changed while its older version is in flight ends in Brevo at its newest version', async () => {
    const ws = await connectedWithType(h, 'membership', ['level']);

    await whileInFlight(
      'M-1',
      () => post(h, ws, '/v1/objects/membership/records', { attributes: { code: 'M-1', level: 'gold' } }),
      () => post(h, ws, '/v1/objects/membership/records', { attributes: { code: 'M-1', level: 'platinum' } }),
    );
    await h.settle();

    expect(h.brevo.state.objects.byExtId('membership', 'M-1')?.attributes).toEqual({ code: 'M-1', level: 'platinum' });
    expect(await recordState(ws, 'membership', 'M-1')).toEqual({ version: 2, sent: 2 });
    expect(await deadLetters(h, ws)).toEqual([]);
  }, 60_000);

  it("a link carrying its record's older attributes, landing after the record's newer version, is followed by the newer version", async () => {
    const ws = await connectedWithType(h, 'voucher', ['value']);
    await contactsBatch(h, ws, [1]);
    const { record } = await post<{ record: { id: string } }>(h, ws, '/v1/objects/voucher/records', { attributes: { code: 'V-1', value: '10' } });
    await h.settle();

    // The link is sent with the record's attributes as they are now (version 1).
    await whileInFlight(
      'V-1',
      () => post(h, ws, `/v1/objects/voucher/records/${record.id}/associations`, { associations: [{ objectType: 'contact', externalId: 'crm:1' }] }),
      () => post(h, ws, '/v1/objects/voucher/records', { attributes: { code: 'V-1', value: '20' } }),
    );
    await h.settle();

    const inBrevo = h.brevo.state.objects.byExtId('voucher', 'V-1')!;
    expect(inBrevo.attributes).toEqual({ code: 'V-1', value: '20' });
    expect(inBrevo.associations.get('contact')?.size).toBe(1);
    expect(await recordState(ws, 'voucher', 'V-1')).toEqual({ version: 2, sent: 2 });
    expect(await deadLetters(h, ws)).toEqual([]);
  }, 60_000);

  it('a record queued again goes out even when its state says Brevo has its version (the newer batch recorded its state last)', async () => {
    const ws = await connectedWithType(h, 'badge', ['color']);
    await post(h, ws, '/v1/objects/badge/records', { attributes: { code: 'G-1', color: 'blue' } });
    await post(h, ws, '/v1/objects/badge/records', { attributes: { code: 'G-1', color: 'green' } });
    await h.settle();
    expect(await recordState(ws, 'badge', 'G-1')).toEqual({ version: 2, sent: 2 });
    // What a job that sent version 1 finds when its batch landed last: Brevo holds version 1, and
    // the job of version 2 may record its state after this one queues the record again.
    h.brevo.state.objects.apply('badge', { identifiers: { ext_id: 'G-1' }, attributes: { code: 'G-1', color: 'blue' } });
    const record = await h.t.db.objectRecord.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'G-1' } });
    await requeueChangedSince(h.t.db.sql, RECORDS_SENT, ws.id, [{ id: record.id, version: 1 }]);
    await h.settle();
    expect(h.brevo.state.objects.byExtId('badge', 'G-1')?.attributes).toEqual({ code: 'G-1', color: 'green' });
    expect(await recordState(ws, 'badge', 'G-1')).toEqual({ version: 2, sent: 2 });
  }, 60_000);

  it('a retried job sends its records again (it may have failed after an older version landed) and writes its letters once', async () => {
    const ws = await connectedWithType(h, 'pass', ['zone']);
    await post(h, ws, '/v1/objects/pass/records', { attributes: { code: 'P-1', zone: 'A' } });
    const { record: gone } = await post<{ record: { id: string } }>(h, ws, '/v1/objects/pass/records', { attributes: { code: 'P-2', zone: 'B' } });
    await h.settle();
    const removed = await h.t.app.inject({ method: 'DELETE', url: `/v1/objects/pass/records/${gone.id}`, headers: withKey(ws.writeKey) });
    expect(removed.statusCode, removed.body).toBeLessThan(300);
    await h.settle();
    expect((await deadLetters(h, ws)).map((letter) => letter.sourceObjectId)).toEqual(['P-2']);

    // Brevo holds an older P-1 than its state says, and the job carrying P-1 and P-2's deletion runs again.
    h.brevo.state.objects.apply('pass', { identifiers: { ext_id: 'P-1' }, attributes: { code: 'P-1', zone: 'stale' } });
    const p1 = await h.t.db.objectRecord.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'P-1' } });
    const activator = createActivators(h.t.db, h.t.app.services, pino({ level: 'silent' }))[OBJECT_RECORD_ENTITY]!;
    const job = { workspaceId: ws.id, entityType: OBJECT_RECORD_ENTITY, items: [{ entityId: p1.id, operation: 'upsert' }, { entityId: gone.id, operation: 'delete' }] };
    expect(await activator.run(job, { jobId: 'first-run' })).toMatchObject({ activated: 0, deadLettered: 0 });
    expect(await activator.run(job, { jobId: 'retried', retryCount: 1 })).toMatchObject({ activated: 1, deadLettered: 0 });
    expect(h.brevo.state.objects.byExtId('pass', 'P-1')?.attributes).toEqual({ code: 'P-1', zone: 'A' });
    expect((await deadLetters(h, ws)).map((letter) => letter.sourceObjectId)).toEqual(['P-2']);
  }, 60_000);

  it('a dissociation that ran before its link reached Brevo is reported once the link lands, naming both ends', async () => {
    const ws = await connectedWithType(h, 'ticket', []);
    await contactsBatch(h, ws, [2]);
    const { record } = await post<{ record: { id: string } }>(h, ws, '/v1/objects/ticket/records', { attributes: { code: 'T-1' } });
    await h.settle();
    const url = `/v1/objects/ticket/records/${record.id}/associations`;
    const link = { associations: [{ objectType: 'contact', externalId: 'crm:2' }] };

    await whileInFlight(
      'T-1',
      () => post(h, ws, url, link),
      async () => {
        const removed = await h.t.app.inject({ method: 'DELETE', url, headers: withKey(ws.writeKey), payload: link });
        expect(removed.statusCode, removed.body).toBeLessThan(300);
      },
    );
    await h.settle();

    // Brevo holds the link (its API cannot remove one): an operator is told, exactly once.
    expect(h.brevo.state.objects.byExtId('ticket', 'T-1')!.associations.get('contact')?.size).toBe(1);
    const letters = await deadLetters(h, ws);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ entityType: 'object_association', category: 'mapping', sourceObjectId: 'ticket T-1 → contact crm:2' });
    expect(letters[0]!.reason).toMatch(/was removed in Tajo, but Brevo's API has no way to remove an association/);
    const association = await h.t.db.objectAssociation.findFirstOrThrow({ where: { workspaceId: ws.id, targetExternalId: 'crm:2' } });
    expect(await h.t.db.brevoObjectAssociationState.findUnique({ where: { associationId: association.id } })).toBeNull();
  }, 60_000);
});
