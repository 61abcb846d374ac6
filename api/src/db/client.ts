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
  const prisma = new PrismaClient({ adapter: new PrismaPg(sql, { disposeExternalPool: true }) });
  return Object.assign(prisma, { sql });
}
