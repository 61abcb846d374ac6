/**
 * The record contract for object records: what a write does to a stored record.
 *
 * - An attribute the write leaves out keeps its stored value; null clears it; `attributes: null` clears them all.
 * - Each attribute applies only when the write's source time is newer than that of the value held (see
 *   normalize/field-order.ts): the record's `sourceUpdatedAt`, else the write's arrival.
 */
import { emptyFields, mergeFields, type FieldWrite, type MergeOutcome, type TimedFields } from '../normalize/field-order.ts';
import type { NormalizedObjectRecord, ObjectValue } from './normalize.ts';

/** The field group of a record's attributes: "attributes.<name>" each, "attributes" for a clear of them all. */
const ATTRIBUTES = 'attributes';
const PREFIX = `${ATTRIBUTES}.`;

/** A record as stored: its attribute values and the source time of each (field_times). */
export interface StoredAttributes {
  attributes: Readonly<Record<string, ObjectValue>>;
  fieldTimes: Readonly<Record<string, string>>;
}

export interface RecordMerge extends MergeOutcome {
  /** The record's attributes after the write. */
  attributes: Record<string, ObjectValue>;
}

function storedFields({ attributes, fieldTimes }: StoredAttributes): TimedFields {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) values[`${PREFIX}${name}`] = value;
  return { values, times: { ...fieldTimes } };
}

function fieldWrite({ attributes }: NormalizedObjectRecord, time: string): FieldWrite {
  if (attributes === null) return { changes: [], clears: [{ group: ATTRIBUTES, time }] };
  return { changes: Object.entries(attributes).map(([name, value]) => ({ field: `${PREFIX}${name}`, value, time })) };
}

/** Applies a write, at its source time, to a stored record (`stored` null: a new one). */
export function mergeRecord(stored: StoredAttributes | null, record: NormalizedObjectRecord, time: string): RecordMerge {
  const outcome = mergeFields(stored ? storedFields(stored) : emptyFields(), fieldWrite(record, time));
  const attributes: Record<string, ObjectValue> = {};
  for (const [field, value] of Object.entries(outcome.fields.values)) attributes[field.slice(PREFIX.length)] = value as ObjectValue;
  return { ...outcome, attributes };
}
