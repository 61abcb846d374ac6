import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

/**
 * Prisma on the pg driver adapter (no native engine; the same client for PGlite and PostgreSQL),
 * plus the pg pool beneath it as `sql` for the few hot statements Prisma cannot express or
 * would slow down (the contact write path). One pool: `$disconnect()` closes both.
 */
export type Db = PrismaClient & { readonly sql: pg.Pool };

export function createDb(connectionString: string, poolSize: number): Db {
  const sql = new pg.Pool({ connectionString, max: poolSize });
  // A database restart (or an administrator) ends every connection. Each client's error must have a
  // listener, idle or checked out, or the process dies of an unhandled 'error' event: the query in
  // flight fails by itself, and the pool drops the broken client and connects anew.
  const ignore = () => undefined;
  sql.on('error', ignore);
  sql.on('connect', (client) => client.on('error', ignore));
  const prisma = new PrismaClient({ adapter: new PrismaPg(sql, { disposeExternalPool: true }) });
  return Object.assign(prisma, { sql });
}
