import { createHash } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startEmbeddedPostgres } from '../../api/src/db/embedded.ts';
import { freshDatabase, type ScratchDatabase } from '../support/scratch-database.ts';
import { applyMigrations, pendingMigrations } from '../../api/src/db/migrate.ts';
import { DEFAULT_PATHS, pendingMigrationSql, writeMigration } from '../../scripts/generate-migration.ts';
import { EMPTY, openSchemaEngine, schemaTarget } from '../../scripts/lib/schema-engine.ts';
import type { SchemaEngineSession } from '../../scripts/lib/schema-engine.ts';

const MIGRATIONS_TABLE = '_prisma_migrations';

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * What the database is, as far as a schema goes: relations, columns, indexes, constraints,
 * sequences, enums, extensions of the public schema, leaving out Prisma's bookkeeping table.
 * Column order is left out on purpose: a migration appends a new column where a fresh CREATE
 * TABLE puts it in model order, and nothing depends on it.
 */
async function describeCatalog(url: string) {
  return withClient(url, async (client) => {
    const rows = async (sql: string, params: string[] = []) => (await client.query(sql, params)).rows;
    const others = [MIGRATIONS_TABLE];
    return {
      relations: await rows(`
        SELECT c.relname AS name, c.relkind AS kind
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relname <> $1
         ORDER BY 1`, others),
      columns: await rows(`
        SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
               a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
               a.attidentity AS identity, a.attgenerated AS generated, co.collname AS collation
          FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
           AND c.relname <> $1
         ORDER BY 1, 2`, others),
      indexes: await rows(`
        SELECT tablename AS table, indexname AS name, indexdef AS definition
          FROM pg_indexes WHERE schemaname = 'public' AND tablename <> $1
         ORDER BY 1, 2`, others),
      // PostgreSQL 18 also lists NOT NULL as constraints (contype 'n'); columns cover those.
      constraints: await rows(`
        SELECT c.relname AS table, con.conname AS name, con.contype AS type,
               pg_get_constraintdef(con.oid) AS definition, con.condeferrable AS deferrable,
               con.condeferred AS deferred
          FROM pg_constraint con
          JOIN pg_class c ON c.oid = con.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND con.contype <> 'n' AND c.relname <> $1
         ORDER BY 1, 2`, others),
      sequences: await rows(`
        SELECT sequencename AS name, data_type, start_value, increment_by, min_value, max_value, cycle
          FROM pg_sequences WHERE schemaname = 'public'
         ORDER BY 1`),
      enums: await rows(`
        SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
          FROM pg_type t
          JOIN pg_enum e ON e.enumtypid = t.oid
          JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = 'public'
         GROUP BY 1 ORDER BY 1`),
      extensions: await rows(`SELECT extname AS name FROM pg_extension ORDER BY 1`),
    };
  });
}

let engine: SchemaEngineSession;

beforeAll(async () => {
  engine = await openSchemaEngine();
});

afterAll(async () => {
  await engine?.close();
});

const temporaryDirs: string[] = [];

afterEach(async () => {
  await Promise.all(temporaryDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function temporaryDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tajo-migrations-'));
  temporaryDirs.push(dir);
  return dir;
}

/** A copy of the committed migrations that a test may change. */
async function copyOfMigrations(): Promise<string> {
  const dir = path.join(await temporaryDir(), 'migrations');
  await cp(DEFAULT_PATHS.migrationsDir, dir, { recursive: true });
  return dir;
}

async function committedMigrationNames(): Promise<string[]> {
  const entries = await readdir(DEFAULT_PATHS.migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

describe('schema.prisma and the committed migrations', () => {
  test('build the same database', async () => {
    const [migrated, fromSchema] = await Promise.all([startEmbeddedPostgres(), startEmbeddedPostgres()]);
    try {
      await applyMigrations(migrated.url);
      const schemaSql = await engine.diff(EMPTY, await schemaTarget(DEFAULT_PATHS.schemaPath));
      await withClient(fromSchema.url, (client) => client.query(schemaSql));

      const [expected, actual] = await Promise.all([describeCatalog(fromSchema.url), describeCatalog(migrated.url)]);
      expect(expected.relations.map((relation) => relation.name)).toContain('contacts');
      expect(actual).toEqual(expected);
    } finally {
      await Promise.all([migrated.stop(), fromSchema.stop()]);
    }
  });

  test('generate-migration --check finds nothing missing', async () => {
    expect(await pendingMigrationSql(engine)).toBe('');
  });

  test('a schema change is caught, and the migration written for it covers it', async () => {
    const dir = await temporaryDir();
    const schemaPath = path.join(dir, 'schema.prisma');
    const schema = await readFile(DEFAULT_PATHS.schemaPath, 'utf8');
    const changed = schema.replace(/(model Contact \{\n)/, '$1  nickname String?\n');
    expect(changed).not.toBe(schema);
    await writeFile(schemaPath, changed);
    const paths = { schemaPath, migrationsDir: await copyOfMigrations() };

    const sql = await pendingMigrationSql(engine, paths);
    expect(sql).toMatch(/ALTER TABLE "contacts" ADD COLUMN\s+"nickname" TEXT;/);

    await writeMigration(paths.migrationsDir, '29991231235959_add_nickname', sql);
    expect(await readFile(path.join(paths.migrationsDir, '29991231235959_add_nickname', 'migration.sql'), 'utf8')).toBe(
      sql,
    );
    expect(await pendingMigrationSql(engine, paths)).toBe('');
  });
});

describe(`applyMigrations on ${process.env.DATABASE_URL ? 'PostgreSQL from DATABASE_URL' : 'embedded PGlite'}`, () => {
  let database: ScratchDatabase;
  let url: string;

  beforeAll(async () => {
    database = await freshDatabase('tajo_mig');
    url = database.url;
  });

  afterAll(async () => {
    await database?.drop();
  });

  // A clean slate per test, cheaper than a database each (a PGlite takes about 2 s to start).
  beforeEach(async () => {
    await withClient(url, (client) => client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public'));
  });

  test('applies each committed migration once and records it as Prisma does', async () => {
    const names = await committedMigrationNames();
    expect(await pendingMigrations(url)).toEqual(names);

    expect(await applyMigrations(url)).toEqual({ applied: names });
    expect(await applyMigrations(url)).toEqual({ applied: [] });
    expect(await pendingMigrations(url)).toEqual([]);

    const { rows } = await withClient(url, (client) =>
      client.query(`SELECT * FROM ${MIGRATIONS_TABLE} ORDER BY started_at`),
    );
    const checksums = await Promise.all(
      names.map(async (name) => {
        const bytes = await readFile(path.join(DEFAULT_PATHS.migrationsDir, name, 'migration.sql'));
        return createHash('sha256').update(bytes).digest('hex');
      }),
    );
    expect(rows).toEqual(
      names.map((name, index) => ({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        checksum: checksums[index],
        finished_at: expect.any(Date),
        migration_name: name,
        logs: null,
        rolled_back_at: null,
        started_at: expect.any(Date),
        applied_steps_count: 1,
      })),
    );

    const columns = await withClient(url, (client) =>
      client.query(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                pg_get_expr(d.adbin, d.adrelid) AS default
           FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 ORDER BY a.attnum`,
        [MIGRATIONS_TABLE],
      ),
    );
    expect(columns.rows).toEqual([
      { name: 'id', type: 'character varying(36)', not_null: true, default: null },
      { name: 'checksum', type: 'character varying(64)', not_null: true, default: null },
      { name: 'finished_at', type: 'timestamp with time zone', not_null: false, default: null },
      { name: 'migration_name', type: 'character varying(255)', not_null: true, default: null },
      { name: 'logs', type: 'text', not_null: false, default: null },
      { name: 'rolled_back_at', type: 'timestamp with time zone', not_null: false, default: null },
      { name: 'started_at', type: 'timestamp with time zone', not_null: true, default: 'now()' },
      { name: 'applied_steps_count', type: 'integer', not_null: true, default: '0' },
    ]);
  });

  test('refuses to start when an applied migration was edited', async () => {
    const migrationsDir = await copyOfMigrations();
    await applyMigrations(url, { migrationsDir });
    const [first] = await committedMigrationNames();
    await appendFile(path.join(migrationsDir, first!, 'migration.sql'), '\n-- edited\n');
    await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(
      `Migration ${first} was modified after it was applied`,
    );
  });

  test('refuses to start when an applied migration is missing from the directory', async () => {
    const migrationsDir = await copyOfMigrations();
    await applyMigrations(url, { migrationsDir });
    const [first] = await committedMigrationNames();
    await rm(path.join(migrationsDir, first!), { recursive: true });
    await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(
      `Migration ${first} is applied to the database but missing from the migrations directory`,
    );
  });

  test('refuses to start after a failed migration, and rolls a failing one back', async () => {
    const migrationsDir = await copyOfMigrations();
    await applyMigrations(url, { migrationsDir });
    const failing = path.join(migrationsDir, '29991231235959_failing');
    await mkdir(failing);
    await writeFile(path.join(failing, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT 1 / 0;\n');

    await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(
      'Migration 29991231235959_failing failed and was rolled back: division by zero',
    );
    expect(await pendingMigrations(url, { migrationsDir })).toEqual(['29991231235959_failing']);
    const leftovers = await withClient(url, (client) =>
      client.query(`SELECT to_regclass('half_done') AS half_done, count(*)::int AS rows FROM ${MIGRATIONS_TABLE}
                     WHERE migration_name = '29991231235959_failing'`),
    );
    expect(leftovers.rows).toEqual([{ half_done: null, rows: 0 }]);

    // What a failed `prisma migrate deploy` leaves behind: a row that never finished.
    await withClient(url, (client) =>
      client.query(
        `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, migration_name, logs) VALUES ($1, $2, $3, 'boom')`,
        ['00000000-0000-4000-8000-000000000000', '0'.repeat(64), '29991231235959_failing'],
      ),
    );
    await expect(applyMigrations(url, { migrationsDir })).rejects.toThrow(
      'Migration 29991231235959_failing (started',
    );
  });

  test('two runners at once apply each migration once', async () => {
    const names = await committedMigrationNames();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url)]);
    expect(results.flatMap((result) => result.applied)).toEqual(names);
    const { rows } = await withClient(url, (client) =>
      client.query(`SELECT count(*)::int AS count FROM ${MIGRATIONS_TABLE}`),
    );
    expect(rows).toEqual([{ count: names.length }]);
  });
});
