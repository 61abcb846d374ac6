import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brevoSpecAvailable } from '../support/brevo-spec.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { connectedWithType, contactsBatch, deadLetters, post } from './object-activation.support.ts';

let h: ActivationHarness;

// Associations wait for their contacts as in production (the default deadline): the other test
// file's 3-second deadline would dead-letter those whose contacts are still being retried.
beforeAll(async () => {
  h = await startActivationHarness({ seed: 11 });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

// The judgement: 10,000 records associated with 5,000 contacts, activated while the
// simulator answers 20% of requests 429 and 5% 5xx, end in Brevo exactly once each.
const RECORDS = 10_000;
const CONTACTS = 5_000;

describe('object activation at scale under faults', () => {
  it(`${RECORDS} records with associations to ${CONTACTS} contacts converge exactly`, async () => {
    const ws = await connectedWithType(h, 'order', ['total']);
    h.brevo.setFaults({ rateLimited: 0.2, serverError: 0.05, latencyMs: [0, 5] });
    for (let from = 0; from < CONTACTS; from += 1_000) await contactsBatch(h, ws, Array.from({ length: 1_000 }, (_, k) => from + k));
    for (let from = 0; from < RECORDS; from += 1_000) {
      const records = Array.from({ length: 1_000 }, (_, k) => ({
        attributes: { code: `O-${from + k}`, total: String(from + k) },
        associations: [{ objectType: 'contact', externalId: `crm:${(from + k) % CONTACTS}` }],
      }));
      await post(h, ws, '/v1/objects/order/records/batch', { records });
    }
    await h.settle(120_000);
    h.brevo.setFaults({});

    const records = h.brevo.state.objects.records('order');
    expect(records).toHaveLength(RECORDS);
    const contactExtIds = new Map([...h.brevo.state.contacts.values()].map((contact) => [contact.id, contact.extId]));
    for (let i = 0; i < RECORDS; i += 1) {
      const record = h.brevo.state.objects.byExtId('order', `O-${i}`)!;
      expect(record.attributes).toEqual({ code: `O-${i}`, total: String(i) });
      expect([...(record.associations.get('contact') ?? [])].map((id) => contactExtIds.get(id))).toEqual([`crm:${i % CONTACTS}`]);
    }
    expect(await deadLetters(h, ws)).toEqual([]);
    expect(h.brevo.state.count((r) => r.status === 429)).toBeGreaterThan(0);
  }, 180_000);
});


describe.runIf(brevoSpecAvailable)("Brevo's published spec", () => {
  it('no request sent to the simulator in this file violated it', () => {
    expect(h.validator!.violations).toEqual([]);
  });
});
