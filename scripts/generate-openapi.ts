/**
 * Writes openapi/openapi.json from the API's route schemas. Deterministic: the same routes give
 * the same bytes, so CI can regenerate and compare. (`npm run generate:openapi` then derives
 * openapi/types.ts from it with openapi-typescript.)
 */
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../api/src/security/secret-box.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { buildApp } from '../api/src/app.ts';
import { createDb } from '../api/src/db/client.ts';
import { loadConfig } from '../api/src/config/config.ts';

export async function renderOpenApi(): Promise<string> {
  // Building the app opens no connection; the spec needs the routes, not a database.
  const db = createDb('postgresql://unused@127.0.0.1:1/unused', 1);
  const app = await buildApp({
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    db,
    logger: { level: 'silent' },
    // Describing the routes seals nothing; any key will do.
    secrets: new SecretBox(randomBytes(32)),
  });
  await app.ready();
  const document = app.swagger();
  await app.close();
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = new URL('../openapi/openapi.json', import.meta.url);
  await mkdir(new URL('.', target), { recursive: true });
  await writeFile(target, await renderOpenApi());
  process.stdout.write(`wrote ${target.pathname}\n`);
}
