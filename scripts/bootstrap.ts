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

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, port: config.EMBEDDED_DB_PORT });
try {
  await applyMigrations(database.url);
  const db = createDb(database.url, 1);
  const { box } = await loadSecretBox(config.TAJO_ENCRYPTION_KEY, config.DATA_DIR);
  const auth = new AuthService(db, new AccessTokens(box));
  const { workspace, secret } = await new WorkspaceService(db, auth).createWithAdminKey({
    name: values.name.trim(),
    ...(region?.success ? { defaultPhoneRegion: region.data } : {}),
    ...(source?.success ? { sourceName: source.data } : {}),
  });
  await db.$disconnect();
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ workspaceId: workspace.id, name: workspace.name, apiKey: secret })}\n`);
  } else {
    process.stdout.write(`Workspace "${workspace.name}" (${workspace.id}) created.\nAdmin API key (shown only now, store it):\n\n  ${secret}\n\n`);
  }
} finally {
  await database.stop();
}
