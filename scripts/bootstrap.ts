/**
 * Creates a workspace and prints its first admin API key, once.
 *   npm run bootstrap -- --name "Acme Marketing" [--region GB] [--source workato]
 * Uses DATABASE_URL, or the embedded database under DATA_DIR (the running API's, if it is up).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../api/src/config/config.ts';
import { openDatabase } from '../api/src/db/database.ts';
import { applyMigrations } from '../api/src/db/migrate.ts';
import { createDb } from '../api/src/db/client.ts';
import { AuthService } from '../api/src/auth/service.ts';
import { AccessTokens } from '../api/src/auth/access-tokens.ts';
import { loadSecretBox } from '../api/src/security/secret-box.ts';
import { WorkspaceService } from '../api/src/workspaces/service.ts';
import { ZPhoneRegion, ZSourceName } from '../api/src/workspaces/schemas.ts';

const { values } = parseArgs({
  options: {
    name: { type: 'string' },
    region: { type: 'string' },
    source: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

if (!values.name?.trim()) fail('Usage: npm run bootstrap -- --name "Workspace name" [--region GB] [--source workato] [--json]');
const region = values.region === undefined ? undefined : ZPhoneRegion.safeParse(values.region);
if (region && !region.success) fail(`--region: ${region.error.issues[0]?.message}`);
const source = values.source === undefined ? undefined : ZSourceName.safeParse(values.source);
if (source && !source.success) fail(`--source: ${source.error.issues[0]?.message}`);

/** Where the database is, for an error message: host, port and name, never the credentials. */
function databaseName(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL (not a URL)';
  }
}

/** An error's own words: a refused connection's code and address, a server's message, a bad setting. */
function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code && /^E[A-Z]+$/.test(code) && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`bootstrap: ${reason(error)}\n`);
  process.exit(1);
}

let stage = 'open the database';
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_DB_PORT }).catch((error: unknown) => {
  process.stderr.write(`bootstrap: cannot ${stage} (embedded, in ${config.DATA_DIR}): ${reason(error)}\n`);
  process.exit(1);
});
let db: ReturnType<typeof createDb> | undefined;
try {
  await applyMigrations(database.url);
  stage = 'create the workspace';
  db = createDb(database.url, 1);
  const { box } = await loadSecretBox(config.TAJO_ENCRYPTION_KEY, config.DATA_DIR);
  const auth = new AuthService(db, new AccessTokens(box));
  const { workspace, secret } = await new WorkspaceService(db, auth).createWithAdminKey({
    name: values.name.trim(),
    ...(region?.success ? { defaultPhoneRegion: region.data } : {}),
    ...(source?.success ? { sourceName: source.data } : {}),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ workspaceId: workspace.id, name: workspace.name, apiKey: secret })}\n`);
  } else {
    process.stdout.write(`Workspace "${workspace.name}" (${workspace.id}) created.\nAdmin API key (shown only now, store it):\n\n  ${secret}\n\n`);
  }
} catch (error) {
  // A refused connection, a missing database, a migration history that cannot be trusted: one line, exit 1.
  const where = database.kind === 'postgresql' ? databaseName(database.url) : `embedded, in ${config.DATA_DIR}`;
  process.stderr.write(`bootstrap: cannot ${stage} at ${where}: ${reason(error)}\n`);
  process.exitCode = 1;
} finally {
  await db?.$disconnect();
  await database.stop();
}
