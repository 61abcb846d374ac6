import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres } from './embedded.ts';

export interface Database {
  url: string;
  kind: 'postgresql' | 'embedded';
  stop(): Promise<void>;
}

interface EmbeddedLock {
  pid: number;
  url: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * DATABASE_URL when set; otherwise embedded PostgreSQL with its data under dataDir. PGlite must
 * not open one data directory from two processes, so the process that serves it records its URL
 * in a lock file and a second process (the bootstrap command, say) connects to that one instead.
 */
export async function openDatabase(options: { databaseUrl?: string | undefined; dataDir: string; port: number }): Promise<Database> {
  if (options.databaseUrl) return { url: options.databaseUrl, kind: 'postgresql', stop: async () => {} };
  const dataDir = resolve(options.dataDir);
  const lockPath = join(dataDir, 'embedded-postgres.json');
  const existing = await readFile(lockPath, 'utf8')
    .then((text) => JSON.parse(text) as EmbeddedLock)
    .catch(() => null);
  if (existing && existing.pid !== process.pid && isAlive(existing.pid)) {
    return { url: existing.url, kind: 'embedded', stop: async () => {} };
  }
  await mkdir(dataDir, { recursive: true });
  const embedded = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pgdata'), port: options.port });
  await writeFile(lockPath, JSON.stringify({ pid: process.pid, url: embedded.url } satisfies EmbeddedLock));
  return {
    url: embedded.url,
    kind: 'embedded',
    async stop() {
      await embedded.stop();
      await rm(lockPath, { force: true });
    },
  };
}
