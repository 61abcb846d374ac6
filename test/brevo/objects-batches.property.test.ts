import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_OBJECT_ASSOCIATIONS,
  MAX_OBJECT_BATCH_BYTES,
  MAX_OBJECT_RECORDS_PER_BATCH,
  MAX_RECORDS_PER_OBJECT_ASSOCIATION,
  objectRecordProblem,
  splitObjectRecords,
  type BrevoObjectRecord,
} from '../../api/src/brevo/client.ts';
import { ZUpsertObjectRecords } from '../../api/src/simulators/brevo/schemas.ts';

const bodyBytes = (records: BrevoObjectRecord[]) => Buffer.byteLength(JSON.stringify({ records }));

/** Mostly small records; some heavy enough that a few fill a request; a few that no request can carry. */
const recordArb: fc.Arbitrary<BrevoObjectRecord> = fc
  .record({
    extId: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
    // 'é' is two bytes: a size counted in characters would be wrong.
    weight: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 0, max: 200 }) }, { weight: 4, arbitrary: fc.integer({ min: 50_000, max: 300_000 }) }, { weight: 1, arbitrary: fc.constant(500_001) }),
    attributeCount: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constant(0) }),
    associations: fc.oneof(
      { weight: 10, arbitrary: fc.constant([] as number[]) },
      { weight: 3, arbitrary: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: MAX_OBJECT_ASSOCIATIONS }) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(0, 1, MAX_RECORDS_PER_OBJECT_ASSOCIATION, MAX_RECORDS_PER_OBJECT_ASSOCIATION + 1), { maxLength: MAX_OBJECT_ASSOCIATIONS + 2 }) },
    ),
  })
  .map(({ extId, weight, attributeCount, associations }) => ({
    identifiers: { ext_id: extId },
    attributes: Object.fromEntries(Array.from({ length: attributeCount }, (_, i) => [`a${i}`, i === 0 ? 'é'.repeat(weight) : i])),
    ...(associations.length > 0
      ? { associations: associations.map((count, i) => ({ object_type: `type_${i}`, records: Array.from({ length: count }, (_, id) => ({ identifiers: { id: id + 1 } })) })) }
      : {}),
  }));

/** What Brevo's documentation says, checked without the helper's own arithmetic. */
function breaksALimit(record: BrevoObjectRecord) {
  const associations = record.associations ?? [];
  return (
    Object.keys(record.attributes).length === 0 ||
    associations.length > MAX_OBJECT_ASSOCIATIONS ||
    associations.some((association) => association.records.length === 0 || association.records.length > MAX_RECORDS_PER_OBJECT_ASSOCIATION) ||
    bodyBytes([record]) > MAX_OBJECT_BATCH_BYTES
  );
}

function checkSplit(records: BrevoObjectRecord[]) {
  const { batches, refused } = splitObjectRecords(records);
  for (const batch of batches) {
    expect(batch.length).toBeGreaterThan(0);
    expect(batch.length).toBeLessThanOrEqual(MAX_OBJECT_RECORDS_PER_BATCH);
    expect(bodyBytes(batch)).toBeLessThanOrEqual(MAX_OBJECT_BATCH_BYTES);
    // The simulator, written from Brevo's documentation on its own, takes every batch.
    expect(ZUpsertObjectRecords.safeParse({ records: batch }).success).toBe(true);
  }
  // Every record exactly once, in order: in a batch, or refused with a reason.
  expect(batches.flat()).toEqual(records.filter((record) => !breaksALimit(record)));
  expect(refused.map(({ record }) => record)).toEqual(records.filter(breaksALimit));
  expect(new Set(batches.flat()).size).toBe(batches.flat().length);
  for (const { record, reason } of refused) expect(reason).toBe(objectRecordProblem(record));
  // No more requests than needed: each batch is full, by count or by size, when the next one starts.
  batches.slice(1).forEach((batch, i) => {
    const previous = batches[i]!;
    expect(previous.length === MAX_OBJECT_RECORDS_PER_BATCH || bodyBytes([...previous, batch[0]!]) > MAX_OBJECT_BATCH_BYTES).toBe(true);
  });
}

describe('splitObjectRecords', () => {
  it('keeps every request within Brevo’s limits, covers every record once, in order, and refuses only what no request can carry', () => {
    // A counterexample holds megabytes of text: shrinking it would take minutes, so the first one is reported as is.
    fc.assert(fc.property(fc.array(recordArb, { maxLength: 40 }), checkSplit), { numRuns: 150, endOnFailure: true });
  });

  it('splits by count when records are small', () => {
    const small = fc.integer({ min: 0, max: 3 * MAX_OBJECT_RECORDS_PER_BATCH }).map((count) => Array.from({ length: count }, (_, i): BrevoObjectRecord => ({ identifiers: { ext_id: `r${i}` }, attributes: { n: i } })));
    fc.assert(fc.property(small, checkSplit), { numRuns: 30 });
    const { batches } = splitObjectRecords(Array.from({ length: 2001 }, (_, i) => ({ identifiers: { id: i + 1 }, attributes: { n: i } })));
    expect(batches.map((batch) => batch.length)).toEqual([1000, 1000, 1]);
  });

  it('fills a request up to the byte exactly', () => {
    // Two records whose request body is exactly the limit go together; one byte more splits them.
    const overhead = bodyBytes([]) + 1 + 2 * bodyBytes([{ identifiers: { ext_id: 'a' }, attributes: { x: '' } }]) - 2 * bodyBytes([]);
    const filler = MAX_OBJECT_BATCH_BYTES - overhead;
    const pair = (extra: number): BrevoObjectRecord[] => [
      { identifiers: { ext_id: 'a' }, attributes: { x: 'y'.repeat(Math.floor(filler / 2)) } },
      { identifiers: { ext_id: 'b' }, attributes: { x: 'y'.repeat(Math.ceil(filler / 2) + extra) } },
    ];
    expect(bodyBytes(pair(0))).toBe(MAX_OBJECT_BATCH_BYTES);
    expect(splitObjectRecords(pair(0)).batches).toHaveLength(1);
    expect(splitObjectRecords(pair(1)).batches).toHaveLength(2);
  });
});
