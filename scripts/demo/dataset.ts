/**
 * The demo's data: customers as a shop's Workato recipes publish them, messy the way real
 * systems are (international phones in local formats, mixed-case and international email domains,
 * timestamps as epoch seconds, epoch milliseconds, RFC 3339 with offsets and bare dates, explicit
 * consent or none), with about 3% that no mapping can save. Each record knows what Tajo must make
 * of it, so the summary can be checked against the data.
 */

export const DEMO_MAPPING = {
  externalId: '$string(customer_id)',
  contact:
    '{"email": email_address, "phone": mobile, "phoneRegion": country, "firstName": first_name, "lastName": last_name, "locale": language, "sourceUpdatedAt": updated, "consent": marketing_opt_in = true ? {"email": {"status": "subscribed", "timestamp": updated}} : marketing_opt_in = false ? {"email": {"status": "unsubscribed", "timestamp": updated}}, "attributes": {"PLAN": plan, "LOYALTY_POINTS": points}}',
  tajoOnly: '{"warehouse": warehouse}',
};

const digits = (value: number, width: number) => String(value).padStart(width, '0');

/** Mobile numbers as each country writes them; unique per customer (Brevo keeps a phone to one contact). */
const PHONES: { mobile: (n: number) => string | number; country: string }[] = [
  { mobile: (n) => `(415) 555-${digits(n % 10_000, 4)}`, country: 'US' },
  { mobile: (n) => `020 7${digits(n % 10_000_000, 7)}`, country: 'GB' },
  { mobile: (n) => `030 ${digits(900_000 + (n % 100_000), 6)}`, country: 'DE' },
  { mobile: (n) => `06 12 ${digits(n % 10_000, 4).replace(/(\d\d)(\d\d)/, '$1 $2')} 78`, country: 'FR' },
  { mobile: (n) => `+81 3-1234-${digits(n % 10_000, 4)}`, country: 'JP' },
  { mobile: (n) => Number(`1628555${digits(n % 10_000, 4)}`), country: 'US' },
  { mobile: (n) => `+55 11 9${digits(1_000 + (n % 9_000), 4)}-5678`, country: 'BR' },
];

const EMAILS = [(i: number) => `  Customer.${i}@Example.COM `, (i: number) => `kunde${i}@müller.example`, (i: number) => `MAX${i}@BÜCHER.DE`, (i: number) => `buyer+${i}@shop.example.org`];

/** The same instant (2026-03-10T06:30:00Z) as vendors send it, and a date-only one. */
const UPDATED = [1_773_124_200, 1_773_124_200_000, '2026-03-10T12:00:00+05:30', '2026-03-10T01:30:00-05:00', '2026-03-10'];

/**
 * When changed customers changed: later than any UPDATED, as a source stamps a record it changes. Their new plan
 * wins by time, not by a tie-break, and their older versions read again are stale.
 */
const CHANGED_AT = '2026-03-11T09:00:00Z';

/** Every 33rd customer carries an email that is not one and no phone: unmappable, a dead letter. */
export const isUnmappable = (i: number) => i % 33 === 13;

export function customer(i: number, plan = i % 4 === 0 ? 'gold' : 'basic'): Record<string, unknown> {
  const phone = PHONES[i % PHONES.length]!;
  const unmappable = isUnmappable(i);
  return {
    customer_id: 10_000 + i,
    email_address: unmappable ? `customer ${i} at example dot com` : EMAILS[i % EMAILS.length]!(i),
    ...(unmappable ? {} : { mobile: phone.mobile(Math.floor(i / PHONES.length)), country: phone.country }),
    first_name: `  Ada ${i}`,
    last_name: 'Lovelace',
    language: i % 2 === 0 ? 'en_gb' : 'fr-CA',
    updated: UPDATED[i % UPDATED.length],
    ...(i % 3 === 0 ? { marketing_opt_in: true } : i % 3 === 1 ? { marketing_opt_in: false } : {}),
    plan,
    points: i % 500,
    warehouse: `WH-${i % 5}`,
  };
}

export interface DemoPlan {
  /** Published before the backfill starts. */
  backlog: Record<string, unknown>[];
  /** Published while incremental sync runs: new customers, changed ones, and identical re-sends. */
  live: Record<string, unknown>[];
  expected: {
    received: number;
    created: number;
    updated: number;
    unchanged: number;
    deadLettered: number;
    /**
     * A second backfill of the whole topic, after incremental sync: every message is read again; the changed
     * customers' older versions are stale, everything else mappable is unchanged, the unmappable fail again.
     */
    reread: { recordsSeen: number; unchanged: number; stale: number; deadLettered: number };
  };
}

/** `count` customers: 80% in the backlog, the rest live, plus 5% changed and 5% re-sent unchanged. */
export function demoPlan(count: number): DemoPlan {
  const backlogCount = Math.floor(count * 0.8);
  const backlog = Array.from({ length: backlogCount }, (_, i) => customer(i));
  const fresh = Array.from({ length: count - backlogCount }, (_, i) => customer(backlogCount + i));
  const valid = Array.from({ length: backlogCount }, (_, i) => i).filter((i) => !isUnmappable(i));
  const changed = valid.filter((_, k) => k % 20 === 0).map((i) => ({ ...customer(i, 'platinum'), updated: CHANGED_AT }));
  const resent = valid.filter((_, k) => k % 20 === 10).map((i) => customer(i));
  const unmappable = Array.from({ length: count }, (_, i) => i).filter(isUnmappable).length;
  const published = count + changed.length + resent.length;
  return {
    backlog,
    live: [...fresh, ...changed, ...resent],
    expected: {
      received: published,
      created: count - unmappable,
      updated: changed.length,
      unchanged: resent.length,
      deadLettered: unmappable,
      reread: { recordsSeen: published, unchanged: published - changed.length - unmappable, stale: changed.length, deadLettered: unmappable },
    },
  };
}

/**
 * Loyalty members a lookup table holds, announced by webhook hints: all mappable, none in the topic.
 * A lookup table has at most 10 columns: members carry no last name and no warehouse.
 */
export const loyaltyMembers = (count: number) =>
  Array.from({ length: count * 2 }, (_, i) => 50_000 + i)
    .filter((i) => !isUnmappable(i))
    .slice(0, count)
    .map((i) => {
      const { last_name: _lastName, warehouse: _warehouse, ...member } = customer(i, 'loyalty');
      return member;
    });
