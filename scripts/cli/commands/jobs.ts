/** tajo backfill, incremental and jobs: sync jobs of a source. */
import type { SyncJob } from '../client.ts';
import { FROM_OPTIONS, FROM_SYNOPSIS, integer, oneOf, startPoint, type Command, type Context } from '../command.ts';
import { UsageError } from '../errors.ts';
import { json, jobFields, table } from '../render.ts';
import { finish, watchJob } from '../watch.ts';

const WATCH_OPTIONS = { watch: { type: 'boolean' }, expect: { type: 'string' } } as const;

/** Prints the job; with --watch follows it to its end and prints its summary (exit 0 only when it completed). */
async function show(ctx: Context, job: SyncJob, started: boolean): Promise<number> {
  const expect = integer(ctx, 'expect', 1);
  if (expect !== undefined && !ctx.values.watch) throw new UsageError('--expect goes with --watch', ctx.usage);
  if (ctx.values.watch) {
    if (started && !ctx.json) ctx.io.err(`Started ${job.kind} ${job.id}.\n`);
    // TAJO_WATCH_INTERVAL_MS: how often to poll (500 ms unless a positive number is set).
    const interval = Number(ctx.env.TAJO_WATCH_INTERVAL_MS);
    const intervalMs = Number.isFinite(interval) && interval > 0 ? interval : 500;
    return finish(await watchJob(ctx.client(), job, { expect, json: ctx.json, io: ctx.io, intervalMs }), ctx);
  }
  if (ctx.json) ctx.io.out(json(job));
  else ctx.io.out(started ? `Started ${job.kind} ${job.id} (tajo jobs status ${job.id} --watch to follow it).\n` : jobFields(job));
  return 0;
}

const start = (kind: 'backfill' | 'incremental') => async (ctx: Context) => {
  const from = startPoint(ctx);
  const job = await ctx.client().post<SyncJob>(`/sources/${ctx.args[0]}/sync-jobs`, { kind, ...(from ? { from } : {}) });
  return show(ctx, job, true);
};

const transition = (verb: 'pause' | 'resume' | 'cancel', summary: string): Command => ({
  words: ['jobs', verb],
  args: ['ID'],
  summary,
  async run(ctx) {
    const job = await ctx.client().post<SyncJob>(`/sync-jobs/${ctx.args[0]}/${verb}`);
    ctx.io.out(ctx.json ? json(job) : `Job ${job.id} is ${job.status}.\n`);
  },
});

export const jobCommands: Command[] = [
  {
    words: ['backfill'],
    args: ['SOURCE_ID'],
    synopsis: `${FROM_SYNOPSIS} [--watch [--expect N]]`,
    summary: "Start a backfill of the source (from the beginning, or a replay from a point); --watch follows it to its end.",
    options: { ...FROM_OPTIONS, ...WATCH_OPTIONS },
    run: start('backfill'),
  },
  {
    words: ['incremental'],
    args: ['SOURCE_ID'],
    synopsis: FROM_SYNOPSIS,
    summary: 'Start the incremental job of the source: it follows what arrives until paused or cancelled.',
    options: FROM_OPTIONS,
    run: start('incremental'),
  },
  {
    words: ['jobs', 'list'],
    synopsis: '[--source ID] [--kind backfill|incremental] [--status S]',
    summary: 'List sync jobs, oldest first.',
    options: { source: { type: 'string' }, kind: { type: 'string' }, status: { type: 'string' } },
    async run(ctx) {
      const kind = oneOf(ctx, 'kind', ['backfill', 'incremental']);
      const status = oneOf(ctx, 'status', ['running', 'paused', 'cancelled', 'completed', 'failed']);
      const jobs = await ctx.client().all<SyncJob>('/sync-jobs', { sourceId: ctx.values.source as string | undefined, kind, status, limit: 200 });
      if (ctx.json) return void ctx.io.out(json(jobs));
      const rows = jobs.map((job) => ({ ...job, ...job.progress }));
      ctx.io.out(table(rows, ['id', 'sourceId', 'kind', 'status', 'recordsSeen', 'created', 'updated', 'unchanged', 'deadLettered', 'startedAt', 'finishedAt']));
    },
  },
  {
    words: ['jobs', 'status'],
    args: ['ID'],
    synopsis: '[--watch [--expect N]]',
    summary: "A job's status, progress and cursor; --watch follows it to its end.",
    options: WATCH_OPTIONS,
    async run(ctx) {
      return show(ctx, await ctx.client().get<SyncJob>(`/sync-jobs/${ctx.args[0]}`), false);
    },
  },
  transition('pause', 'Pause a job after the page in hand.'),
  transition('resume', 'Resume a paused job from its cursor.'),
  transition('cancel', 'Cancel a job for good after the page in hand.'),
  {
    words: ['jobs', 'replay'],
    args: ['ID'],
    synopsis: `${FROM_SYNOPSIS} [--watch [--expect N]]`,
    summary: 'Start a new job of the same source and kind, from where this one started or from a point.',
    options: { ...FROM_OPTIONS, ...WATCH_OPTIONS },
    async run(ctx) {
      const from = startPoint(ctx);
      return show(ctx, await ctx.client().post<SyncJob>(`/sync-jobs/${ctx.args[0]}/replay`, from ? { from } : {}), true);
    },
  },
];
