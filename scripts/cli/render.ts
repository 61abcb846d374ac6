/** What the tajo CLI prints: tables, key-value blocks, CSV, the progress line and a job's summary. */
import type { DeadLetter, SyncJob } from './client.ts';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Left-aligned columns, a header row, two spaces between. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = [columns, ...rows.map((row) => columns.map((column) => cell(row[column])))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return cells.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** Label-value lines for one object. */
export function fields(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries.map(([label, value]) => `${label.padEnd(width)}  ${cell(value)}`).join('\n') + '\n';
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** RFC 4180: a field with a comma, quote, CR or LF (or edge spaces) is quoted, its quotes doubled; lines end CRLF. */
export function csv(rows: unknown[][]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const DEAD_LETTER_COLUMNS = ['id', 'category', 'status', 'entityType', 'entityId', 'sourceObjectId', 'syncJobId', 'reason', 'createdAt', 'updatedAt'] as const;

export const deadLettersCsv = (letters: DeadLetter[]) => csv([[...DEAD_LETTER_COLUMNS], ...letters.map((letter) => DEAD_LETTER_COLUMNS.map((column) => letter[column]))]);

export function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * One line of progress: with an expected total, a bar, the percentage and an ETA from the rate so far;
 * without, the count, the rate and the time elapsed. `sinceStart` is what was done while watching.
 */
export function progressText(done: number, sinceStart: number, elapsedMs: number, total?: number, width = 30): string {
  const rate = elapsedMs > 0 ? sinceStart / (elapsedMs / 1000) : 0;
  const rateText = `${rate.toFixed(rate < 10 ? 1 : 0)} rec/s`;
  if (total && total > 0) {
    const ratio = Math.min(1, done / total);
    const filled = Math.round(ratio * width);
    const eta = rate > 0 ? duration(((total - Math.min(done, total)) / rate) * 1000) : '?';
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  ${done}/${total}  ${rateText}  ETA ${eta}`;
  }
  return `${done} records seen  ${rateText}  elapsed ${duration(elapsedMs)}`;
}

/** A sync job's progress line, with its status once it is no longer running. */
export function progressLine(job: SyncJob, elapsedMs: number, seenSinceStart: number, expect?: number, width = 30): string {
  const status = job.status === 'running' ? '' : ` [${job.status}]`;
  return `${progressText(job.progress.recordsSeen, seenSinceStart, elapsedMs, expect, width)}${status}`;
}

/** Object records a job wrote, when its mapping makes any (the other counts are contacts). */
function objectCounts({ progress: { objects } }: SyncJob): string | null {
  const stale = objects.stale > 0 ? `, ${objects.stale} stale` : '';
  return objects.created + objects.updated + objects.unchanged + objects.stale > 0
    ? `${objects.created} created, ${objects.updated} updated, ${objects.unchanged} unchanged${stale}`
    : null;
}

export function jobSummary(job: SyncJob): string {
  const p = job.progress;
  const took = job.finishedAt ? ` in ${duration(Date.parse(job.finishedAt) - Date.parse(job.startedAt))}` : '';
  const objects = objectCounts(job);
  return (
    `${job.kind === 'backfill' ? 'Backfill' : 'Incremental job'} ${job.id} ${job.status}${took}\n` +
    fields([
      ['records seen', p.recordsSeen],
      ['created', p.created],
      ['updated', p.updated],
      ['unchanged', p.unchanged],
      ['stale', p.stale],
      ['dead-lettered', p.deadLettered],
      ...(objects ? ([['object records', objects]] as [string, unknown][]) : []),
      ['read calls', p.readCalls],
      ...(job.lastError ? ([['last error', `${job.lastError.category}: ${job.lastError.detail}`]] as [string, unknown][]) : []),
    ])
      .split('\n')
      .map((line) => (line ? `  ${line}` : line))
      .join('\n')
  );
}

export function jobFields(job: SyncJob): string {
  const p = job.progress;
  return fields([
    ['id', job.id],
    ['source', job.sourceId],
    ['kind', job.kind],
    ['status', job.status],
    ['started from', job.startFrom],
    ['cursor', job.cursor],
    ['progress', `${p.recordsSeen} seen, ${p.created} created, ${p.updated} updated, ${p.unchanged} unchanged, ${p.stale} stale, ${p.deadLettered} dead-lettered, ${p.pages} pages, ${p.readCalls} read calls`],
    ['object records', objectCounts(job)],
    ['stalled since', job.stalledSince],
    ['last error', job.lastError ? `${job.lastError.category}: ${job.lastError.detail}` : null],
    ['started', job.startedAt],
    ['finished', job.finishedAt],
  ]);
}
