/**
 * Writes the migration that brings the committed migrations up to prisma/schema.prisma, in
 * Prisma's own layout (prisma/migrations/<timestamp>_<name>/migration.sql), like
 * `prisma migrate dev --create-only` would on a machine with the native schema engine.
 *
 *   npm run generate:migrations -- --name add_contact_notes   write the next migration
 *   npm run generate:migrations -- --check                    exit 1 if one is missing (CI)
 *
 * --timestamp YYYYMMDDHHMMSS names the directory instead of the current UTC time.
 *
 * The base of the diff is what Prisma itself uses: the migrations directory, replayed by the
 * engine on an empty shadow database (a fresh PGlite) and introspected. That is the database the
 * migrations really build, hand edits included, rather than a guess from an older schema file.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  MIGRATION_LOCK,
  MIGRATION_LOCK_FILE,
  migrationsTarget,
  openSchemaEngine,
  schemaTarget,
} from './lib/schema-engine.ts';
import type { SchemaEngineSession } from './lib/schema-engine.ts';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface MigrationPaths {
  schemaPath: string;
  migrationsDir: string;
}

export const DEFAULT_PATHS: MigrationPaths = {
  schemaPath: path.join(REPO_ROOT, 'prisma', 'schema.prisma'),
  migrationsDir: path.join(REPO_ROOT, 'prisma', 'migrations'),
};

/** The SQL the next migration needs: '' when the migrations already build schema.prisma's database. */
export async function pendingMigrationSql(engine: SchemaEngineSession, paths = DEFAULT_PATHS): Promise<string> {
  return engine.diff(await migrationsTarget(paths.migrationsDir), await schemaTarget(paths.schemaPath));
}

/** Writes `<timestamp>_<name>/migration.sql` and the lock file; returns the migration's directory. */
export async function writeMigration(migrationsDir: string, migrationName: string, sql: string): Promise<string> {
  const existing = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const latest = existing
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .at(-1);
  // Migrations run in name order: a new one that sorts first would never run where the others have.
  if (latest !== undefined && migrationName <= latest) {
    throw new Error(`Migration ${migrationName} would sort before the existing ${latest}; use a later --timestamp.`);
  }
  const directory = path.join(migrationsDir, migrationName);
  await mkdir(directory, { recursive: true });
  await writeFile(path.join(directory, 'migration.sql'), sql);
  await writeFile(path.join(migrationsDir, MIGRATION_LOCK_FILE), MIGRATION_LOCK);
  return directory;
}

/** Prisma's migration timestamp: the UTC time as YYYYMMDDHHMMSS. */
function utcTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

interface Options {
  name: string;
  timestamp: string;
  check: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string', default: 'migration' },
      timestamp: { type: 'string', default: utcTimestamp() },
      check: { type: 'boolean', default: false },
    },
  });
  if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(values.name)) {
    throw new Error(`--name must be snake_case (letters, digits, underscores): ${values.name}`);
  }
  if (!/^\d{14}$/.test(values.timestamp)) {
    throw new Error(`--timestamp must be YYYYMMDDHHMMSS: ${values.timestamp}`);
  }
  return { name: values.name, timestamp: values.timestamp, check: values.check };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  const engine = await openSchemaEngine();
  let sql: string;
  try {
    sql = await pendingMigrationSql(engine);
  } finally {
    await engine.close();
  }
  const schemaFile = path.relative(process.cwd(), DEFAULT_PATHS.schemaPath);
  if (sql === '') {
    console.log('migrations are up to date');
    return 0;
  }
  if (options.check) {
    console.error(
      `${schemaFile} has changes that no committed migration covers. Run\n` +
        `  npm run generate:migrations -- --name <what_changed>\n` +
        `and commit the new directory under prisma/migrations. The missing SQL:\n\n${sql}`,
    );
    return 1;
  }
  const directory = await writeMigration(DEFAULT_PATHS.migrationsDir, `${options.timestamp}_${options.name}`, sql);
  console.log(`wrote ${path.relative(process.cwd(), path.join(directory, 'migration.sql'))}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    return 1;
  });
}
