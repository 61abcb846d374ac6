/** What a tajo command is: its words, arguments and options, and what it runs. */
import type { ParseArgsConfig } from 'node:util';
import type { StartPoint, TajoClient } from './client.ts';
import { UsageError } from './errors.ts';
import type { Output } from './render.ts';

export type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | undefined>;

export interface Context {
  /** Built from --url/TAJO_URL and --key/TAJO_API_KEY; asking for it without a key is a usage error. */
  client(): TajoClient;
  args: string[];
  values: Values;
  json: boolean;
  io: Output;
  usage: string;
  /** The environment run() was given (process.env from the bin): TAJO_URL, TAJO_API_KEY, TAJO_WATCH_INTERVAL_MS. */
  env: NodeJS.ProcessEnv;
}

export interface Command {
  words: string[];
  /** Positional arguments, by name (shown in the usage). */
  args?: string[];
  /** The options part of the usage line. */
  synopsis?: string;
  summary: string;
  options?: ParseArgsOptionsConfig;
  /** Returns the exit code (0 when nothing is returned). */
  run(ctx: Context): Promise<number | void>;
}

export const usageLine = (command: Command) => ['tajo', ...command.words, ...(command.args ?? []), ...(command.synopsis ? [command.synopsis] : [])].join(' ');

export const FROM_OPTIONS: ParseArgsOptionsConfig = {
  'from-time': { type: 'string' },
  'from-message': { type: 'string' },
  'from-page': { type: 'string' },
};
export const FROM_SYNOPSIS = '[--from-time T|--from-message ID|--from-page P]';

/** The start point of --from-time, --from-message or --from-page (at most one). */
export function startPoint(ctx: Context): StartPoint | undefined {
  const given = (['from-time', 'from-message', 'from-page'] as const).filter((name) => ctx.values[name] !== undefined);
  if (given.length > 1) throw new UsageError(`give at most one of ${given.map((name) => `--${name}`).join(', ')}`, ctx.usage);
  const value = String(ctx.values[given[0] ?? ''] ?? '');
  if (given[0] === 'from-time') {
    if (Number.isNaN(Date.parse(value))) throw new UsageError(`--from-time: not a date-time: ${value} (e.g. 2026-11-20T00:00:00Z)`, ctx.usage);
    return { time: value };
  }
  if (given[0] === 'from-message') return { messageId: value };
  if (given[0] === 'from-page') return { page: value };
  return undefined;
}

export function integer(ctx: Context, name: string, min = 0): number | undefined {
  const raw = ctx.values[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name}: expected an integer of at least ${min}, got ${String(raw)}`, ctx.usage);
  return value;
}

export function required(ctx: Context, name: string): string {
  const value = ctx.values[name];
  if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${name} is required`, ctx.usage);
  return value.trim();
}

export function oneOf<T extends string>(ctx: Context, name: string, allowed: readonly T[]): T | undefined {
  const value = ctx.values[name];
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name}: one of ${allowed.join(', ')}, got ${String(value)}`, ctx.usage);
  return value as T;
}
