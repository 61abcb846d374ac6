import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey } from '../support/app.ts';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { GENERAL_TIER_CONTACTS, startActivationHarness, type ActivationHarness } from '../support/activation.ts';

// Under a heavy stream, contacts written while a job's import lands go as the next import at once,
// in the same job, rather than after it: the lag is one landing, not two. What goes one by one
// (an erasure, say) still reaches Brevo after every import of what was written before it.
const IMPORT_DELAY_MS = 1_500;
let harness: ActivationHarness;

beforeAll(async () => {
  harness = await startActivationHarness({ limits: GENERAL_TIER_CONTACTS, importDelayMs: IMPORT_DELAY_MS });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const record = (i: number, lastName = 'A') => ({ externalId: `flow:${i}`, email: `flow${i}@example.com`, lastName });

describe('imports under a heavy stream', () => {
  it('sends the next import while the last one lands, and erases after the imports before it', async () => {
    const { t, brevo } = harness;
    const ws = await createWorkspace(t.app);
    await harness.connect(ws, GENERAL_TIER_CONTACTS);
    const write = async (records: ReturnType<typeof record>[]) => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
      expect(response.statusCode).toBe(200);
    };
    const imports = () => brevo.state.requests.filter((request) => request.route === '/v3/contacts/import');

    await write(Array.from({ length: 300 }, (_, i) => record(i)));
    await waitUntil(() => imports().length === 1);
    // While the first import lands: 300 new contacts and 100 changed ones (the second import)...
    await write([...Array.from({ length: 300 }, (_, i) => record(300 + i)), ...Array.from({ length: 100 }, (_, i) => record(i, 'B'))]);
    await waitUntil(() => imports().length === 2);
    const [first, second] = imports();
    expect(second!.at - first!.at).toBeLessThan(IMPORT_DELAY_MS);
    // ...then 250 more and an erasure of a contact the first import carried.
    await write(Array.from({ length: 250 }, (_, i) => record(600 + i)));
    const { id } = (await t.db.contact.findFirst({ where: { workspaceId: ws.id, externalId: 'flow:5' }, select: { id: true } }))!;
    const erased = await t.app.inject({ method: 'POST', url: `/v1/contacts/${id}/erasure`, headers: withKey(ws.adminKey) });
    expect(erased.statusCode).toBe(200);
    await harness.settle(120_000);

    expect(brevo.state.byExtId('flow:5')).toBeUndefined();
    for (let i = 0; i < 850; i += 1) {
      if (i === 5) continue;
      expect(brevo.state.byExtId(`flow:${i}`), `flow:${i}`).toMatchObject({ email: `flow${i}@example.com`, attributes: { LASTNAME: i < 100 ? 'B' : 'A' } });
    }
    expect(await t.db.brevoContactState.count({ where: { workspaceId: ws.id } })).toBe(849);
    expect(await t.db.deadLetter.count({ where: { workspaceId: ws.id } })).toBe(0);
  }, 180_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(harness.validator!.violations).toEqual([]);
  });
});
