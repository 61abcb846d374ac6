/**
 * A deterministic data set of messy contacts as vendors send them, each with the result Tajo
 * must give: the normalized values for good records, the rejected field for bad ones.
 */
export interface MessyCase {
  record: Record<string, unknown>;
  expected:
    | { status: 'created'; externalId: string; email?: string; phone?: string; sourceUpdatedAt?: string }
    | { status: 'rejected'; field: string };
}

const PHONES: { input: string | number; region?: string; e164: string }[] = [
  { input: '(415) 555-2671', e164: '+14155552671' },
  { input: '415.555.2671', e164: '+14155552671' },
  { input: 14155552671, e164: '+14155552671' },
  { input: '+44 20 7946 0018', e164: '+442079460018' },
  { input: '020 7946 0018', region: 'GB', e164: '+442079460018' },
  { input: '0049 30 901820', e164: '+4930901820' },
  { input: '030 901820', region: 'de', e164: '+4930901820' },
  { input: '+33 1 42 68 53 00', e164: '+33142685300' },
  { input: '06 12 34 56 78', region: 'FR', e164: '+33612345678' },
  { input: '+81 3-1234-5678', e164: '+81312345678' },
];

const EMAILS: { input: (i: number) => string; normalized: (i: number) => string }[] = [
  { input: (i) => `  User${i}@Example.COM `, normalized: (i) => `user${i}@example.com` },
  { input: (i) => `first.last+${i}@gmail.com`, normalized: (i) => `first.last+${i}@gmail.com` },
  { input: (i) => `MAX${i}@BÜCHER.DE`, normalized: (i) => `max${i}@xn--bcher-kva.de` },
  { input: (i) => `kunde${i}@müller.example`, normalized: (i) => `kunde${i}@xn--mller-kva.example` },
  { input: (i) => `mailto:Info${i}@Example.org`, normalized: (i) => `info${i}@example.org` },
];

// 2024-03-10T06:30:00Z in the formats vendors send.
const UPDATED_AT: { input: string | number; iso: string }[] = [
  { input: 1710052200, iso: '2024-03-10T06:30:00.000Z' },
  { input: 1710052200000, iso: '2024-03-10T06:30:00.000Z' },
  { input: '2024-03-10T12:00:00+05:30', iso: '2024-03-10T06:30:00.000Z' },
  { input: '2024-03-10T01:30:00-05:00', iso: '2024-03-10T06:30:00.000Z' },
  { input: '2024-03-10', iso: '2024-03-10T00:00:00.000Z' },
];

const INVALID: { patch: Record<string, unknown>; field: string }[] = [
  { patch: { email: 'not-an-email' }, field: 'email' },
  { patch: { phone: '12' }, field: 'phone' },
  { patch: { sourceUpdatedAt: '2024-02-30T00:00:00Z' }, field: 'sourceUpdatedAt' },
  { patch: { lifetimeValue: { currency: 'XYZ', amount: '10.00' } }, field: 'lifetimeValue.currency' },
  { patch: { favouriteColour: 'teal' }, field: 'favouriteColour' },
];

export function messyContacts(count: number, source = 'crm'): MessyCase[] {
  return Array.from({ length: count }, (_, i) => {
    const phone = PHONES[i % PHONES.length]!;
    const email = EMAILS[i % EMAILS.length]!;
    const updated = UPDATED_AT[i % UPDATED_AT.length]!;
    const record: Record<string, unknown> = {
      source,
      sourceId: `C-${i}`,
      email: email.input(i),
      phone: phone.input,
      ...(phone.region ? { phoneRegion: phone.region } : {}),
      firstName: `  Ada   ${i} `,
      lastName: 'Lovelace',
      sourceUpdatedAt: updated.input,
      consent: i % 3 === 0 ? { email: { status: 'subscribed', timestamp: updated.input } } : {},
      attributes: { plan: i % 2 === 0 ? 'pro' : 'free', seats: i % 50 },
    };
    // Every 20th record (5%) is broken in one field.
    if (i % 20 === 7) {
      const invalid = INVALID[Math.floor(i / 20) % INVALID.length]!;
      return { record: { ...record, ...invalid.patch }, expected: { status: 'rejected', field: invalid.field } };
    }
    return {
      record,
      expected: { status: 'created', externalId: `${source}:C-${i}`, email: email.normalized(i), phone: phone.e164, sourceUpdatedAt: updated.iso },
    };
  });
}
