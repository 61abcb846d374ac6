/**
 * Applies the committed migrations (prisma/migrations/<name>/migration.sql) at start-up, recording
 * them in Prisma's `_prisma_migrations` table exactly as Prisma Migrate does, so that the real
 * `prisma migrate deploy` / `migrate status` can take over the same database at any time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

// Prisma Migrate's session lock key: with the same key, this runner and `prisma migrate deploy`
// never apply migrations to one database at the same time.
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

// The table as Prisma's schema engine creates it (sql-schema-connector, PostgreSQL flavour).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationOptions {
  /** Directory of migration directories; the repository's prisma/migrations by default. */
  migrationsDir?: string;
  log?: (msg: string) => void;
}

interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
  /** Checksums the file also matches once git has changed its line endings (as Prisma allows). */
  acceptedChecksums: Set<string>;
}

interface MigrationRecord {
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies every migration not yet applied, in name order, each in its own transaction together
 * with its `_prisma_migrations` row. Refuses (throws) when the history cannot be trusted: a failed
 * migration left by `prisma migrate deploy`, an applied migration edited or missing since.
 */
export async function applyMigrations(
  connectionString: string,
  options: MigrationOptions = {},
): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const records = await readRecords(client);
      assertHistoryIsSound(migrations, records);
      const applied: string[] = [];
      for (const migration of pendingOf(migrations, records)) {
        if (await applyMigration(client, migration)) {
          log(`applied migration ${migration.name}`);
          applied.push(migration.name);
        }
      }
      if (applied.length === 0) log('no pending migrations');
      return { applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** Names of the committed migrations that have not been applied successfully, in order. */
export async function pendingMigrations(connectionString: string, options: MigrationOptions = {}): Promise<string[]> {
  const migrations = await readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>(
      "SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists",
    );
    const records = rows[0]?.exists ? await readRecords(client) : [];
    return pendingOf(migrations, records).map((migration) => migration.name);
  } finally {
    await client.end();
  }
}

async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const bytes = await readFile(path.join(migrationsDir, name, 'migration.sql'));
      const sql = bytes.toString('utf8');
      const checksum = sha256(bytes);
      return {
        name,
        sql,
        checksum,
        acceptedChecksums: new Set([
          checksum,
          sha256(sql.replaceAll('\r\n', '\n')),
          sha256(sql.replaceAll('\n', '\r\n')),
        ]),
      };
    }),
  );
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function readRecords(client: pg.Client): Promise<MigrationRecord[]> {
  const { rows } = await client.query<MigrationRecord>(
    `SELECT migration_name, checksum, started_at, finished_at, rolled_back_at
       FROM _prisma_migrations ORDER BY started_at`,
  );
  return rows;
}

/** Rows marked rolled back (`prisma migrate resolve --rolled-back`) are history only, as in Prisma. */
function isLive(record: MigrationRecord): boolean {
  return record.rolled_back_at === null;
}

function pendingOf(migrations: LocalMigration[], records: MigrationRecord[]): LocalMigration[] {
  const applied = new Set(
    records.filter((record) => isLive(record) && record.finished_at !== null).map((r) => r.migration_name),
  );
  return migrations.filter((migration) => !applied.has(migration.name));
}

function assertHistoryIsSound(migrations: LocalMigration[], records: MigrationRecord[]): void {
  const failed = records.find((record) => isLive(record) && record.finished_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} (started ${failed.started_at.toISOString()}) failed and is not resolved, ` +
        'so no migration will be applied. Repair the database, then mark it with ' +
        `\`prisma migrate resolve --applied ${failed.migration_name}\` or \`--rolled-back ${failed.migration_name}\` ` +
        '(see https://pris.ly/d/migrate-resolve).',
    );
  }
  const byName = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const record of records.filter(isLive)) {
    const migration = byName.get(record.migration_name);
    if (!migration) {
      throw new Error(
        `Migration ${record.migration_name} is applied to the database but missing from the migrations directory: ` +
          'this code is older than the database, or the migration was deleted.',
      );
    }
    if (!migration.acceptedChecksums.has(record.checksum)) {
      throw new Error(
        `Migration ${record.migration_name} was modified after it was applied (checksum ${record.checksum} in the ` +
          `database, ${migration.checksum} on disk). Restore the file and put the change in a new migration.`,
      );
    }
  }
}

/**
 * One migration and its record, atomically: a failure leaves neither (so, unlike a failed
 * `prisma migrate deploy`, nothing to resolve by hand). Returns false when another runner has
 * applied it meanwhile: on embedded PGlite every connection shares one session, so the advisory
 * lock does not exclude, but transactions are serialized; the check inside the transaction does.
 */
async function applyMigration(client: pg.Client, migration: LocalMigration): Promise<boolean> {
  await client.query('BEGIN');
  try {
    const { rowCount } = await client.query(
      `SELECT 1 FROM _prisma_migrations
        WHERE migration_name = $1 AND finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      [migration.name],
    );
    if (rowCount) {
      await client.query('ROLLBACK');
      return false;
    }
    const id = randomUUID();
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, clock_timestamp())`,
      [id, migration.checksum, migration.name],
    );
    await client.query(migration.sql);
    await client.query(
      `UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {}); // a broken connection has rolled back already
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${reason}`, { cause: error });
  }
}
