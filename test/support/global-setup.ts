import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { freshDatabase } from './scratch-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: 'postgresql' | 'embedded';
  }
}

/**
 * One migrated database for the run: embedded PGlite by default, or a fresh database on the
 * server named by DATABASE_URL (created here and dropped afterwards, so runs never collide).
 */
export default async function setup(project: TestProject) {
  const database = await freshDatabase('tajo_test');
  await applyMigrations(database.url);
  project.provide('databaseUrl', database.url);
  project.provide('databaseKind', process.env.DATABASE_URL ? 'postgresql' : 'embedded');
  return () => database.drop();
}
