import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyFields, mergeFields, type FieldWrite, type TimedFields } from '../../api/src/normalize/field-order.ts';

// Source ordering as a pure rule: the state a set of writes leaves does not depend on the order they
// arrive in, even when writes share a source time (ties are broken by the values, never by arrival).

const time = fc.integer({ min: 0, max: 4 }).map((minute) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString());
const value = fc.constantFrom<unknown>('a', 'b', 1, true, { status: 'x' }, null);
const writeArb: fc.Arbitrary<FieldWrite> = fc.record({
  changes: fc.array(fc.record({ field: fc.constantFrom('email', 'name', 'attributes.A', 'attributes.B'), value, time }), { maxLength: 4 }),
  clears: fc.array(fc.record({ group: fc.constant('attributes'), time }), { maxLength: 1 }),
});

const applyAll = (writes: readonly FieldWrite[]): TimedFields => writes.reduce((fields, write) => mergeFields(fields, write).fields, emptyFields());

/** Comparable regardless of key order. */
const sorted = ({ values, times }: TimedFields) => ({
  values: Object.fromEntries(Object.entries(values).sort(([a], [b]) => a.localeCompare(b))),
  times: Object.fromEntries(Object.entries(times).sort(([a], [b]) => a.localeCompare(b))),
});

describe('mergeFields', () => {
  it('leaves the same state whatever order the writes arrive in, ties included', () => {
    fc.assert(
      fc.property(fc.array(writeArb, { minLength: 1, maxLength: 6 }).chain((writes) => fc.tuple(fc.constant(writes), fc.shuffledSubarray(writes, { minLength: writes.length }))), ([writes, shuffled]) => {
        expect(sorted(applyAll(shuffled))).toEqual(sorted(applyAll(writes)));
      }),
      { numRuns: 2_000 },
    );
  });

  it('is idempotent: a write applied again changes nothing and reports nothing', () => {
    fc.assert(
      fc.property(fc.array(writeArb, { minLength: 1, maxLength: 6 }), (writes) => {
        const state = applyAll(writes);
        for (const write of writes) {
          const again = mergeFields(state, write);
          expect(again.changed).toEqual([]);
          expect(sorted(again.fields)).toEqual(sorted(state));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('reports an older different value as skipped and keeps the newer one', () => {
    const newer = mergeFields(emptyFields(), { changes: [{ field: 'email', value: 'new', time: '2026-03-01T00:00:00.000Z' }] }).fields;
    const older = mergeFields(newer, { changes: [{ field: 'email', value: 'old', time: '2026-01-01T00:00:00.000Z' }] });
    expect(older).toMatchObject({ changed: [], skipped: ['email'], advanced: false, fields: { values: { email: 'new' } } });
  });

  it('keeps a member written before a whole clear cleared, whenever it arrives', () => {
    const cleared = mergeFields(emptyFields(), { changes: [], clears: [{ group: 'attributes', time: '2026-03-01T00:00:00.000Z' }] }).fields;
    const late = mergeFields(cleared, { changes: [{ field: 'attributes.A', value: 'x', time: '2026-01-01T00:00:00.000Z' }] });
    expect(late).toMatchObject({ changed: [], skipped: ['attributes.A'], fields: { values: {} } });
  });
});
