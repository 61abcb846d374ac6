/** tajo sources: Workato sources. */
import { readFile } from 'node:fs/promises';
import type { Source } from '../client.ts';
import { required, type Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { fields, json, table } from '../render.ts';

const row = (source: Source) => ({
  id: source.id,
  name: source.name,
  kind: source.kind,
  dataCenter: source.dataCenter,
  smokeTest: source.smokeTest.status,
  backfill: source.backfillEnabled ? 'on' : 'off',
  hints: source.hintsEnabled ? 'on' : 'off',
});

const describe = (source: Source) =>
  fields([
    ['id', source.id],
    ['name', source.name],
    ['kind', source.kind],
    ['data center', source.dataCenter],
    ['config', source.eventStream ?? source.developerApi ?? source.mcp],
    ['smoke test', source.smokeTest.failure ? `${source.smokeTest.status} (${source.smokeTest.failure.category}: ${source.smokeTest.failure.detail})` : source.smokeTest.status],
    ['backfill', source.backfillEnabled ? 'enabled' : 'disabled'],
    ['hints', source.hintsEnabled ? 'enabled' : 'disabled'],
    ['hint path', source.hintPath],
    ['mapping version', source.mappingVersion],
    ['last rate limit', source.lastRateLimit],
    ['created', source.createdAt],
  ]);

async function readBody(file: string): Promise<unknown> {
  const text = file === '-' ? await new Promise<string>((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8').on('data', (chunk) => (data += chunk)).once('end', () => resolve(data)).once('error', reject);
  }) : await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--file: cannot read ${file}: ${error.code ?? error.message}`);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--file: ${file} is not JSON: ${(error as Error).message}`);
  }
}

export const sourceCommands: Command[] = [
  {
    words: ['sources', 'list'],
    summary: 'List sources.',
    async run(ctx) {
      const sources = await ctx.client().all<Source>('/sources', { limit: 200 });
      ctx.io.out(ctx.json ? json(sources) : table(sources.map(row), ['id', 'name', 'kind', 'dataCenter', 'smokeTest', 'backfill', 'hints']));
    },
  },
  {
    words: ['sources', 'get'],
    args: ['ID'],
    summary: 'Show a source (never its token).',
    async run(ctx) {
      const source = await ctx.client().get<Source>(`/sources/${ctx.args[0]}`);
      ctx.io.out(ctx.json ? json(source) : describe(source));
    },
  },
  {
    words: ['sources', 'create'],
    synopsis: '--file source.json',
    summary: 'Add a source from a JSON file (- for stdin), as POST /v1/sources takes it; its smoke test runs.',
    options: { file: { type: 'string' } },
    async run(ctx) {
      const source = await ctx.client().post<Source>('/sources', await readBody(required(ctx, 'file')));
      ctx.io.out(ctx.json ? json(source) : `Source ${source.name} created.\n${describe(source)}`);
    },
  },
  {
    words: ['sources', 'smoke-test'],
    args: ['ID'],
    summary: "Run a source's smoke test again; exits 1 unless it passes.",
    async run(ctx) {
      const source = await ctx.client().post<Source>(`/sources/${ctx.args[0]}/smoke-test`);
      ctx.io.out(ctx.json ? json(source.smokeTest) : describe(source));
      return source.smokeTest.status === 'passed' ? 0 : 1;
    },
  },
];
