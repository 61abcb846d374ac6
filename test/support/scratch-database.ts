import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../api/src/db/embedded.ts';

export interface ScratchDatabase {
  url: string;
  /** Removes the database (or stops the embedded one). */
  drop(): Promise<void>;
}

/** A new, empty database on the PostgreSQL server at serverUrl, named `<prefix>_<random>`. */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = new pg.Client(serverUrl);
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A scratch database on DATABASE_URL's server when it is set, else an in-memory embedded one. */
export async function freshDatabase(prefix: string): Promise<ScratchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) return createScratchDatabase(serverUrl, prefix);
  const embedded = await startEmbeddedPostgres();
  return { url: embedded.url, drop: () => embedded.stop() };
}
