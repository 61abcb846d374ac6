import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { UnitOfWorkPool, withinUnitOfWork } from './unit-of-work.ts';

/**
 * Prisma on the pg driver adapter (no native engine; the same client for PGlite and PostgreSQL),
 * plus the pg pool beneath it as `sql` for the few hot statements Prisma cannot express or
 * would slow down (the contact write path). One pool: `$disconnect()` closes both, and a unit of
 * work (`sql.beginUnitOfWork()`) holds both to one transaction.
 */
export type Db = PrismaClient & { readonly sql: UnitOfWorkPool };

export function createDb(connectionString: string, poolSize: number): Db {
  const sql = new UnitOfWorkPool({ connectionString, max: poolSize });
  // A database restart (or an administrator) ends every connection. Each client's error must have a
  // listener, idle or checked out, or the process dies of an unhandled 'error' event: the query in
  // flight fails by itself, and the pool drops the broken client and connects anew.
  const ignore = () => undefined;
  sql.on('error', ignore);
  sql.on('connect', (client) => client.on('error', ignore));
  const prisma = new PrismaClient({ adapter: new PrismaPg(sql, { disposeExternalPool: true }) });
  unbatchInsideUnitsOfWork(prisma, sql);
  return Object.assign(prisma, { sql });
}

/** The part of Prisma's request batching this relies on; checked at start-up. */
interface PrismaBatching {
  batchBy(request: { transaction?: unknown }): string | undefined;
}

/**
 * Prisma batches the findUnique calls made in one tick, by any callers, into one query that runs
 * in the context of the first caller: on its unit of work's connection, or on the pool. A call
 * from inside a unit of work must run on that unit's connection and no other caller's may: there
 * such calls are not batched (Prisma's own transactions still batch theirs, by transaction).
 * Without this, on the embedded database a keyed request's read batched behind a keyless one
 * waits for the keyed request's own transaction to end, forever.
 */
function unbatchInsideUnitsOfWork(prisma: PrismaClient, pool: UnitOfWorkPool) {
  const batching = (prisma as unknown as { _requestHandler?: { dataloader?: { options?: Partial<PrismaBatching> } } })._requestHandler?.dataloader?.options;
  if (typeof batching?.batchBy !== 'function') {
    throw new Error('@prisma/client changed its internals: review unbatchInsideUnitsOfWork in api/src/db/client.ts before upgrading it');
  }
  const batchBy = batching.batchBy.bind(batching);
  batching.batchBy = (request) => (request.transaction === undefined && withinUnitOfWork(pool) ? undefined : batchBy(request));
}
