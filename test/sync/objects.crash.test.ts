import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../support/app.ts';
import { badVehicle, createObjectType, createSource, getJob, startJob, startSyncCrashRig, VEHICLE_MAPPING, VEHICLE_TYPE, vehicleRow, WORKATO_TOKEN, type SyncCrashRig } from '../support/sources.ts';
import { waitFor } from '../support/worker.ts';

// A data-table backfill of vehicles and their owners, read by a worker process killed with SIGKILL
// in the middle of it and started again: every contact, vehicle and association ends in Tajo
// exactly once with one outbox row each, the dead letters are exactly the invalid rows, and the
// job's counts are exact. No Brevo: object activation is not this part's, and contacts' is proven
// by crash.test.ts; the outbox rows are what it would read.
const ROWS = 3_000;
const INVALID = Array.from({ length: ROWS }, (_, i) => i).filter(badVehicle).length;
const VALID = ROWS - INVALID;
const TABLE = 'fleet-crash';
let rig: SyncCrashRig;

beforeAll(async () => {
  rig = await startSyncCrashRig('tajo_objects_crash');
}, 120_000);

afterAll(async () => {
  await rig?.close();
});

describe('a data-table backfill of objects killed in the middle', () => {
  it('ends with every object record and association exactly once, the invalid rows dead-lettered, and exact counts', async () => {
    const { t, workato, workers } = rig;
    const ws = await createWorkspace(t.app);
    await createObjectType(t.app, ws, VEHICLE_TYPE);
    const rows = workato.setDataTable(TABLE, Array.from({ length: ROWS }, (_, i) => vehicleRow(i)));
    const source = await createSource(t.app, ws, {
      kind: 'developer_api',
      name: 'fleet',
      token: WORKATO_TOKEN,
      developerApi: { resource: { kind: 'data_table', tableId: TABLE }, pageSize: 50 },
      mapping: VEHICLE_MAPPING,
      backfillEnabled: true,
    });
    // Slow pages keep the backfill running long enough to kill it in the middle.
    workato.setFaults({ latencyMs: [40, 60] });
    const job = await startJob(t.app, ws, source.id, { kind: 'backfill' });
    const seen = async () => (await getJob(t.app, ws, job.id)).progress.recordsSeen;

    const first = workers.start();
    await waitFor(async () => (await seen()) >= ROWS * 0.4, 60_000, 'the backfill to pass 40% of the rows');
    await workers.kill(first);
    const killedAt = await seen();
    expect(killedAt).toBeLessThan(ROWS);

    workato.setFaults({ latencyMs: [0, 0] });
    workers.start();
    await waitFor(async () => (await getJob(t.app, ws, job.id)).status === 'completed', 90_000, 'the backfill to complete');
    const done = await getJob(t.app, ws, job.id);
    expect(done.cursor).toEqual({ page: null });
    expect(done.progress).toMatchObject({ recordsSeen: ROWS, created: ROWS, updated: 0, unchanged: 0, deadLettered: INVALID, objects: { created: VALID, updated: 0, unchanged: 0 } });

    const where = { workspaceId: ws.id };
    expect(await t.db.contact.count({ where })).toBe(ROWS);
    expect(await t.db.objectRecord.count({ where })).toBe(VALID);
    // One version each: no page's records were written twice.
    expect(await t.db.objectRecordVersion.count({ where })).toBe(VALID);
    expect(await t.db.objectRecord.count({ where: { ...where, version: { not: 1 } } })).toBe(0);
    expect(await t.db.objectAssociation.count({ where })).toBe(VALID);
    const outbox = await t.db.activationOutbox.groupBy({ by: ['entityType'], where, _count: true });
    // The job's own row asked for its first run.
    expect(Object.fromEntries(outbox.map((row) => [row.entityType, row._count]))).toEqual({ sync_job: 1, contact: ROWS, object_record: VALID, object_association: VALID, dead_letter: INVALID });

    const letters = await t.db.deadLetter.findMany({ where, select: { sourceObjectId: true, syncJobId: true, category: true, reason: true } });
    expect(letters.map((letter) => letter.sourceObjectId).sort()).toEqual(rows.filter((_, i) => badVehicle(i)).map((row) => row.id).sort());
    expect(new Set(letters.map((letter) => `${letter.syncJobId} ${letter.category} ${letter.reason.split(':')[0]}`))).toEqual(new Set([`${job.id} mapping the vehicle object record cannot be stored`]));
  }, 180_000);
});
