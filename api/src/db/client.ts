import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient;

/** Prisma on the pg driver adapter: no native query engine, the same client for PGlite and PostgreSQL. */
export function createDb(connectionString: string, poolSize: number): Db {
  const adapter = new PrismaPg({ connectionString, max: poolSize });
  return new PrismaClient({ adapter });
}
