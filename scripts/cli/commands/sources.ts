/** tajo sources: Workato sources. */
import { readFile } from 'node:fs/promises';
import type { Source, SourceDeletion, SourceUpdate } from '../client.ts';
import { oneOf, required, type Command, type Context } from '../command.ts';
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

const SWITCHES = { backfill: 'backfillEnabled', hints: 'hintsEnabled' } as const;

/** The changes of `sources update`: the --file's object, with --backfill and --hints on top. */
async function changes(ctx: Context): Promise<SourceUpdate> {
  const file = ctx.values.file;
  const body = file === undefined ? {} : await readBody(required(ctx, 'file'));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new UsageError(`--file: ${String(file)} must hold a JSON object of the fields to change`, ctx.usage);
  const update = { ...body } as Record<string, unknown>;
  for (const [option, field] of Object.entries(SWITCHES)) {
    const value = oneOf(ctx, option, ['on', 'off'] as const);
    if (value !== undefined) update[field] = value === 'on';
  }
  if (Object.keys(update).length === 0) throw new UsageError('nothing to change: give --file, --backfill or --hints', ctx.usage);
  return update as SourceUpdate;
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
    words: ['sources', 'update'],
    args: ['ID'],
    synopsis: '[--file changes.json] [--backfill on|off] [--hints on|off]',
    summary: 'Change a source: the fields in the JSON file (- for stdin), as PATCH /v1/sources/{id} takes them; a credential or setting change runs its smoke test again.',
    options: { file: { type: 'string' }, backfill: { type: 'string' }, hints: { type: 'string' } },
    async run(ctx) {
      const source = await ctx.client().patch<Source>(`/sources/${ctx.args[0]}`, await changes(ctx));
      ctx.io.out(ctx.json ? json(source) : `Source ${source.name} updated.\n${describe(source)}`);
    },
  },
  {
    words: ['sources', 'delete'],
    args: ['ID'],
    summary: 'Delete a source with its sync jobs, stored payloads and hints (the contacts and events it brought stay).',
    async run(ctx) {
      const deleted = await ctx.client().delete<SourceDeletion>(`/sources/${ctx.args[0]}`);
      ctx.io.out(ctx.json ? json(deleted) : `Source ${deleted.id} deleted.\n`);
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
