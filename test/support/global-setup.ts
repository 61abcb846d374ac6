import type { TestProject } from 'vitest/node';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../api/src/db/embedded.ts';
import { applyMigrations } from '../../api/src/db/migrate.ts';

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
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const embedded = await startEmbeddedPostgres();
    await applyMigrations(embedded.url);
    project.provide('databaseUrl', embedded.url);
    project.provide('databaseKind', 'embedded');
    return () => embedded.stop();
  }
  const name = `tajo_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  project.provide('databaseUrl', url.toString());
  project.provide('databaseKind', 'postgresql');
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  };
}
