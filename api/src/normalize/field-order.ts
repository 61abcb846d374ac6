/**
 * Source ordering, per field: the rule that makes re-reads, replays and out-of-order deliveries harmless.
 *
 * A record is a set of fields ("email", "attributes.PLAN", "consent.email"), each holding a value and the source
 * time of that value. A write carries some fields, each at a source time; a field applies only when its time is
 * newer than the time of what is held (on equal times the greater value wins: a clear over a value, else by
 * `tieBreak`). So the outcome of any set of writes is the same whatever order or grouping they arrive in: each
 * field ends as the newest value written to it, exactly as if the writes had been applied in source-time order.
 *
 * A group ("attributes") can also be cleared whole at a time: every member older than the clear is cleared, and
 * a member written later with an older time stays cleared. Cleared values are not held (null and absent are one
 * state); only their time is, so an older value cannot come back.
 */
import { canonicalJson } from './canonical.ts';

/** A record's fields: the values held (never null), and the source time (ISO-8601 UTC) of each field held or cleared. */
export interface TimedFields {
  values: Record<string, unknown>;
  /** By field; a group's own name keys the time it was last cleared whole. */
  times: Record<string, string>;
}

/** One field of a write: its value (null clears it) at a source time. */
export interface FieldChange {
  field: string;
  value: unknown;
  time: string;
}

/** What a write does to a record. */
export interface FieldWrite {
  changes: readonly FieldChange[];
  /** Groups the write clears whole ("attributes": null), each at a source time. */
  clears?: readonly { group: string; time: string }[];
}

export interface MergeOutcome {
  fields: TimedFields;
  /** Fields whose value this write changed. */
  changed: string[];
  /** Fields this write carried a different value for, but older than the one held. */
  skipped: string[];
  /** The write moved a field's time forward without changing its value (the times must be stored). */
  advanced: boolean;
}

/** Orders two different non-null values of one field written at the same time; > 0 when `a` wins. */
export type TieBreak = (field: string, a: unknown, b: unknown) => number;

const byCanonicalJson: TieBreak = (_field, a, b) => compareText(canonicalJson(a), canonicalJson(b));

export const emptyFields = (): TimedFields => ({ values: {}, times: {} });

/** The group a field belongs to ("attributes" for "attributes.PLAN"), or undefined for a top-level field. */
function groupOf(field: string): string | undefined {
  const dot = field.indexOf('.');
  return dot < 0 ? undefined : field.slice(0, dot);
}

/** Null and absent are one state; objects are equal by content. (On every field written: text only for two objects.) */
function sameValue(a: unknown, b: unknown): boolean {
  const [x, y] = [a ?? null, b ?? null];
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  return canonicalJson(x) === canonicalJson(y);
}

/**
 * Orders (time, value) pairs: newer time first, then a clear (null) over a value, then `tieBreak`.
 * Returns > 0 when the first pair wins, 0 when they are the same.
 */
function compareTimed(field: string, time: string, value: unknown, otherTime: string | undefined, otherValue: unknown, tieBreak: TieBreak): number {
  if (otherTime === undefined) return 1;
  const byTime = compareText(time, otherTime);
  if (byTime !== 0) return byTime;
  if (sameValue(value, otherValue)) return 0;
  if (value == null) return 1;
  if (otherValue == null) return -1;
  return tieBreak(field, value, otherValue);
}

/**
 * What a field holds in effect: its own value and time, unless its group was cleared whole after it, in which
 * case it holds the clear (null at the group's time).
 */
function held(fields: TimedFields, field: string, tieBreak: TieBreak): { time: string | undefined; value: unknown } {
  const own = { time: fields.times[field], value: fields.values[field] };
  const group = groupOf(field);
  const clearedAt = group === undefined ? undefined : fields.times[group];
  if (clearedAt === undefined) return own;
  return compareTimed(field, clearedAt, null, own.time, own.value, tieBreak) > 0 ? { time: clearedAt, value: null } : own;
}

/** Applies a write to a record's fields (not changing `stored`): each field only where the write is newer. */
export function mergeFields(stored: TimedFields, write: FieldWrite, tieBreak: TieBreak = byCanonicalJson): MergeOutcome {
  const fields: TimedFields = { values: { ...stored.values }, times: { ...stored.times } };
  const changed: string[] = [];
  const skipped: string[] = [];
  let advanced = false;

  for (const { group, time } of write.clears ?? []) {
    const clearedAt = fields.times[group];
    if (clearedAt !== undefined && compareText(time, clearedAt) <= 0) continue;
    fields.times[group] = time;
    advanced = true;
    const prefix = `${group}.`;
    for (const field of new Set([...Object.keys(fields.times), ...Object.keys(fields.values)])) {
      if (!field.startsWith(prefix)) continue;
      const value = fields.values[field];
      // At or before the clear (a member cleared at the same time included), the group's time stands for it.
      if (compareTimed(field, time, null, fields.times[field], value, tieBreak) >= 0) {
        if (value != null) changed.push(field);
        delete fields.values[field];
        delete fields.times[field];
      } else if (value != null) {
        skipped.push(field);
      }
    }
  }

  for (const { field, value, time } of write.changes) {
    const current = held(fields, field, tieBreak);
    const order = compareTimed(field, time, value, current.time, current.value, tieBreak);
    if (order > 0) {
      fields.times[field] = time;
      if (value == null) delete fields.values[field];
      else fields.values[field] = value;
      if (sameValue(value, current.value)) advanced = true;
      else if (!changed.includes(field)) changed.push(field);
    } else if (order < 0 && !sameValue(value, current.value) && !skipped.includes(field)) {
      skipped.push(field);
    }
  }
  return { fields, changed, skipped, advanced };
}

/** A write's source time: the record's own sourceUpdatedAt, else when the write arrived. */
export const sourceTimeOf = (record: { sourceUpdatedAt?: string | undefined }, arrivedAt: string) => record.sourceUpdatedAt ?? arrivedAt;

/** The newer of two ISO-8601 UTC times (fixed width, so text order is time order). */
export const newerTime = (a: string, b: string | undefined) => (b === undefined || compareText(a, b) > 0 ? a : b);

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
