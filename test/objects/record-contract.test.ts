import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectType } from '../support/sources.ts';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { storedRecord, WRITE_PATHS, writeThrough, type PathWrite, type WritePath } from './support.ts';

// The record contract for object records, through each way a record is written: an upsert merges into the stored
// record (left out: kept; null: cleared), and an attribute applies only when its source time is newer than that of
// the value held. Source times are given explicitly so that no two writes share a millisecond by chance.

const MEMBERSHIP = {
  name: 'membership',
  attributes: [
    { name: 'plan', type: 'text' },
    { name: 'seats', type: 'number' },
    { name: 'renews_on', type: 'date' },
  ],
  externalIdRule: { kind: 'given' },
  associations: ['contact'],
};

const LICENCE = {
  name: 'licence',
  attributes: [
    { name: 'holder', type: 'text', required: true },
    { name: 'level', type: 'text' },
  ],
  externalIdRule: { kind: 'given' },
};

/** Source time number `n`: one hour apart, in the order of n. */
const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();

let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app);
  await createObjectType(t.app, ws, MEMBERSHIP);
  await createObjectType(t.app, ws, LICENCE);
});
afterAll(() => t.close());

/** Writes one record of `type` through `path`, answering its outcome. */
async function writeOne(path: WritePath, type: string, write: PathWrite) {
  const [outcome] = await writeThrough(t, ws, type, path, [write]);
  return outcome!;
}

describe.each(WRITE_PATHS)('object records written through the %s path', (path) => {
  const membership = (externalId: string) => ({
    write: (record: Record<string, unknown>) => writeOne(path, 'membership', { record: { externalId, ...record } }),
    stored: () => storedRecord(t, ws, 'membership', externalId),
  });

  it('keeps the attributes an upsert leaves out; null clears one, and attributes: null clears them all', async () => {
    const record = membership(`${path}-partial`);
    expect(await record.write({ attributes: { plan: 'pro', seats: 5, renews_on: '2026-12-01' }, sourceUpdatedAt: at(1) })).toMatchObject({ status: 'created', skipped: [] });
    expect(await record.write({ attributes: { plan: 'team' }, sourceUpdatedAt: at(2) })).toMatchObject({ status: 'updated', skipped: [] });
    expect((await record.stored()).attributes).toEqual({ plan: 'team', seats: 5, renews_on: '2026-12-01' });

    // Nothing to merge: nothing changes.
    expect(await record.write({ sourceUpdatedAt: at(3) })).toMatchObject({ status: 'unchanged' });
    expect(await record.write({ attributes: { seats: null }, sourceUpdatedAt: at(4) })).toMatchObject({ status: 'updated' });
    expect((await record.stored()).attributes).toEqual({ plan: 'team', renews_on: '2026-12-01' });
    expect(await record.write({ attributes: null, sourceUpdatedAt: at(5) })).toMatchObject({ status: 'updated' });
    expect(await record.stored()).toMatchObject({ attributes: {}, version: 4, versions: 4, queued: 4 });
  });

  it('answers stale to a write older than every attribute it carries: no new version, no activation queued', async () => {
    const record = membership(`${path}-stale`);
    expect(await record.write({ attributes: { plan: 'pro', seats: 5 }, sourceUpdatedAt: at(3) })).toMatchObject({ status: 'created' });
    const before = await record.stored();
    expect(before).toMatchObject({ version: 1, versions: 1, queued: 1 });

    const stale = await record.write({ attributes: { plan: 'basic', seats: 2 }, sourceUpdatedAt: at(1) });
    expect(stale).toMatchObject({ status: 'stale', id: before.id });
    expect(stale.skipped.sort()).toEqual(['attributes.plan', 'attributes.seats']);
    // Older than the values held, a clear of them all clears nothing either.
    expect(await record.write({ attributes: null, sourceUpdatedAt: at(2) })).toMatchObject({ status: 'stale' });
    expect(await record.stored()).toEqual(before);
  });

  it('answers updated to a partly older write, applying what is newer and naming what it skipped', async () => {
    const record = membership(`${path}-partly`);
    await record.write({ attributes: { plan: 'pro', seats: 5 }, sourceUpdatedAt: at(1) });
    await record.write({ attributes: { plan: 'team' }, sourceUpdatedAt: at(3) });
    // Newer than seats (1), older than plan (3).
    expect(await record.write({ attributes: { plan: 'basic', seats: 7 }, sourceUpdatedAt: at(2) })).toMatchObject({ status: 'updated', skipped: ['attributes.plan'] });
    expect(await record.stored()).toMatchObject({ attributes: { plan: 'team', seats: 7 }, version: 3, versions: 3, queued: 3 });
    // A clear older than plan but newer than seats clears seats only.
    expect(await record.write({ attributes: null, sourceUpdatedAt: at(2.5) })).toMatchObject({ status: 'updated', skipped: ['attributes.plan'] });
    expect((await record.stored()).attributes).toEqual({ plan: 'team' });
  });

  it('requires a required attribute of a new record only, and never lets it be cleared', async () => {
    const externalId = `${path}-licence`;
    const write = (record: Record<string, unknown>) => writeOne(path, 'licence', { record: { externalId, ...record } });
    expect(await write({ attributes: { level: 'A' } })).toMatchObject({ status: 'rejected', errors: [{ field: 'attributes.holder', reason: 'required (text)' }] });
    expect(await write({ attributes: { holder: 'Ada', level: 'A' } })).toMatchObject({ status: 'created' });
    expect(await write({ attributes: { level: 'B' } })).toMatchObject({ status: 'updated' });
    expect((await storedRecord(t, ws, 'licence', externalId)).attributes).toEqual({ holder: 'Ada', level: 'B' });
    expect(await write({ attributes: { holder: null } })).toMatchObject({ status: 'rejected', errors: [{ field: 'attributes.holder', reason: 'required (text): it cannot be cleared' }] });
    expect(await write({ attributes: null })).toMatchObject({ status: 'rejected', errors: [{ field: 'attributes', reason: 'cannot clear every attribute: holder is required' }] });
  });

  it('adds an association carried by a stale write: updated, the attributes skipped, no new record version', async () => {
    const record = membership(`${path}-link`);
    await record.write({ attributes: { plan: 'pro' }, sourceUpdatedAt: at(2) });
    const linked = await record.write({ attributes: { plan: 'basic' }, sourceUpdatedAt: at(1), associations: [{ objectType: 'contact', externalId: `crm:${path}` }] });
    expect(linked).toMatchObject({ status: 'updated', skipped: ['attributes.plan'] });
    expect(await record.stored()).toMatchObject({ attributes: { plan: 'pro' }, version: 1, versions: 1, queued: 1 });
    expect(await t.db.objectAssociation.count({ where: { recordId: linked.id!, targetExternalId: `crm:${path}` } })).toBe(1);
  });
});

describe('a source page (the sync path)', () => {
  it("takes a record's source time from its message unless the record gives its own", async () => {
    const externalId = 'sync-message-time';
    const write = (record: Record<string, unknown>, messageTime: string) => writeOne('sync', 'membership', { record: { externalId, ...record }, messageTime });
    expect(await write({ attributes: { plan: 'pro' } }, at(2))).toMatchObject({ status: 'created' });
    expect(await write({ attributes: { plan: 'basic' } }, at(1))).toMatchObject({ status: 'stale', skipped: ['attributes.plan'] });
    expect(await write({ attributes: { plan: 'team' }, sourceUpdatedAt: at(3) }, at(0))).toMatchObject({ status: 'updated' });
    expect(await storedRecord(t, ws, 'membership', externalId)).toMatchObject({ attributes: { plan: 'team' }, version: 2 });
  });
});

describe('a soft-deleted record', () => {
  it('is revived by an upsert with only what the upsert carries: deletion forgets its attributes', async () => {
    const record = { externalId: 'revived', attributes: { plan: 'pro', seats: 3 } };
    const created = await writeOne('single', 'membership', { record });
    const url = `/v1/objects/membership/records/${created.id}`;
    expect((await t.app.inject({ method: 'DELETE', url, headers: withKey(ws.writeKey) })).statusCode).toBe(200);
    // Older than what the record held before its deletion: applied all the same.
    expect(await writeOne('single', 'membership', { record: { externalId: 'revived', attributes: { seats: 4 }, sourceUpdatedAt: at(-100) } })).toMatchObject({ status: 'updated', id: created.id });
    expect(await storedRecord(t, ws, 'membership', 'revived')).toMatchObject({ attributes: { seats: 4 }, version: 3 });
  });
});
