import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import {
  badVehicle,
  createObjectType,
  createSource,
  jobAction,
  startJob,
  startSyncHarness,
  VEHICLE_MAPPING,
  VEHICLE_TYPE,
  vehicleRow,
  waitForJob,
  WORKATO_TOKEN,
  type SyncHarness,
} from '../support/sources.ts';

// Custom object records from Workato: data-table, lookup-table and topic sources whose mapping
// makes vehicles (and their owners' contacts); each page's objects commit with its cursor, refused
// ones become mapping dead letters, and reading the same rows again changes nothing.
let h: SyncHarness;
let ws: TestWorkspace;

beforeAll(async () => {
  h = await startSyncHarness();
  ws = await createWorkspace(h.t.app);
  await createObjectType(h.t.app, ws, VEHICLE_TYPE);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const ROWS = 2_000;
const INVALID = Array.from({ length: ROWS }, (_, i) => i).filter(badVehicle).length;
const VALID = ROWS - INVALID;

const outboxRows = (entityType: string) => h.t.db.activationOutbox.count({ where: { workspaceId: ws.id, entityType } });
const vehicles = (externalId: string) =>
  h.t.app.inject({ method: 'GET', url: `/v1/objects/vehicle/records/lookup?externalId=${externalId}`, headers: withKey(ws.readKey) }).then((response) => response.json());

describe('a data-table source mapped to contacts and vehicles', () => {
  it('backfills every vehicle with its owner, dead-letters the invalid rows with reasons, and changes nothing when replayed', async () => {
    const rows = h.workato.setDataTable('fleet-1', Array.from({ length: ROWS }, (_, i) => vehicleRow(i)));
    const source = await createSource(h.t.app, ws, {
      kind: 'developer_api',
      name: 'fleet',
      token: WORKATO_TOKEN,
      developerApi: { resource: { kind: 'data_table', tableId: 'fleet-1' }, pageSize: 100, pollIntervalSeconds: 10 },
      mapping: VEHICLE_MAPPING,
      backfillEnabled: true,
    });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const done = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed', 120_000);
    expect(done.progress).toMatchObject({ recordsSeen: ROWS, created: ROWS, updated: 0, unchanged: 0, deadLettered: INVALID, objects: { created: VALID, updated: 0, unchanged: 0 } });

    expect(await h.t.db.objectRecord.count({ where: { workspaceId: ws.id } })).toBe(VALID);
    expect(await h.t.db.objectAssociation.count({ where: { workspaceId: ws.id, targetType: 'contact', deletedAt: null } })).toBe(VALID);
    expect(await h.t.db.contact.count({ where: { workspaceId: ws.id, source: 'fleet' } })).toBe(ROWS);
    expect(await outboxRows('object_record')).toBe(VALID);
    expect(await outboxRows('object_association')).toBe(VALID);
    // Typed attributes normalized by the type; the owner came in the same page, so the association is not pending.
    expect(await vehicles('VIN000003')).toMatchObject({
      attributes: { vin: 'VIN000003', model: 'Model 3', year: 2003, registered_on: '2020-01-04', electric: true },
      associations: [{ objectType: 'contact', externalId: 'fleet:3', pending: false }],
    });

    const letters = await h.t.db.deadLetter.findMany({ where: { workspaceId: ws.id, syncJobId: job.id } });
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual(rows.filter((_, i) => badVehicle(i)).map((row) => row.id).sort());
    for (const letter of letters) {
      expect(letter).toMatchObject({ category: 'mapping', reason: expect.stringMatching(/^the vehicle object record cannot be stored: attributes\.year: not a number/) });
    }

    const replay = await jobAction(h.t.app, ws, job.id, 'replay', {});
    expect(replay.statusCode, replay.body).toBe(202);
    const replayed = await waitForJob(h.t.app, ws, replay.json<{ id: string }>().id, (seen) => seen.status === 'completed', 120_000);
    expect(replayed.progress).toMatchObject({ recordsSeen: ROWS, created: 0, updated: 0, unchanged: ROWS, deadLettered: INVALID, objects: { created: 0, updated: 0, unchanged: VALID } });
    expect(await outboxRows('object_record')).toBe(VALID);
    expect(await outboxRows('object_association')).toBe(VALID);

    // Incremental: the next pass over the table finds the one vehicle that changed.
    h.workato.upsertRow('data_table', 'fleet-1', { id: rows[3]!.id, data: vehicleRow(3, 'Model X') });
    const incremental = await startJob(h.t.app, ws, source.id, { kind: 'incremental' });
    const passed = await waitForJob(h.t.app, ws, incremental.id, (seen) => seen.progress.recordsSeen >= ROWS, 120_000);
    expect(passed.progress.objects).toEqual({ created: 0, updated: 1, unchanged: VALID - 1, stale: 0 });
    expect((await jobAction(h.t.app, ws, incremental.id, 'cancel')).statusCode).toBe(200);
    expect(await vehicles('VIN000003')).toMatchObject({ attributes: { model: 'Model X' }, version: 2 });
    expect(await outboxRows('object_record')).toBe(VALID + 1);
  }, 240_000);
});

/** Service visits of vehicles, from a topic: associated with their vehicle by its external ID (its VIN). */
const SERVICE_VISIT_TYPE = {
  name: 'service_visit',
  attributes: [
    { name: 'visit_id', type: 'text', required: true },
    { name: 'mileage', type: 'number' },
  ],
  externalIdRule: { kind: 'attribute', attribute: 'visit_id' },
  associations: ['vehicle'],
};
const visit = (i: number, mileage = 1_000 * i) => ({ visit_id: `sv-${i}`, vin: `VIN-T${i}`, mileage });

describe('an Event Streams topic mapped to objects only', () => {
  it('backfills and follows service visits, each associated with its vehicle (pending until the vehicle arrives)', async () => {
    await createObjectType(h.t.app, ws, SERVICE_VISIT_TYPE);
    const topic = '7001';
    h.workato.publish(topic, Array.from({ length: 30 }, (_, i) => visit(i)));
    const source = await createSource(h.t.app, ws, {
      kind: 'event_stream',
      name: 'garage-visits',
      token: WORKATO_TOKEN,
      eventStream: { topicId: topic, longPollSeconds: 1 },
      mapping: {
        externalId: 'visit_id',
        objects: '{"type": "service_visit", "attributes": {"visit_id": visit_id, "mileage": mileage}, "associations": [{"objectType": "vehicle", "externalId": vin}]}',
      },
      backfillEnabled: true,
    });
    const backfill = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const done = await waitForJob(h.t.app, ws, backfill.id, (seen) => seen.status === 'completed');
    // No contact: the contact counters stay at zero, the objects are counted apart.
    expect(done.progress).toMatchObject({ recordsSeen: 30, created: 0, deadLettered: 0, objects: { created: 30, updated: 0, unchanged: 0 } });

    const incremental = await startJob(h.t.app, ws, source.id, { kind: 'incremental' });
    h.workato.publish(topic, [...Array.from({ length: 10 }, (_, i) => visit(30 + i)), visit(0, 999)]);
    const followed = await waitForJob(h.t.app, ws, incremental.id, (seen) => seen.progress.recordsSeen >= 11);
    expect(followed.progress).toMatchObject({ recordsSeen: 11, deadLettered: 0, objects: { created: 10, updated: 1, unchanged: 0 } });
    expect((await jobAction(h.t.app, ws, incremental.id, 'cancel')).statusCode).toBe(200);

    const first = await h.t.app.inject({ method: 'GET', url: '/v1/objects/service_visit/records/lookup?externalId=sv-0', headers: withKey(ws.readKey) });
    expect(first.json()).toMatchObject({ attributes: { visit_id: 'sv-0', mileage: 999 }, associations: [{ objectType: 'vehicle', externalId: 'VIN-T0', pending: true }], version: 2 });
    expect(await h.t.db.objectAssociation.count({ where: { workspaceId: ws.id, targetType: 'vehicle' } })).toBe(40);
  }, 120_000);
});

describe('a lookup-table source mapped to contacts and vehicles, followed incrementally', () => {
  it("writes the vehicles with their owners on its first pass, and the changed row's vehicle on its next", async () => {
    const TABLE = '602';
    const rows = h.workato.setLookupTable(TABLE, Array.from({ length: 40 }, (_, i) => vehicleRow(5_000 + i)));
    const valid = rows.filter((_, i) => !badVehicle(5_000 + i)).length;
    const source = await createSource(h.t.app, ws, {
      kind: 'developer_api',
      name: 'garage',
      token: WORKATO_TOKEN,
      developerApi: { resource: { kind: 'lookup_table', tableId: TABLE }, pageSize: 15, pollIntervalSeconds: 10 },
      mapping: VEHICLE_MAPPING,
      backfillEnabled: true,
    });
    const job = await startJob(h.t.app, ws, source.id, { kind: 'incremental' });
    const first = await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.recordsSeen >= 40);
    expect(first.progress).toMatchObject({ created: 40, deadLettered: 40 - valid, objects: { created: valid, updated: 0, unchanged: 0 } });
    expect(await vehicles('VIN005001')).toMatchObject({ attributes: { vin: 'VIN005001', model: 'Model 3', year: 2001 }, version: 1 });

    h.workato.upsertRow('lookup_table', TABLE, { id: rows[1]!.id, data: vehicleRow(5_001, 'Model X') });
    // The next pass comes after pollIntervalSeconds (10 s).
    const next = await waitForJob(h.t.app, ws, job.id, (seen) => seen.progress.objects.updated === 1, 30_000);
    expect(next.progress.objects).toMatchObject({ created: valid, updated: 1 });
    expect(await vehicles('VIN005001')).toMatchObject({ attributes: { model: 'Model X' }, version: 2 });
    const owner = await h.t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'garage:5001' } });
    const record = await h.t.db.objectRecord.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'VIN005001' } });
    expect(await h.t.db.objectAssociation.findMany({ where: { recordId: record.id, deletedAt: null }, select: { targetType: true, targetExternalId: true } })).toEqual([
      { targetType: 'contact', targetExternalId: owner.externalId },
    ]);
    await jobAction(h.t.app, ws, job.id, 'cancel');
  }, 60_000);
});

describe('a lookup-table source whose mapping names an object type the workspace lacks', () => {
  const TABLE = '601';
  const lookupRow = (i: number) => ({ owner_id: i, owner_email: `garage${i}@example.com`, vin: `VIN-L${i}`, year: i === 4 ? 'soon' : 2010 + i });
  let sourceId: string;

  it('refuses an objects expression that does not compile, naming the field', async () => {
    const invalid = await h.t.app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: withKey(ws.adminKey),
      payload: { kind: 'developer_api', name: 'trucks-bad', token: WORKATO_TOKEN, developerApi: { resource: { kind: 'lookup_table', tableId: TABLE } }, mapping: { externalId: 'id', objects: '{"type": ' } },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ errors: { field: string; reason: string }[] }>().errors).toEqual([{ field: 'body.mapping.objects', reason: expect.stringContaining('not a valid JSONata expression') }]);
  });

  it('dead-letters each object with the reason and completes the job, the contacts written', async () => {
    const rows = h.workato.setLookupTable(TABLE, Array.from({ length: 20 }, (_, i) => lookupRow(i)));
    const source = await createSource(h.t.app, ws, {
      kind: 'developer_api',
      name: 'trucks',
      token: WORKATO_TOKEN,
      developerApi: { resource: { kind: 'lookup_table', tableId: TABLE }, pageSize: 8 },
      mapping: { externalId: '$string(owner_id)', contact: '{"email": owner_email}', objects: '{"type": "truck", "externalId": vin, "attributes": {"year": year}}' },
      backfillEnabled: true,
    });
    sourceId = source.id;
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    const done = await waitForJob(h.t.app, ws, job.id, (seen) => seen.status !== 'running');
    expect(done).toMatchObject({ status: 'completed', lastError: null, progress: { recordsSeen: 20, created: 20, deadLettered: 20, objects: { created: 0, updated: 0, unchanged: 0 } } });
    const letters = await h.t.db.deadLetter.findMany({ where: { syncJobId: job.id }, orderBy: { sourceObjectId: 'asc' } });
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual(rows.map((row) => row.id).sort());
    expect(letters[0]).toMatchObject({ category: 'mapping', reason: "the truck object record cannot be stored: type: no object type 'truck' in this workspace" });
    expect(letters[0]!.request).toMatchObject({ source: 'trucks', payload: { type: 'truck', externalId: expect.stringMatching(/^VIN-L/) } });
  });

  it('previews the object records a corrected mapping would make, and why a row would be dead-lettered', async () => {
    const mapping = {
      externalId: '$string(owner_id)',
      objects: '{"type": "vehicle", "attributes": {"vin": vin, "year": year}, "associations": [{"objectType": "contact", "email": owner_email}]}',
    };
    const preview = await h.t.app.inject({ method: 'POST', url: `/v1/sources/${sourceId}/mapping/preview`, headers: withKey(ws.readKey), payload: { mapping, limit: 20 } });
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json<{ data: { objectId: string; objects: unknown[]; errors: { field: string; reason: string }[] }[]; counts: { mapped: number; deadLettered: number } }>();
    expect(body.counts).toEqual({ mapped: 19, deadLettered: 1 });
    const good = body.data.filter((record) => record.errors.length === 0);
    expect(good.flatMap((record) => record.objects)).toContainEqual({
      type: 'vehicle',
      externalId: 'VIN-L7',
      attributes: { vin: 'VIN-L7', year: 2017 },
      associations: [{ objectType: 'contact', email: 'garage7@example.com' }],
    });
    expect(body.data.find((record) => record.errors.length > 0)).toMatchObject({ objects: [], errors: [{ field: 'objects.0.attributes.year', reason: expect.stringContaining('not a number') }] });
    // Nothing was written.
    expect(await h.t.db.objectRecord.count({ where: { workspaceId: ws.id, externalId: { startsWith: 'VIN-L' } } })).toBe(0);
  });
});
