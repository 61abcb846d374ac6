import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';

// The judgement, at full size: 10,000 contacts, 10,000 events and 20 lists with members,
// activated while the simulator answers 20% of requests 429 and 5% 5xx, with random latency.
// Brevo must end equal to Tajo: nothing missing, nothing doubled, refusals dead-lettered.
// Sized for a real PostgreSQL: CI runs it in its PostgreSQL pass (about two minutes there).
const realPostgres = Boolean(process.env.DATABASE_URL);
const CONTACTS = 10_000;
const EVENTS = 10_000;
const LISTS = 20;
const MEMBERS_PER_LIST = 500;
/** Records Brevo refuses: each shares its phone (Brevo's SMS is unique) with the record before it. */
const REFUSED_CONTACTS = [1_001, 5_001, 9_001];

let harness: ActivationHarness;

beforeAll(async () => {
  if (realPostgres) harness = await startActivationHarness({ seed: 7 });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

async function post<T>(ws: TestWorkspace, url: string, payload: unknown): Promise<T> {
  const response = await harness.t.app.inject({ method: 'POST', url, headers: withKey(ws.writeKey), payload: payload as object });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<T>();
}

const phoneOf = (i: number) => `+1415557${String(REFUSED_CONTACTS.includes(i) ? i - 1 : i).padStart(4, '0')}`;

describe.runIf(realPostgres)('activation at scale under faults', () => {
  it('10,000 contacts, 10,000 events and 20 lists with members: Brevo ends equal to Tajo', async () => {
    const { t, brevo } = harness;
    const ws = await createWorkspace(t.app);
    await harness.connect(ws);
    brevo.setFaults({ rateLimited: 0.2, serverError: 0.05, latencyMs: [0, 5] });

    for (let from = 0; from < CONTACTS; from += 1_000) {
      const records = Array.from({ length: 1_000 }, (_, k) => ({ externalId: `s:${from + k}`, email: `s${from + k}@example.com`, phone: phoneOf(from + k), lastName: `L${from + k}` }));
      await post(ws, '/v1/contacts/batch', { records });
    }
    for (let from = 0; from < EVENTS; from += 1_000) {
      const events = Array.from({ length: 1_000 }, (_, k) => ({
        eventId: `e:${from + k}`,
        name: 'order_created',
        occurredAt: '2026-11-20T10:00:00Z',
        contact: { externalId: `s:${(from + k) % CONTACTS}`, email: `s${(from + k) % CONTACTS}@example.com` },
        properties: { n: from + k, amount: (from + k) % 97 },
      }));
      await post(ws, '/v1/events/batch', { events });
    }
    const lists: { id: string }[] = [];
    for (let l = 0; l < LISTS; l += 1) {
      const list = await post<{ id: string }>(ws, '/v1/lists', { name: `Segment ${l}` });
      lists.push(list);
      const contacts = Array.from({ length: MEMBERS_PER_LIST }, (_, k) => ({ externalId: `s:${(l * 487 + k) % CONTACTS}` }));
      await post(ws, `/v1/lists/${list.id}/members/add`, { contacts });
    }

    await harness.settle(600_000);
    brevo.setFaults({});

    // Contacts: all but the refused ones, each once, with its data.
    const refused = REFUSED_CONTACTS.map((i) => `s:${i}`);
    expect(brevo.state.contacts.size).toBe(CONTACTS - refused.length);
    for (let i = 0; i < CONTACTS; i += 1) {
      const contact = brevo.state.byExtId(`s:${i}`);
      if (refused.includes(`s:${i}`)) expect(contact).toBeUndefined();
      else expect(contact).toMatchObject({ email: `s${i}@example.com`, attributes: { LASTNAME: `L${i}`, SMS: phoneOf(i) } });
    }
    // Events: each exactly once.
    expect(brevo.state.events).toHaveLength(EVENTS);
    expect(new Set(brevo.state.events.map((event) => event.event_properties?.n)).size).toBe(EVENTS);
    // Lists: 20, none twice, each holding exactly its members that Brevo has.
    const brevoLists = [...brevo.state.listStore.lists.values()].filter((list) => list.name.startsWith('Tajo · Segment'));
    expect(brevoLists).toHaveLength(LISTS);
    expect(new Set(brevoLists.map((list) => list.name)).size).toBe(LISTS);
    for (const [l, list] of lists.entries()) {
      const brevoList = brevoLists.find((candidate) => candidate.name.startsWith(`Tajo · Segment ${l} · `))!;
      const members = [...brevo.state.contacts.values()].filter((contact) => contact.listIds.includes(brevoList.id)).map((contact) => contact.extId).sort();
      const expected = [...new Set(Array.from({ length: MEMBERS_PER_LIST }, (_, k) => `s:${(l * 487 + k) % CONTACTS}`))].filter((id) => !refused.includes(id)).sort();
      expect(members, `members of list ${list.id}`).toEqual(expected);
    }

    const letters = await t.db.deadLetter.findMany({ where: { workspaceId: ws.id } });
    expect(letters.filter((letter) => letter.entityType === 'contact').map((letter) => letter.sourceObjectId).sort()).toEqual([...refused].sort());
    expect(letters.filter((letter) => letter.entityType !== 'contact')).toEqual([]);
    expect(letters.every((letter) => letter.reason.length > 0 && letter.category === 'mapping')).toBe(true);
    expect(brevo.state.count((r) => r.status === 429)).toBeGreaterThan(0);
  }, 900_000);
});

describe.runIf(realPostgres && brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
