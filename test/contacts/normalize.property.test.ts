import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONSENT_CHANNELS,
  contentHash,
  normalizeContact,
  normalizeEmail,
  normalizeLocale,
  normalizeMoney,
  normalizePhone,
  normalizeTimestamp,
} from '../../api/src/contacts/normalize.ts';
import type { NormalizeContext, NormalizeResult, NormalizedContact, Outcome } from '../../api/src/contacts/normalize.ts';

const ctx: NormalizeContext = { defaultSource: 'workato', defaultRegion: 'US' };
const runs = { numRuns: 500 };

/** fc.anything with every extra switched on: boxed values, Maps, null-prototype objects, sparse arrays, odd keys. */
const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: 'binary',
  key: fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf')),
});

// --- Realistic-ish records: each field is usually a plausible vendor value and sometimes a broken one. ---

/** Mostly `plausible`, sometimes `messy`: enough valid records to make idempotence meaningful, enough junk to matter. */
const usually = <T, U>(plausible: fc.Arbitrary<T>, messy: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ weight: 12, arbitrary: plausible }, { weight: 1, arbitrary: messy });

const emailArb = usually(
  fc.oneof(
    fc.emailAddress(),
    fc.emailAddress().map((email) => `  MAILTO:${email.toUpperCase()} `),
    fc.constantFrom('Max@Bücher.DE', 'info@faß.de', 'a@ｅｘａｍｐｌｅ.com', 'kunde@müller.example', '', null),
  ),
  fc.oneof(fc.constantFrom('Jörg@Bücher.DE', 'a..b@x.com', 'bad', 'a@localhost'), fc.string()),
);

/** Phone and the region it is written for travel together, so plausible numbers stay valid. */
const phoneArb = usually(
  fc.constantFrom(
    { phone: '(415) 555-2671' },
    { phone: 14155552671 },
    { phone: '+44 20 7946 0018', phoneRegion: 'FR' },
    { phone: '020 7946 0018', phoneRegion: 'gb' },
    { phone: '0049 30 901820' },
    { phone: '030 901820', phoneRegion: 'DE' },
    { phone: '06 12 34 56 78', phoneRegion: 'FR' },
    { phone: '', phoneRegion: 'JP' },
    { phone: null },
  ),
  fc.oneof(
    fc.record({
      phone: fc.constantFrom('123', '+1 415 555 2671 ext 5', '020 7946 0018'),
      phoneRegion: fc.constantFrom('US', 'XX', 'GBR'),
    }),
    fc.record({
      phone: fc.oneof(
        fc.stringMatching(/^(\+|00)?[1-9][0-9 ().-]{6,16}$/),
        fc.integer({ min: 0, max: 99_999_999_999 }),
        fc.string(),
      ),
    }),
  ),
);

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Date-time strings assembled from parts, so both real and impossible calendar values come up. */
const assembledDateTimeArb = fc
  .record({
    year: fc.integer({ min: 1890, max: 2210 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    time: fc.option(
      fc.record({
        separator: fc.constantFrom('T', ' ', 't'),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 60 }),
        second: fc.option(fc.integer({ min: 0, max: 60 })),
        fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/)),
        offset: fc.constantFrom('', 'Z', 'z', '+05:30', '-08:00', '+0530', '-0000', '+14:00', '+24:00'),
      }),
    ),
  })
  .map(({ year, month, day, time }) => {
    const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
    if (!time) return date;
    const seconds = time.second === null ? '' : `:${pad(time.second)}${time.fraction === null ? '' : `.${time.fraction}`}`;
    return `${date}${time.separator}${pad(time.hour)}:${pad(time.minute)}${seconds}${time.offset}`;
  });

/** One real instant, written the ways vendors write it: local time with an offset, epoch seconds or milliseconds. */
const plausibleTimestampArb = fc
  .tuple(
    fc.date({ min: new Date('1900-01-02T00:00:00Z'), max: new Date('2200-12-30T00:00:00Z'), noInvalidDate: true }),
    fc.constantFrom(0, 330, -480, 60, -150),
    fc.constantFrom('iso', 'offset', 'compact', 'seconds', 'secondsString', 'millis', 'date'),
  )
  .map(([date, offsetMinutes, style]) => {
    const iso = date.toISOString();
    const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const offset = `${pad(Math.floor(Math.abs(offsetMinutes) / 60))}${pad(Math.abs(offsetMinutes) % 60)}`;
    switch (style) {
      case 'iso':
        return iso;
      case 'offset':
        return `${local}${sign}${offset.slice(0, 2)}:${offset.slice(2)}`;
      case 'compact':
        return `${local.replace('T', ' ')}${sign}${offset}`;
      case 'seconds':
        return date.getTime() / 1000;
      case 'secondsString':
        return String(date.getTime() / 1000);
      case 'millis':
        return date.getTime();
      default:
        return iso.slice(0, 10);
    }
  });

const timestampArb = usually(
  fc.oneof(plausibleTimestampArb, fc.constantFrom('', null)),
  fc.oneof(
    assembledDateTimeArb,
    fc.integer({ min: -3_000_000_000, max: 8_000_000_000 }),
    fc.double({ min: -1e13, max: 1e13 }),
    fc.constantFrom(1e11, 1e11 - 1, '2023-02-30', 'yesterday', '1e9'),
    fc.string(),
  ),
);

/** Writes an integer of minor units as the decimal string a vendor would send, e.g. (-5, 2) → '-0.05'. */
function formatMinor(amountMinor: number, digits: number): string {
  const magnitude = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const decimal = digits ? `${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}` : magnitude;
  return `${amountMinor < 0 ? '-' : ''}${decimal}`;
}

const MINOR_DIGITS = { USD: 2, EUR: 2, JPY: 0, BHD: 3 } as const;
const currencyArb = fc.constantFrom(...(Object.keys(MINOR_DIGITS) as (keyof typeof MINOR_DIGITS)[]));

const moneyArb = usually(
  fc
    .tuple(
      currencyArb,
      fc.integer({ min: -1e12, max: 1e12 }),
      fc.constantFrom('string', 'number', 'minor', 'both'),
    )
    .map(([currency, amountMinor, style]) => {
      const decimal = formatMinor(amountMinor, MINOR_DIGITS[currency]);
      const code = amountMinor % 2 === 0 ? currency.toLowerCase() : currency;
      if (style === 'minor') return { currency: code, amountMinor };
      if (style === 'both') return { currency: code, amount: decimal, amountMinor };
      return { currency: code, amount: style === 'number' ? Number(decimal) : decimal };
    }),
  fc.record(
    {
      currency: fc.constantFrom('USD', 'JPY', 'XXX', 'US', 42),
      amount: fc.oneof(
        fc.stringMatching(/^-?[0-9]{1,14}(\.[0-9]{1,4})?$/),
        fc.double(),
        fc.constantFrom('1,000.00', '1e3', '', null),
      ),
      amountMinor: fc.oneof(fc.maxSafeInteger(), fc.double()),
    },
    { requiredKeys: [] },
  ),
);

const localeArb = usually(
  fc.oneof(
    fc.constantFrom('en_us', 'EN-us', 'zh_hant_tw', 'iw', 'EN-us-POSIX', 'sr_Latn_RS', 'es-419', 'mo', ''),
    fc.stringMatching(/^[a-z]{2,3}([-_][A-Za-z]{2})?$/),
  ),
  fc.oneof(
    fc.constantFrom('x', 'root', 'en--us', 'en-gb-oed'),
    fc.stringMatching(/^[a-zA-Z]{1,9}([-_][a-zA-Z0-9]{1,9}){0,3}$/),
    fc.string(),
  ),
);

const nameArb = usually(
  fc.oneof(
    fc.constantFrom('  Ana   María ', 'Jose\u0301', '\tvan\u00a0der \n Berg', '', null),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ maxLength: 60 }),
  ),
  fc.oneof(fc.string({ minLength: 256, maxLength: 300 }), fc.integer(), fc.constant(['Ana'])),
);

const channelConsentArb = fc.record(
  {
    status: fc.constantFrom(
      'opted_in',
      'opted_out',
      'pending',
      'SUBSCRIBED',
      ' yes ',
      'revoked',
      'Unconfirmed',
      'double_opt_in_pending',
      true,
      false,
    ),
    source: fc.constantFrom('web', ' form ', 'https://example.com/signup', '', null),
    timestamp: fc.oneof(plausibleTimestampArb, fc.constant(null)),
  },
  { requiredKeys: ['status'] },
);

const brokenChannelConsentArb = fc.record(
  { status: fc.constantFrom('maybe', '', 1, 'opted_in'), timestamp: timestampArb, extra: fc.string() },
  { requiredKeys: [] },
);

const consentArb = usually(
  fc.dictionary(fc.constantFrom(...CONSENT_CHANNELS), usually(channelConsentArb, fc.constant(null))),
  fc.oneof(
    fc.dictionary(fc.constantFrom('email', 'sms', 'fax'), fc.oneof(brokenChannelConsentArb, fc.constantFrom('opted_in', {}))),
    fc.constantFrom('opted_in', ['email']),
  ),
);

const attributeNameArb = fc.stringMatching(/^ ?[A-Za-z][A-Za-z0-9_]{0,12} ?$/);
const attributeValueArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const attributesArb = usually(
  fc.dictionary(attributeNameArb, attributeValueArb, { maxKeys: 6 }),
  fc.dictionary(
    fc.oneof(attributeNameArb, fc.string()),
    fc.oneof(fc.string(), fc.double(), fc.constantFrom({}, [], { a: 1 })),
    { minKeys: 1, maxKeys: 4 },
  ),
);

const recordArb = fc
  .tuple(
    fc.record(
      {
        externalId: usually(
          fc.stringMatching(/^ ?[A-Za-z0-9_-]{1,40} ?$/),
          fc.oneof(fc.string(), fc.constant('x'.repeat(256))),
        ),
        source: usually(fc.constantFrom('shop', ' crm ', 'hubspot', ''), fc.constantFrom('a:b', 'x'.repeat(65), 7)),
        sourceId: usually(
          fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), fc.nat()),
          fc.oneof(fc.string(), fc.double(), fc.constant(true)),
        ),
        email: emailArb,
        firstName: nameArb,
        lastName: nameArb,
        locale: localeArb,
        sourceCreatedAt: timestampArb,
        sourceUpdatedAt: timestampArb,
        lifetimeValue: moneyArb,
        consent: consentArb,
        attributes: attributesArb,
      },
      { requiredKeys: [] },
    ),
    fc.option(phoneArb),
    usually(fc.constant({}), fc.dictionary(fc.constantFrom('plan', 'Email', 'id'), fc.string(), { minKeys: 1 })),
  )
  .map(([fields, phone, unknownFields]) => ({ ...fields, ...phone, ...unknownFields }));

// --- Helpers ---

function expectWellFormed(result: NormalizeResult): void {
  if (result.ok) {
    // toStrictEqual also fails on `undefined`-valued keys, which JSON would silently drop.
    expect(JSON.parse(JSON.stringify(result.contact))).toStrictEqual(result.contact);
    return;
  }
  expect(result.rejections.length).toBeGreaterThan(0);
  for (const rejection of result.rejections) {
    expect(typeof rejection.field).toBe('string');
    expect(typeof rejection.reason).toBe('string');
    expect(rejection.reason).not.toBe('');
  }
}

function expectIdempotent<T>(normalize: (input: unknown) => Outcome<T>, input: unknown): void {
  const first = normalize(input);
  expect(typeof first.ok).toBe('boolean');
  if (first.ok) expect(normalize(first.value)).toStrictEqual(first);
  else expect(first.reason).not.toBe('');
}

/** Deterministic pseudo-shuffle of keys at every level, driven by a seed. */
function reorderKeys(value: unknown, seed: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const rank = (key: string): number => {
    let hash = seed >>> 0;
    for (const char of key) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
    return hash;
  };
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(keys.map((key) => [key, reorderKeys((value as Record<string, unknown>)[key], seed)]));
}

// --- Properties ---

describe('normalizeContact never throws', () => {
  it('on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (input) => expectWellFormed(normalizeContact(input, ctx))), runs);
  });

  it('on arbitrary JavaScript values', () => {
    fc.assert(fc.property(anything, (input) => expectWellFormed(normalizeContact(input, ctx))), runs);
  });

  it('on objects with contact keys holding arbitrary values, at any nesting', () => {
    const scalarKey = fc.constantFrom('email', 'phone', 'phoneRegion', 'sourceId', 'externalId', 'source', 'locale');
    const objectKey = fc.constantFrom('consent', 'attributes', 'lifetimeValue');
    const innerKey = fc.oneof(fc.constantFrom('email', 'sms', 'status', 'currency', 'amount', 'amountMinor'), fc.string());
    const inner = fc.dictionary(innerKey, anything);
    const arb = fc.tuple(
      fc.dictionary(scalarKey, anything),
      fc.dictionary(objectKey, fc.oneof(anything, inner, fc.dictionary(fc.string(), inner))),
    );
    fc.assert(
      fc.property(arb, ([scalars, objects]) => expectWellFormed(normalizeContact({ ...scalars, ...objects }, ctx))),
      { numRuns: 300 },
    );
  });

  it('on realistic records', () => {
    fc.assert(fc.property(recordArb, (input) => expectWellFormed(normalizeContact(input, ctx))), runs);
  });
});

describe('normalizeContact is idempotent', () => {
  it('re-normalizing an accepted contact gives the identical contact', () => {
    let accepted = 0;
    fc.assert(
      fc.property(recordArb, (input) => {
        const first = normalizeContact(input, ctx);
        if (!first.ok) return;
        accepted++;
        // An output names its source and clears nothing: it is the contact itself.
        const itself = { ...first, cleared: [], sourceDefaulted: false };
        expect(normalizeContact(first.contact, ctx)).toStrictEqual(itself);
        // Whatever the default region or source, an output stands on its own.
        expect(normalizeContact(first.contact, { defaultSource: 'other', defaultRegion: 'JP' })).toStrictEqual(itself);
      }),
      { numRuns: 1000 },
    );
    // Guard against an arbitrary so broken that the property would hold vacuously.
    expect(accepted).toBeGreaterThan(250);
  });
});

describe('primitives', () => {
  it('normalizeEmail is idempotent and total', () => {
    fc.assert(fc.property(fc.oneof(emailArb, anything), (input) => expectIdempotent(normalizeEmail, input)), runs);
  });

  it('normalizePhone is idempotent and total, and its E.164 output no longer depends on the region', () => {
    const regions = fc.constantFrom('US', 'GB', 'DE', 'FR', 'JP', 'AU', 'IN', 'BR');
    fc.assert(
      fc.property(fc.oneof(phoneArb, anything), regions, regions, (input, region, otherRegion) => {
        const first = normalizePhone(input, region);
        if (first.ok) {
          expect(first.value).toMatch(/^\+[1-9][0-9]{1,14}$/);
          expect(normalizePhone(first.value, region)).toStrictEqual(first);
          expect(normalizePhone(first.value, otherRegion)).toStrictEqual(first);
        } else {
          expect(first.reason).not.toBe('');
        }
      }),
      runs,
    );
  });

  it('normalizeTimestamp is idempotent and total, and stays within 1900-2200', () => {
    fc.assert(
      fc.property(fc.oneof(timestampArb, anything), (input) => {
        expectIdempotent(normalizeTimestamp, input);
        const result = normalizeTimestamp(input);
        if (result.ok) {
          expect(result.value).toMatch(/^(19\d\d|2[01]\d\d|2200)-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        }
      }),
      runs,
    );
  });

  it('normalizeTimestamp agrees with Date on ISO strings within range', () => {
    const min = new Date('1900-01-01T00:00:00Z');
    const max = new Date('2200-12-31T23:59:59.999Z');
    const dates = fc.date({ min, max, noInvalidDate: true });
    fc.assert(
      fc.property(dates, (date) => {
        expect(normalizeTimestamp(date.toISOString())).toEqual({ ok: true, value: date.toISOString() });
      }),
      runs,
    );
  });

  it('normalizeMoney is idempotent and total', () => {
    fc.assert(fc.property(fc.oneof(moneyArb, anything), (input) => expectIdempotent(normalizeMoney, input)), runs);
  });

  it('normalizeMoney converts decimal strings exactly, up to the largest safe integer of minor units', () => {
    const minorUnits = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(minorUnits, currencyArb, (amountMinor, currency) => {
        const amount = formatMinor(amountMinor, MINOR_DIGITS[currency]);
        expect(normalizeMoney({ currency, amount })).toEqual({ ok: true, value: { currency, amountMinor } });
      }),
      runs,
    );
  });

  it('normalizeLocale is idempotent and total', () => {
    fc.assert(fc.property(fc.oneof(localeArb, anything), (input) => expectIdempotent(normalizeLocale, input)), runs);
  });
});

describe('contentHash', () => {
  const acceptedContact = recordArb
    .map((input) => normalizeContact(input, ctx))
    .filter((result): result is Extract<typeof result, { ok: true }> => result.ok)
    .map((result) => result.contact);

  it('ignores key order at every level', () => {
    fc.assert(
      fc.property(acceptedContact, fc.integer(), (contact, seed) => {
        const reordered = reorderKeys(contact, seed) as NormalizedContact;
        expect(contentHash(reordered)).toBe(contentHash(contact));
        expect(contentHash(contact)).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 300 },
    );
  });

  it('survives a JSON round trip', () => {
    fc.assert(
      fc.property(acceptedContact, (contact) => {
        expect(contentHash(JSON.parse(JSON.stringify(contact)) as NormalizedContact)).toBe(contentHash(contact));
      }),
      { numRuns: 300 },
    );
  });
});
