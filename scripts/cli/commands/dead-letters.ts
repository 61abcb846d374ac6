/** tajo dead-letters: records Brevo refused or that could not be mapped. */
import { writeFile } from 'node:fs/promises';
import type { DeadLetter } from '../client.ts';
import { integer, oneOf, required, type Command, type Context } from '../command.ts';
import { UsageError } from '../errors.ts';
import { deadLettersCsv, json, table } from '../render.ts';

const CATEGORIES = ['mapping', 'validation', 'authentication', 'permission', 'rate_limited', 'vendor_unavailable'] as const;
const STATUSES = ['open', 'retried', 'discarded'] as const;

const query = (ctx: Context, status: string | undefined) => ({
  category: oneOf(ctx, 'category', CATEGORIES),
  status,
  limit: integer(ctx, 'page-size', 1) ?? 200,
});

const handle = (verb: 'retry' | 'discard', summary: string): Command => ({
  words: ['dead-letters', verb],
  args: ['ID'],
  summary,
  async run(ctx) {
    const letter = await ctx.client().post<DeadLetter>(`/dead-letters/${ctx.args[0]}/${verb}`);
    ctx.io.out(ctx.json ? json(letter) : `Dead letter ${letter.id} is ${letter.status}.\n`);
  },
});

export const deadLetterCommands: Command[] = [
  {
    words: ['dead-letters', 'list'],
    synopsis: '[--category C] [--status open|retried|discarded]',
    summary: 'List dead letters, oldest first.',
    options: { category: { type: 'string' }, status: { type: 'string' }, 'page-size': { type: 'string' } },
    async run(ctx) {
      const letters = await ctx.client().all<DeadLetter>('/dead-letters', query(ctx, oneOf(ctx, 'status', STATUSES)));
      ctx.io.out(ctx.json ? json(letters) : table(letters, ['id', 'category', 'status', 'sourceObjectId', 'syncJobId', 'reason', 'createdAt']));
    },
  },
  handle('retry', 'Activate the record again with its current data (never sends twice).'),
  handle('discard', 'Mark it handled without activating the record.'),
  {
    words: ['dead-letters', 'export'],
    synopsis: '--format csv|json [--category C] [--out FILE]',
    summary: 'Every open dead letter, page after page, as CSV (a header row, RFC 4180 quoting) or a JSON array; to stdout or FILE.',
    options: { format: { type: 'string' }, category: { type: 'string' }, out: { type: 'string' }, 'page-size': { type: 'string' } },
    async run(ctx) {
      const format = oneOf(ctx, 'format', ['csv', 'json'] as const) ?? (required(ctx, 'format') as never);
      const out = ctx.values.out;
      if (out !== undefined && (typeof out !== 'string' || !out)) throw new UsageError('--out: a file name', ctx.usage);
      const letters = await ctx.client().all<DeadLetter>('/dead-letters', query(ctx, 'open'));
      const text = format === 'csv' ? deadLettersCsv(letters) : json(letters);
      if (out === undefined) return void ctx.io.out(text);
      await writeFile(out, text);
      ctx.io.out(ctx.json ? json({ file: out, format, count: letters.length }) : `Exported ${letters.length} open dead letters to ${out}.\n`);
    },
  },
];
