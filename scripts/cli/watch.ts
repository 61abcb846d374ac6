/** Following a sync job until it ends, with a progress line on stderr. */
import type { SyncJob, TajoClient } from './client.ts';
import { EXIT } from './errors.ts';
import { json, jobSummary, progressLine, type Output } from './render.ts';

export const FINAL_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];

export interface WatchOptions {
  expect?: number;
  json: boolean;
  io: Output;
  intervalMs?: number;
  /** Where progress goes: redrawn in place on a terminal, a line every few seconds otherwise. */
  tty?: boolean;
}

export async function watchJob(client: TajoClient, job: SyncJob, options: WatchOptions): Promise<SyncJob> {
  const tty = options.tty ?? Boolean(process.stderr.isTTY);
  const intervalMs = options.intervalMs ?? Number(process.env.TAJO_WATCH_INTERVAL_MS ?? 500);
  const started = Date.now();
  const seenAtStart = job.progress.recordsSeen;
  let lastLogged = 0;
  const onInterrupt = () => {
    if (tty) options.io.err('\n');
    options.io.err(`Stopped watching; job ${job.id} goes on (tajo jobs status ${job.id} --watch).\n`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    for (;;) {
      const elapsed = Date.now() - started;
      const line = progressLine(job, elapsed, job.progress.recordsSeen - seenAtStart, options.expect);
      if (tty) options.io.err(`\r${line}\x1b[K`);
      else if (!options.json && (Date.now() - lastLogged >= 5_000 || FINAL_STATUSES.includes(job.status))) {
        options.io.err(`${line}\n`);
        lastLogged = Date.now();
      }
      if (FINAL_STATUSES.includes(job.status)) break;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      job = await client.get<SyncJob>(`/sync-jobs/${job.id}`);
    }
    if (tty) options.io.err('\n');
    return job;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

/** The summary of a job that ended, and its exit code: 0 when it completed, 1 otherwise. */
export function finish(job: SyncJob, options: { json: boolean; io: Output }): number {
  options.io.out(options.json ? json(job) : jobSummary(job));
  return job.status === 'completed' ? EXIT.ok : EXIT.failed;
}
