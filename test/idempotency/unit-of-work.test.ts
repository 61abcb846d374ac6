import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { outsideUnitsOfWork, UnitOfWork, withinUnitOfWork } from '../../api/src/db/unit-of-work.ts';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

// The unit of work beneath Idempotency-Key: one transaction on one connection that a request's
// every database access joins (Prisma and raw SQL), with transactions inside it as savepoints.
let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app);
});
afterAll(() => t.close());
afterEach(() => vi.restoreAllMocks());

const upsert = (sourceId: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey, headers), payload: { sourceId, email: `${sourceId}@example.com` } });
const contactCount = (sourceId: string) => t.db.contact.count({ where: { workspaceId: ws.id, externalId: `api:${sourceId}` } });
const keyCount = (key: string) => t.db.idempotencyKey.count({ where: { workspaceId: ws.id, key } });
/** The process dies just before a unit commits: its connection ends without a COMMIT. */
function dieBeforeCommits() {
  vi.spyOn(UnitOfWork.prototype, 'commit').mockImplementation(async function (this: UnitOfWork) {
    this.client.connection.stream.destroy();
    await this.rollback();
    throw new Error('the process died before the commit');
  });
}
/** Statements that reached the unit's connection, in order. */
function recordStatements(unit: UnitOfWork): string[] {
  const statements: string[] = [];
  const query = unit.client.query.bind(unit.client);
  vi.spyOn(unit.client, 'query').mockImplementation(((...args: Parameters<typeof query>) => {
    const [first] = args as unknown[];
    statements.push(typeof first === 'string' ? first : (first as { text: string }).text);
    return query(...args);
  }) as typeof query);
  return statements;
}

describe('a unit of work', () => {
  it("loses a request's write and its stored answer together when the process dies before the commit", async () => {
    dieBeforeCommits();
    const died = await upsert('dies-1', { 'idempotency-key': 'k-dies' });
    expect(died.statusCode).toBe(500);
    expect([await contactCount('dies-1'), await keyCount('k-dies')]).toEqual([0, 0]);
    vi.restoreAllMocks();

    // So the retry runs once, and the one after it replays.
    const retry = await upsert('dies-1', { 'idempotency-key': 'k-dies' });
    expect([retry.statusCode, retry.json().result, retry.headers['idempotent-replayed']]).toEqual([201, 'created', undefined]);
    const again = await upsert('dies-1', { 'idempotency-key': 'k-dies' });
    expect([again.statusCode, again.body, again.headers['idempotent-replayed']]).toEqual([201, retry.body, 'true']);
    expect(await t.db.contactVersion.count({ where: { workspaceId: ws.id, contact: { externalId: 'api:dies-1' } } })).toBe(1);
  });

  it('turns transactions inside it into savepoints: their rollback undoes them alone, their commit waits for the unit', async () => {
    const key = (name: string) => ({ workspaceId: ws.id, key: name, requestHash: 'h', state: 'completed', expiresAt: new Date(Date.now() + 3600_000) });
    const unit = await t.db.sql.beginUnitOfWork();
    const statements = recordStatements(unit);
    await unit.run(async () => {
      await t.db.$transaction(async (tx) => tx.idempotencyKey.create({ data: key('nested-committed') }));
      await expect(
        t.db.$transaction(async (tx) => {
          await tx.idempotencyKey.create({ data: key('nested-undone') });
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      // A failed statement inside a transaction (a unique violation) is undone with it; the unit goes on.
      await expect(t.db.$transaction(async (tx) => tx.idempotencyKey.create({ data: key('nested-committed') }))).rejects.toMatchObject({ code: 'P2002' });
      // The contact writer's own BEGIN/ROLLBACK on a pooled client, as pg code writes it.
      const client = await t.db.sql.connect();
      await client.query('BEGIN');
      await client.query(`INSERT INTO idempotency_keys (workspace_id, key, request_hash, state, expires_at) VALUES ($1, 'raw-undone', 'h', 'completed', now())`, [ws.id]);
      await client.query('ROLLBACK');
      client.release();
      await t.db.idempotencyKey.create({ data: key('plain') });
    });
    expect(statements.filter((text) => /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(text))).toEqual([
      'SAVEPOINT unit_of_work_1',
      'RELEASE SAVEPOINT unit_of_work_1',
      'SAVEPOINT unit_of_work_2',
      'ROLLBACK TO SAVEPOINT unit_of_work_2',
      'SAVEPOINT unit_of_work_3',
      'ROLLBACK TO SAVEPOINT unit_of_work_3',
      'SAVEPOINT unit_of_work_4',
      'ROLLBACK TO SAVEPOINT unit_of_work_4',
    ]);
    await unit.rollback();
    // The inner commit was only a savepoint's release: the unit's rollback took it away too.
    expect(await t.db.idempotencyKey.count({ where: { workspaceId: ws.id, key: { in: ['nested-committed', 'nested-undone', 'raw-undone', 'plain'] } } })).toBe(0);

    const committed = await t.db.sql.beginUnitOfWork();
    await committed.run(async () => {
      await t.db.$transaction(async (tx) => tx.idempotencyKey.create({ data: key('nested-committed') }));
      await t.db.$transaction(async (tx) => {
        await tx.idempotencyKey.create({ data: key('nested-undone') });
        throw new Error('undo');
      }).catch(() => undefined);
    });
    await committed.commit();
    const left = await t.db.idempotencyKey.findMany({ where: { workspaceId: ws.id, key: { in: ['nested-committed', 'nested-undone'] } } });
    expect(left.map((row) => row.key)).toEqual(['nested-committed']);
  });

  it("reads its own writes, even where Prisma would batch its read with another caller's", async () => {
    const where = (key: string) => ({ where: { workspaceId_key: { workspaceId: ws.id, key } } });
    const unit = await t.db.sql.beginUnitOfWork();
    // (A Prisma query runs where it is awaited, not where it is built: hence async functions here.)
    await unit.run(async () => {
      await t.db.idempotencyKey.create({ data: { workspaceId: ws.id, key: 'own-write', requestHash: 'h', state: 'completed', expiresAt: new Date(Date.now() + 3600_000) } });
    });
    // findUnique calls of one shape in one tick are batched into one query, run where the first was made.
    const outside = t.db.idempotencyKey.findUnique(where('someone-elses')).then((row) => row);
    const inside = await unit.run(async () => t.db.idempotencyKey.findUnique(where('own-write')).then((row) => row));
    expect(inside?.key).toBe('own-write');
    await unit.rollback();
    expect(await outside).toBeNull();
  });

  it('refuses to commit after a statement failed outside any transaction inside it', async () => {
    const unit = await t.db.sql.beginUnitOfWork();
    await unit.run(async () => {
      await t.db.idempotencyKey.create({ data: { workspaceId: ws.id, key: 'aborted', requestHash: 'h', state: 'completed', expiresAt: new Date(Date.now() + 3600_000) } });
      await expect(t.db.sql.query('SELECT 1 / 0')).rejects.toThrow(/division by zero/);
    });
    await expect(unit.commit()).rejects.toThrow(/nothing was committed/);
    expect(await keyCount('aborted')).toBe(0);
  });

  it('refuses transactions inside it that overlap instead of nesting, and then cannot commit', async () => {
    const unit = await t.db.sql.beginUnitOfWork();
    await unit.run(async () => {
      const [first, second] = [await t.db.sql.connect(), await t.db.sql.connect()];
      await first.query('BEGIN');
      await second.query('BEGIN');
      await expect(first.query('COMMIT')).rejects.toThrow(/reverse order/);
      await expect(first.query('BEGIN ISOLATION LEVEL SERIALIZABLE')).rejects.toThrow(/not supported inside a unit of work/);
    });
    await expect(unit.commit()).rejects.toThrow(/reverse order/);
  });

  it('is left by work still running when it ends, which then uses the pool', async () => {
    const unit = await t.db.sql.beginUnitOfWork();
    const late = unit.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { inside: withinUnitOfWork(t.db.sql), count: await t.db.idempotencyKey.count({ where: { workspaceId: ws.id } }) };
    });
    expect(unit.run(() => withinUnitOfWork(t.db.sql))).toBe(true);
    await unit.commit();
    expect(await late).toMatchObject({ inside: false, count: expect.any(Number) });
  });

  it('is not where work started with outsideUnitsOfWork runs (the group commit drain)', async () => {
    const unit = await t.db.sql.beginUnitOfWork();
    const seen = await unit.run(() =>
      Promise.all([
        new Promise((resolve) => setImmediate(() => resolve(withinUnitOfWork(t.db.sql)))),
        new Promise((resolve) => outsideUnitsOfWork(() => setImmediate(() => resolve(withinUnitOfWork(t.db.sql))))),
      ]),
    );
    await unit.rollback();
    expect(seen).toEqual([true, false]);
  });
});

describe('requests and units of work', () => {
  it('a request without a key, or a read, begins none', async () => {
    const begin = vi.spyOn(t.db.sql, 'beginUnitOfWork');
    expect((await upsert('nokey-1')).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/v1/workspace', headers: withKey(ws.readKey, { 'idempotency-key': 'k-read' }) })).statusCode).toBe(200);
    expect(begin).not.toHaveBeenCalled();
    expect((await upsert('key-1', { 'idempotency-key': 'k-unit-1' })).statusCode).toBe(201);
    expect(begin).toHaveBeenCalledTimes(1);
  });

  it("a keyed request's contact write stays in its unit, out of the group commit that takes other requests' writes", async () => {
    dieBeforeCommits();
    // Keyless writes at the same time: grouped and committed (on PGlite, once the unit has ended).
    const others = Array.from({ length: 5 }, (_, i) => upsert(`grouped-${i}`));
    const keyed = await upsert('in-unit-1', { 'idempotency-key': 'k-in-unit-1' });
    expect(keyed.statusCode).toBe(500);
    expect((await Promise.all(others)).map((response) => response.statusCode)).toEqual([201, 201, 201, 201, 201]);
    // Had it joined a group, the group's commit would have kept it.
    expect(await contactCount('in-unit-1')).toBe(0);
    expect(await t.db.contact.count({ where: { workspaceId: ws.id, externalId: { startsWith: 'api:grouped-' } } })).toBe(5);
  });

  it('a keyed request whose answer is not remembered leaves nothing behind, its claim included', async () => {
    // 409: a list name already taken. The request wrote nothing that stands, and its key is free again.
    const create = (key: string) => t.app.inject({ method: 'POST', url: '/v1/lists', headers: withKey(ws.writeKey, { 'idempotency-key': key }), payload: { name: 'Taken' } });
    expect((await create('k-list-1')).statusCode).toBe(201);
    expect((await create('k-list-2')).statusCode).toBe(409);
    expect(await keyCount('k-list-2')).toBe(0);
  });
});
