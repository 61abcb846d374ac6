import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjectType } from '../support/sources.ts';
import { createTestApp, createWorkspace, type TestApp, type TestWorkspace } from '../support/app.ts';
import { storedRecord, WRITE_PATHS, writeThrough, type PathWrite, type WritePath } from './support.ts';

// Source ordering, per attribute: whatever order and grouping the writes of one record arrive in (single upserts,
// batches, source pages, mixed), the record ends as if they had been applied one by one in source-time order.

const LEDGER = {
  name: 'ledger',
  attributes: [
    { name: 'a', type: 'text' },
    { name: 'b', type: 'text' },
    { name: 'n', type: 'number' },
  ],
  externalIdRule: { kind: 'given' },
};

type Value = string | number | null;
/** What one write does: set or clear (null) some attributes, or clear them all (null). */
type Attributes = Partial<Record<'a' | 'b' | 'n', Value>> | null;

interface TimedWrite {
  attributes: Attributes;
  /** Distinct among a record's writes, so source-time order is one order. */
  time: string;
}

/** The reference: the writes applied one by one, oldest source time first, each replacing what it carries. */
function appliedInOrder(writes: readonly TimedWrite[]): Record<string, Value> {
  const record: Record<string, Value> = {};
  for (const { attributes } of [...writes].sort((x, y) => (x.time < y.time ? -1 : 1))) {
    if (attributes === null) {
      for (const name of Object.keys(record)) delete record[name];
      continue;
    }
    for (const [name, value] of Object.entries(attributes)) {
      if (value === null) delete record[name];
      else record[name] = value;
    }
  }
  return record;
}

/** Few values, so writes often agree, and null often enough to clear. */
const valueArb = (values: fc.Arbitrary<string | number>) => fc.oneof({ weight: 3, arbitrary: values }, { weight: 1, arbitrary: fc.constant(null) });
const attributesArb: fc.Arbitrary<Attributes> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ a: valueArb(fc.constantFrom('x', 'y', 'z')), b: valueArb(fc.constantFrom('x', 'y')), n: valueArb(fc.integer({ min: 0, max: 2 })) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constant(null) },
);

/** How a write is sent: its path, whether it joins the previous write's request (batch, sync), and for sync where its time is. */
interface Delivery {
  path: WritePath;
  joinsPrevious: boolean;
  timeAsMessageTime: boolean;
}
type ScenarioWrite = TimedWrite & { delivery: Delivery };

const deliveryArb: fc.Arbitrary<Delivery> = fc.record({ path: fc.constantFrom(...WRITE_PATHS), joinsPrevious: fc.boolean(), timeAsMessageTime: fc.boolean() });

/** A record's writes with distinct source times, in arrival order, each with how it is delivered. */
const scenarioArb: fc.Arbitrary<ScenarioWrite[]> = fc
  .array(fc.record({ attributes: attributesArb, delivery: deliveryArb }), { minLength: 1, maxLength: 8 })
  .chain((writes) =>
    fc
      .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: writes.length, maxLength: writes.length })
      .map((minutes) => writes.map((write, i) => ({ ...write, time: new Date(Date.UTC(2026, 0, 1) + minutes[i]! * 60_000).toISOString() }))),
  );

/** The arrival order cut into requests: consecutive writes that join their predecessor on the same multi-record path share one. */
function requests(scenario: readonly ScenarioWrite[]): { path: WritePath; writes: ScenarioWrite[] }[] {
  const cut: { path: WritePath; writes: ScenarioWrite[] }[] = [];
  for (const write of scenario) {
    const last = cut.at(-1);
    if (last && write.delivery.joinsPrevious && write.delivery.path !== 'single' && last.path === write.delivery.path) last.writes.push(write);
    else cut.push({ path: write.delivery.path, writes: [write] });
  }
  return cut;
}

let t: TestApp;
let ws: TestWorkspace;
let records = 0;

beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app);
  await createObjectType(t.app, ws, LEDGER);
});
afterAll(() => t.close());

describe('writes to one object record, in any order and grouping', () => {
  it('leave it as applying them in source-time order would, with a version (and activation) per change only', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const externalId = `ledger-${(records += 1)}`;
        for (const { path, writes } of requests(scenario)) {
          const sent = writes.map(({ attributes, time, delivery }): PathWrite => {
            const record = { externalId, ...(attributes === null ? { attributes: null } : { attributes }) };
            return path === 'sync' && delivery.timeAsMessageTime ? { record, messageTime: time } : { record: { ...record, sourceUpdatedAt: time } };
          });
          const outcomes = await writeThrough(t, ws, 'ledger', path, sent);
          expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
        }
        const stored = await storedRecord(t, ws, 'ledger', externalId);
        expect(stored.attributes).toEqual(appliedInOrder(scenario));
        expect(stored.versions).toBe(stored.version);
        expect(stored.queued).toBe(stored.version);
      }),
      { numRuns: 80 },
    );
  }, 240_000);
});
