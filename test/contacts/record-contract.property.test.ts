import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prismaExecutor } from '../../api/src/contacts/writer.ts';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

// Whatever order and grouping the writes to one contact arrive in (single upserts, batches, a sync page's
// transaction), the stored contact is the one that applying them in source-time order gives.

type Value = string | number | null | undefined;
interface Write {
  time: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  attributes?: Record<string, Value> | null;
  consent?: { email?: { status: 'opted_in' | 'opted_out'; timestamp?: string } };
}

const minutes = (offset: number) => new Date(Date.UTC(2026, 0, 1) + offset * 60_000).toISOString();

const field = <T,>(values: T[]) => fc.option(fc.constantFrom<T | null>(...values, null), { nil: undefined });

/** 1 to 6 writes, each at its own source time (consent timestamps apart from them). */
const writesArb = fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 2, maxLength: 12 }).chain((offsets) => {
  const count = Math.max(1, Math.floor(offsets.length / 2));
  const [times, consentTimes] = [offsets.slice(0, count), offsets.slice(count)];
  return fc.tuple(
    ...times.map((time, i) =>
      fc.record(
        {
          time: fc.constant(minutes(time)),
          email: field(['a@example.com', 'b@example.com']),
          firstName: field(['Ada', 'Grace']),
          lastName: field(['Lovelace', 'Hopper']),
          attributes: fc.option(fc.dictionary(fc.constantFrom('A', 'B', 'C'), fc.constantFrom<Value>('x', 'y', 1, null)), { nil: undefined }),
          consent: fc.option(
            fc.record(
              { email: fc.record({ status: fc.constantFrom('opted_in' as const, 'opted_out' as const), timestamp: fc.constant(consentTimes[i] === undefined ? undefined : minutes(consentTimes[i]!)) }, { requiredKeys: ['status'] }) },
            ),
            { nil: undefined },
          ),
        },
        { requiredKeys: ['time'] },
      ),
    ),
  );
}) as fc.Arbitrary<Write[]>;

/** The contract stated plainly: the writes applied one after another in source-time order. */
function expected(writes: Write[]) {
  const contact: Record<string, unknown> = {};
  let attributes: Record<string, Value> = {};
  let consent: { status: string; time: string } | undefined;
  for (const write of [...writes].sort((a, b) => a.time.localeCompare(b.time))) {
    for (const key of ['email', 'firstName', 'lastName'] as const) if (write[key] !== undefined) contact[key] = write[key];
    if (write.attributes === null) attributes = {};
    else for (const [name, value] of Object.entries(write.attributes ?? {})) attributes[name] = value;
    const given = write.consent?.email;
    // Consent per channel: the newest status by its own time (its timestamp, else the write's).
    if (given && (!consent || (given.timestamp ?? write.time) > consent.time)) consent = { status: given.status, time: given.timestamp ?? write.time };
  }
  return {
    email: contact.email ?? null,
    firstName: contact.firstName ?? null,
    lastName: contact.lastName ?? null,
    attributes: Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== null && value !== undefined)),
    consentStatus: consent?.status ?? null,
    sourceUpdatedAt: writes.map((write) => write.time).sort().at(-1),
  };
}

type Grouping = 'single' | 'batch' | 'sync';

describe('the record contract, as a property', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  let run = 0;

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app, { sourceName: 'crm' });
  });
  afterAll(() => t.close());

  const record = (sourceId: string, write: Write) => {
    const { time, ...fields } = write;
    return { sourceId, sourceUpdatedAt: time, ...fields };
  };

  async function apply(sourceId: string, group: Write[], grouping: Grouping) {
    const records = group.map((write) => record(sourceId, write));
    if (grouping === 'single') {
      for (const body of records) {
        const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: body });
        expect(response.statusCode, response.body).toBeLessThan(300);
      }
    } else if (grouping === 'batch') {
      const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
      expect(response.json().counts.rejected, response.body).toBe(0);
    } else {
      // As a sync page writes: inside its transaction.
      const ctx = { workspaceId: ws.id, settings: { sourceName: 'crm', defaultPhoneRegion: 'US' as const }, requestId: 'req_property' };
      await t.db.$transaction((tx) => t.app.services.contacts.upsertMany(ctx, records, prismaExecutor(tx)));
    }
  }

  it('applies any set of writes, in any order and grouping, as if in source-time order', async () => {
    await fc.assert(
      fc.asyncProperty(
        writesArb,
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        fc.array(fc.constantFrom<Grouping>('single', 'batch', 'sync'), { minLength: 12, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
        async (writes, order, groupings, sizes) => {
          const sourceId = `prop-${(run += 1)}`;
          const arrival = writes.map((write, i) => ({ write, key: order[i]! })).sort((a, b) => a.key - b.key).map(({ write }) => write);
          for (let start = 0, g = 0; start < arrival.length; g += 1) {
            const group = arrival.slice(start, start + sizes[g]!);
            await apply(sourceId, group, groupings[g]!);
            start += group.length;
          }
          const stored = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: `crm:${sourceId}` } });
          const want = expected(writes);
          expect({
            email: stored.email,
            firstName: stored.firstName,
            lastName: stored.lastName,
            attributes: stored.attributes,
            consentStatus: (stored.consent as { email?: { status: string } }).email?.status ?? null,
            sourceUpdatedAt: stored.sourceUpdatedAt?.toISOString(),
          }).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  }, 180_000);
});
