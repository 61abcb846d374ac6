import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { keepConversationsWhole } from './pglite-conversations.ts';

/**
 * The zero-setup database: PGlite (PostgreSQL compiled to WebAssembly) served over the real
 * PostgreSQL wire protocol on a loopback port, so Prisma, pg and pg-boss use it unchanged.
 * Single-threaded: right for a demo, a laptop and tests, not for load.
 */
export interface EmbeddedPostgres {
  /** A postgresql:// URL for any PostgreSQL client. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Directory for persistent data; in memory when absent. */
  dataDir?: string;
  /** Loopback port; 0 picks a free one. */
  port?: number;
}

// The socket server multiplexes client connections onto the one PGlite; its default of a single
// connection drops the second pool (pg-boss next to Prisma), so allow a realistic number.
const MAX_CONNECTIONS = 32;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    maxConnections: MAX_CONNECTIONS,
  });
  keepConversationsWhole(server);
  await server.start();
  return {
    // getServerConn() answers 'host:port' with the port actually bound (port 0 picks one).
    url: `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
