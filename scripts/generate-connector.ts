/**
 * Writes connector/connector.rb from openapi/openapi.json (`npm run generate:connector`);
 * `--check` fails instead when the committed connector differs from a fresh generation.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { renderConnector } from './connector/render.ts';
import type { OpenApiDocument } from '../api/src/operations/catalog.ts';

const specFile = new URL('../openapi/openapi.json', import.meta.url);
const target = new URL('../connector/connector.rb', import.meta.url);

const spec = JSON.parse(await readFile(specFile, 'utf8')) as OpenApiDocument;
const rendered = renderConnector(spec);
if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== rendered) {
    process.stderr.write('connector/connector.rb differs from a fresh generation: run `npm run generate:connector` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('connector/connector.rb is up to date\n');
} else {
  await mkdir(new URL('.', target), { recursive: true });
  await writeFile(target, rendered);
  process.stdout.write(`wrote ${target.pathname}\n`);
}
