import { createHash } from 'node:crypto';
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
  stableExternalId,
} from '../../api/src/contacts/normalize.ts';
import type { NormalizeContext, NormalizedContact, Rejection } from '../../api/src/contacts/normalize.ts';

const ctx: NormalizeContext = { defaultSource: 'workato', defaultRegion: 'US' };

const sha32 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 32);

function normalizedOrFail(input: unknown): NormalizedContact {
  const result = normalizeContact(input, ctx);
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.rejections)}`);
  return result.contact;
}

function rejectionsOf(input: unknown): Rejection[] {
  const result = normalizeContact(input, ctx);
  if (result.ok) throw new Error(`expected rejections, got ${JSON.stringify(result.contact)}`);
  return result.rejections;
}

const fieldsOf = (input: unknown): string[] => rejectionsOf(input).map((rejection) => rejection.field);

describe('normalizeEmail', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['  Alice@Example.COM  ', 'alice@example.com'],
    ['mailto:bob@example.com', 'bob@example.com'],
    ['MAILTO:Bob@Example.com', 'bob@example.com'],
    ['user+tag@sub.example.co.uk', 'user+tag@sub.example.co.uk'],
    ["o'brien.j@example.ie", "o'brien.j@example.ie"],
    ['!#$%&*+/=?^_`{|}~-@example.com', '!#$%&*+/=?^_`{|}~-@example.com'],
    ['Max@Bücher.DE', 'max@xn--bcher-kva.de'],
    ['max@xn--bcher-kva.de', 'max@xn--bcher-kva.de'],
    ['info@faß.de', 'info@xn--fa-hia.de'],
    ['a@ｅｘａｍｐｌｅ.com', 'a@example.com'],
    ['a@b.c1', 'a@b.c1'],
    ['a@ab--cd.com', 'a@ab--cd.com'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['Jörg@Bücher.DE', /local part/],
    ['a..b@example.com', /local part/],
    ['.a@example.com', /local part/],
    ['a.@example.com', /local part/],
    ['"quoted"@example.com', /local part/],
    ['a b@example.com', /local part/],
    ['a@@example.com', /local part/],
    [`${'a'.repeat(65)}@example.com`, /local part/],
    ['alice', /no '@'/],
    ['alice@', /domain/],
    ['alice@localhost', /domain/],
    ['alice@1.2.3.4', /domain/],
    ['alice@[127.0.0.1]', /domain/],
    ['alice@-example.com', /domain/],
    ['alice@example-.com', /domain/],
    ['alice@exa_mple.com', /domain/],
    ['alice@example..com', /domain/],
    ['alice@example.com.', /domain/],
    ['alice@xn--zz.com', /domain/],
    [`alice@${'a'.repeat(64)}.com`, /domain/],
    [`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}.com`, /too long/],
    ['', /empty/],
    ['mailto:', /empty/],
  ])('rejects %j', (input, reason) => {
    const result = normalizeEmail(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([null, undefined, 42, true, {}, ['a@b.co']])('rejects non-string %j', (input) => {
    expect(normalizeEmail(input)).toEqual({ ok: false, reason: expect.stringMatching(/expected a string/) });
  });
});

describe('normalizePhone', () => {
  it.each([
    ['(415) 555-2671', 'US', '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+1 415 555 2671', 'GB', '+14155552671'],
    ['1 (415) 555-2671', 'US', '+14155552671'],
    ['020 7946 0018', 'GB', '+442079460018'],
    ['07400 123456', 'GB', '+447400123456'],
    ['+44 20 7946 0018', 'US', '+442079460018'],
    ['0049 30 901820', 'US', '+4930901820'],
    ['00 44 20 7946 0018', 'US', '+442079460018'],
    ['011 44 20 7946 0018', 'US', '+442079460018'],
    ['030 901820', 'DE', '+4930901820'],
    ['06 12 34 56 78', 'FR', '+33612345678'],
    ['(02) 9374 4000', 'AU', '+61293744000'],
    ['  +81 3-1234-5678  ', 'US', '+81312345678'],
    ['１４１５５５５２６７１', 'US', '+14155552671'],
    [4155552671, 'US', '+14155552671'],
    [14155552671, 'US', '+14155552671'],
    [2079460018, 'GB', '+442079460018'],
  ] as const)('%j in %s → %s', (input, region, expected) => {
    expect(normalizePhone(input, region)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['123', 'US', 'not a valid phone number for region US'],
    ['+1 555 555 5555', 'US', 'not a valid phone number for region US'],
    ['020 7946 001', 'GB', 'not a valid phone number for region GB'],
    ['415-555-2671abc', 'US', 'not a valid phone number for region US'],
    ['call me: 415 555 2671', 'US', 'not a valid phone number for region US'],
    ['tel:+14155552671', 'US', 'not a valid phone number for region US'],
    ['', 'US', 'not a valid phone number for region US'],
    ['+1 415 555 2671 ext 5', 'US', 'phone extensions are not supported: E.164 cannot carry them'],
    ['+49 201 0000 0000 000', 'US', 'longer than the 15 digits E.164 allows'],
  ] as const)('rejects %j in %s', (input, region, reason) => {
    expect(normalizePhone(input, region)).toEqual({ ok: false, reason });
  });

  it.each([4155552671.5, -4155552671, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60])('rejects unusable number %j', (input) => {
    expect(normalizePhone(input, 'US')).toEqual({ ok: false, reason: expect.stringMatching(/non-negative integer/) });
  });

  it.each([null, true, {}, ['+14155552671']])('rejects non-string, non-number %j', (input) => {
    expect(normalizePhone(input, 'US')).toEqual({ ok: false, reason: expect.stringMatching(/expected a string or number/) });
  });

  it('rejects an unsupported default region instead of throwing', () => {
    expect(normalizePhone('4155552671', 'XX' as never)).toEqual({ ok: false, reason: expect.stringMatching(/region/) });
  });

});

describe('normalizeTimestamp', () => {
  it.each([
    ['2024-03-10T12:00:00+05:30', '2024-03-10T06:30:00.000Z'],
    ['2024-03-10T12:00:00+0530', '2024-03-10T06:30:00.000Z'],
    ['2024-03-10T12:00:00-08:00', '2024-03-10T20:00:00.000Z'],
    ['2024-03-10T12:00:00-00:00', '2024-03-10T12:00:00.000Z'],
    ['2024-03-10T12:00:00Z', '2024-03-10T12:00:00.000Z'],
    ['2024-03-10t12:00:00z', '2024-03-10T12:00:00.000Z'],
    ['2024-03-10 12:00:00Z', '2024-03-10T12:00:00.000Z'],
    ['2024-03-10T12:00:00', '2024-03-10T12:00:00.000Z'],
    ['2024-03-10T12:00', '2024-03-10T12:00:00.000Z'],
    ['2024-03-10T12:00:00.5Z', '2024-03-10T12:00:00.500Z'],
    ['2024-03-10T12:00:00.123456789-0800', '2024-03-10T20:00:00.123Z'],
    ['2024-03-10T23:30:00-01:00', '2024-03-11T00:30:00.000Z'],
    ['2024-03-10', '2024-03-10T00:00:00.000Z'],
    ['  2024-03-10  ', '2024-03-10T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2000-02-29', '2000-02-29T00:00:00.000Z'],
    ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00.000Z'],
    ['2200-12-31T23:59:59.999Z', '2200-12-31T23:59:59.999Z'],
    ['2024-03-10T06:30:00.000Z', '2024-03-10T06:30:00.000Z'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    [1600000000, '2020-09-13T12:26:40.000Z'],
    ['1600000000', '2020-09-13T12:26:40.000Z'],
    ['+1600000000', '2020-09-13T12:26:40.000Z'],
    [1600000000.5, '2020-09-13T12:26:40.500Z'],
    ['1600000000.5', '2020-09-13T12:26:40.500Z'],
    [1700000000.123, '2023-11-14T22:13:20.123Z'],
    [1600000000000, '2020-09-13T12:26:40.000Z'],
    ['1600000000000', '2020-09-13T12:26:40.000Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    [-1, '1969-12-31T23:59:59.000Z'],
    [-2208988800, '1900-01-01T00:00:00.000Z'],
    // The seconds/milliseconds boundary: 1e11 is read as milliseconds…
    [1e11, '1973-03-03T09:46:40.000Z'],
    [-1e11, '1966-10-31T14:13:20.000Z'],
  ])('epoch %j → %s', (input, expected) => {
    expect(normalizeTimestamp(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    // …while just below it is seconds, far beyond 2200.
    [1e11 - 1, /out of range/],
    [-1e11 + 1, /out of range/],
    [-2208988801, /out of range/],
    [1e300, /out of range/],
    [Number.NaN, /finite/],
    [Number.POSITIVE_INFINITY, /finite/],
    ['1899-12-31T23:59:59Z', /out of range/],
    ['1900-01-01T00:30:00+01:00', /out of range/],
    ['2200-12-31T23:00:00-01:00', /out of range/],
    ['2201-01-01', /out of range/],
    ['0050-01-01', /out of range/],
    ['9999-12-31', /out of range/],
    ['2023-02-29', /calendar/],
    ['2023-02-30', /calendar/],
    ['1900-02-29', /calendar/],
    ['2024-04-31', /calendar/],
    ['2024-13-01', /calendar/],
    ['2024-00-10', /calendar/],
    ['2024-03-00', /calendar/],
    ['2024-01-01T25:00:00Z', /calendar/],
    ['2024-01-01T24:00:00Z', /calendar/],
    ['2024-01-01T12:60:00Z', /calendar/],
    ['2024-01-01T12:00:60Z', /calendar/],
    ['2024-01-01T12:00:00+24:00', /calendar/],
    ['2024-01-01T12:00:00+05:60', /calendar/],
    ['2024-3-10', /not a timestamp/],
    ['2024-03-10Z', /not a timestamp/],
    ['2024-03-10T12', /not a timestamp/],
    ['2024-03-10T12:00:00+5:30', /not a timestamp/],
    ['2024-03-10T12:00:00 +05:30', /not a timestamp/],
    ['2024-03-10T12:00:00.Z', /not a timestamp/],
    ['2024/03/10', /not a timestamp/],
    ['Sun Mar 10 2024', /not a timestamp/],
    ['March 10, 2024', /not a timestamp/],
    ['1e9', /not a timestamp/],
    ['', /not a timestamp/],
  ])('rejects %j', (input, reason) => {
    const result = normalizeTimestamp(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([null, true, {}, [2024]])('rejects non-string, non-number %j', (input) => {
    expect(normalizeTimestamp(input)).toEqual({ ok: false, reason: expect.stringMatching(/expected a string or number/) });
  });
});

describe('normalizeMoney', () => {
  it.each([
    [{ currency: 'USD', amount: '12.50' }, { currency: 'USD', amountMinor: 1250 }],
    [{ currency: 'usd', amount: '12.5' }, { currency: 'USD', amountMinor: 1250 }],
    [{ currency: ' eur ', amount: ' 7 ' }, { currency: 'EUR', amountMinor: 700 }],
    [{ currency: 'USD', amount: 12.5 }, { currency: 'USD', amountMinor: 1250 }],
    [{ currency: 'USD', amount: 19.99 }, { currency: 'USD', amountMinor: 1999 }],
    [{ currency: 'USD', amount: 0.07 }, { currency: 'USD', amountMinor: 7 }],
    [{ currency: 'USD', amount: '-12.34' }, { currency: 'USD', amountMinor: -1234 }],
    [{ currency: 'USD', amount: '-0' }, { currency: 'USD', amountMinor: 0 }],
    [{ currency: 'USD', amount: '0012.30' }, { currency: 'USD', amountMinor: 1230 }],
    [{ currency: 'USD', amount: '90071992547409.91' }, { currency: 'USD', amountMinor: 9007199254740991 }],
    [{ currency: 'JPY', amount: '1500' }, { currency: 'JPY', amountMinor: 1500 }],
    [{ currency: 'JPY', amount: 1500 }, { currency: 'JPY', amountMinor: 1500 }],
    [{ currency: 'BHD', amount: '1.234' }, { currency: 'BHD', amountMinor: 1234 }],
    [{ currency: 'BHD', amount: 1.5 }, { currency: 'BHD', amountMinor: 1500 }],
    [{ currency: 'KWD', amount: '0.001' }, { currency: 'KWD', amountMinor: 1 }],
    [{ currency: 'USD', amountMinor: 1250 }, { currency: 'USD', amountMinor: 1250 }],
    [{ currency: 'USD', amountMinor: -0 }, { currency: 'USD', amountMinor: 0 }],
    [{ currency: 'USD', amount: '12.50', amountMinor: 1250 }, { currency: 'USD', amountMinor: 1250 }],
    [{ currency: 'USD', amount: null, amountMinor: 1250 }, { currency: 'USD', amountMinor: 1250 }],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMoney(input)).toEqual({ ok: true, value: expected });
  });

  it('keeps amountMinor a positive zero so JSON round trips are exact', () => {
    const result = normalizeMoney({ currency: 'USD', amountMinor: -0 });
    expect(result.ok && Object.is(result.value.amountMinor, 0)).toBe(true);
  });

  it.each([
    [{ currency: 'JPY', amount: '1500.5' }, 'amount: JPY has 0 decimal places; refusing to round 1500.5'],
    [{ currency: 'JPY', amount: 1500.5 }, 'amount: JPY has 0 decimal places; refusing to round 1500.5'],
    [{ currency: 'JPY', amount: '1500.0' }, 'amount: JPY has 0 decimal places; refusing to round 1500.0'],
    [{ currency: 'USD', amount: '12.345' }, 'amount: USD has 2 decimal places; refusing to round 12.345'],
    [{ currency: 'USD', amount: 1.005 }, 'amount: USD has 2 decimal places; refusing to round 1.005'],
    [{ currency: 'USD', amount: 0.1 + 0.2 }, 'amount: USD has 2 decimal places; refusing to round 0.30000000000000004'],
    [{ currency: 'BHD', amount: '1.2345' }, 'amount: BHD has 3 decimal places; refusing to round 1.2345'],
    [{ currency: 'USD', amount: '12.50', amountMinor: 1251 }, 'amountMinor: disagrees with amount, which is 1250 minor units'],
    [{ currency: 'USD' }, 'amount: required: give amount or amountMinor'],
    [{ currency: 'USD', amount: '' }, 'amount: required: give amount or amountMinor'],
    [{ amount: '1' }, 'currency: expected a string, got undefined'],
    [{ currency: 'US', amount: '1' }, 'currency: not a supported ISO 4217 currency code'],
    [{ currency: 'ABC', amount: '1' }, 'currency: not a supported ISO 4217 currency code'],
    [{ currency: 'XXX', amount: '1' }, 'currency: not a supported ISO 4217 currency code'],
    [{ currency: 840, amount: '1' }, 'currency: expected a string, got a number'],
    [{ currency: 'USD', amountMinor: 12.5 }, 'amountMinor: expected a safe integer'],
    [{ currency: 'USD', amountMinor: '1250' }, 'amountMinor: expected a safe integer'],
    [{ currency: 'USD', amountMinor: 2 ** 53 }, 'amountMinor: expected a safe integer'],
    [{ currency: 'USD', amount: '90071992547409.92' }, 'amount: out of range: not a safe integer of minor units'],
    [{ currency: 'USD', amount: '1', value: 1 }, 'value: unknown field; expected currency, amount or amountMinor'],
    [{ currency: 'ABC', amountMinor: 1.5 }, 'currency: not a supported ISO 4217 currency code; amountMinor: expected a safe integer'],
    ['12.50 USD', 'expected an object {currency, amount} or {currency, amountMinor}, got a string'],
    [null, 'expected an object {currency, amount} or {currency, amountMinor}, got null'],
    [[], 'expected an object {currency, amount} or {currency, amountMinor}, got an array'],
  ])('rejects %j', (input, reason) => {
    expect(normalizeMoney(input)).toEqual({ ok: false, reason });
  });

  it.each(['1,000.00', '1 000', '1e3', '.5', '5.', '+5', '--5', '5-', '0x10', 'NaN', 'Infinity', '١٢'])(
    'rejects the non-plain decimal %j',
    (amount) => {
      const result = normalizeMoney({ currency: 'USD', amount });
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(/^amount: not a plain decimal/) });
    },
  );

  it.each([1e21, 1e-7, Number.NaN, Number.NEGATIVE_INFINITY, true])('rejects the amount %j', (amount) => {
    expect(normalizeMoney({ currency: 'USD', amount }).ok).toBe(false);
  });
});

describe('normalizeLocale', () => {
  it.each([
    ['en-US', 'en-US'],
    ['en_us', 'en-US'],
    ['EN-us', 'en-US'],
    ['en', 'en'],
    ['pt_br', 'pt-BR'],
    [' fr-ca ', 'fr-CA'],
    ['zh_hant_tw', 'zh-Hant-TW'],
    ['sr_Latn_RS', 'sr-Latn-RS'],
    ['es-419', 'es-419'],
    ['de-de-1996', 'de-DE-1996'],
    ['iw', 'he'],
    ['EN-us-POSIX', 'en-US-u-va-posix'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeLocale(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['', 'e', '123', 'en-US-', 'en--us', 'en-gb-oed', 'root', 'en US'])('rejects %j', (input) => {
    expect(normalizeLocale(input).ok).toBe(false);
  });

  it.each([null, 42, {}, ['en']])('rejects non-string %j', (input) => {
    expect(normalizeLocale(input)).toEqual({ ok: false, reason: expect.stringMatching(/expected a string/) });
  });
});

describe('stableExternalId', () => {
  it('prefers the vendor id', () => {
    expect(stableExternalId('shop', '42', { email: 'a@b.co', phone: '+14155552671' })).toBe('shop:42');
  });

  it('falls back to a hash of the email, then of the phone', () => {
    expect(stableExternalId('shop', undefined, { email: 'a@b.co', phone: '+14155552671' })).toBe(`shop:h:${sha32('a@b.co')}`);
    expect(stableExternalId('shop', undefined, { phone: '+14155552671' })).toBe(`shop:h:${sha32('+14155552671')}`);
  });

  it('has no identity to offer without vendor id, email or phone', () => {
    expect(stableExternalId('shop', undefined, {})).toBeUndefined();
    expect(stableExternalId('shop', '', { email: '' })).toBeUndefined();
  });
});

describe('normalizeContact', () => {
  describe('input shape', () => {
    it.each([null, [], [{ email: 'a@b.co' }], 'a@b.co', 42, true, undefined, new Date(0), new Map()])(
      'rejects the non-object %j with a single root rejection',
      (input) => {
        const rejections = rejectionsOf(input);
        expect(rejections).toHaveLength(1);
        expect(rejections[0]).toEqual({ field: '', reason: expect.stringMatching(/expected a JSON object/) });
      },
    );

    it('rejects unknown top-level fields, pointing at attributes', () => {
      expect(rejectionsOf({ email: 'a@b.co', plan: 'pro' })).toEqual([
        { field: 'plan', reason: 'unknown field; put custom data under attributes' },
      ]);
    });

    it('treats __proto__ and constructor keys as ordinary unknown fields', () => {
      const input: unknown = JSON.parse('{"__proto__": {"email": "x@y.co"}, "constructor": 1, "email": "a@b.co"}');
      expect(fieldsOf(input)).toEqual(['__proto__', 'constructor']);
      expect(({} as Record<string, unknown>).email).toBeUndefined();
    });

    it('cuts huge unknown keys down when echoing them', () => {
      const [rejection] = rejectionsOf({ email: 'a@b.co', ['k'.repeat(100_000)]: 1 });
      expect(rejection?.field.length).toBeLessThan(100);
    });

    it('collects every rejection, with dotted paths', () => {
      const rejections = rejectionsOf({
        email: 'not-an-email',
        phone: '123',
        firstName: 42,
        locale: 'e',
        sourceCreatedAt: '2023-02-30',
        lifetimeValue: { currency: 'JPY', amount: '1.5' },
        consent: { sms: { status: 'maybe' }, fax: { status: 'opted_in' } },
        attributes: { plan: { tier: 'pro' }, '1st': 'x' },
        extra: true,
      });
      expect(rejections.map((rejection) => rejection.field).sort()).toEqual(
        [
          'extra',
          'email',
          'phone',
          'firstName',
          'locale',
          'sourceCreatedAt',
          'lifetimeValue.amount',
          'consent.fax',
          'consent.sms.status',
          'attributes.plan',
          'attributes.1st',
        ].sort(),
      );
      for (const rejection of rejections) expect(rejection.reason).not.toBe('');
    });
  });

  describe('identity', () => {
    it('uses an explicit externalId, trimmed, over everything else', () => {
      const contact = normalizedOrFail({ externalId: '  crm-7 ', source: 'shop', sourceId: '42', email: 'a@b.co' });
      expect(contact).toMatchObject({ externalId: 'crm-7', source: 'shop', sourceId: '42' });
    });

    it('falls back to source:sourceId', () => {
      expect(normalizedOrFail({ source: ' shop ', sourceId: ' 42 ', email: 'a@b.co' })).toMatchObject({
        externalId: 'shop:42',
        source: 'shop',
        sourceId: '42',
      });
    });

    it('accepts an integer sourceId and the default source', () => {
      expect(normalizedOrFail({ sourceId: 42 })).toEqual({
        externalId: 'workato:42',
        source: 'workato',
        sourceId: '42',
        consent: {},
        attributes: {},
      });
    });

    it('falls back to a hash of the normalized email', () => {
      const contact = normalizedOrFail({ email: ' Max@Bücher.DE ', phone: '(415) 555-2671' });
      expect(contact.externalId).toBe(`workato:h:${sha32('max@xn--bcher-kva.de')}`);
      expect(contact.externalId).toMatch(/^workato:h:[0-9a-f]{32}$/);
    });

    it('falls back to a hash of the normalized phone when there is no email', () => {
      const contact = normalizedOrFail({ source: 'pos', phone: '(415) 555-2671', email: null });
      expect(contact.externalId).toBe(`pos:h:${sha32('+14155552671')}`);
    });

    it('gives the same id to the same person however the email is spelled', () => {
      const a = normalizedOrFail({ email: 'max@xn--bcher-kva.de' });
      const b = normalizedOrFail({ email: 'mailto:MAX@BÜCHER.de' });
      expect(a.externalId).toBe(b.externalId);
    });

    it('rejects a record with no identity at all', () => {
      expect(rejectionsOf({ firstName: 'Ana', email: null, phone: null })).toEqual([
        { field: 'externalId', reason: 'no stable identity: give externalId, sourceId, email or phone' },
      ]);
    });

    it('rejects a blank email or phone instead of reading it as a clear', () => {
      const reason = 'blank: leave the field out to keep the stored value, or send null to clear it';
      expect(rejectionsOf({ sourceId: 'c-1', email: '', phone: '  ' })).toEqual([
        { field: 'email', reason },
        { field: 'phone', reason },
      ]);
    });

    it('lists the fields given as null, to clear, and says when the source is the default', () => {
      const result = normalizeContact({ sourceId: 'c-1', email: null, firstName: null, attributes: null, consent: null, sourceUpdatedAt: null }, ctx);
      expect(result).toMatchObject({ ok: true, cleared: ['email', 'firstName', 'attributes'], sourceDefaulted: true });
      expect(normalizeContact({ source: 'crm', sourceId: 'c-1' }, ctx)).toMatchObject({ ok: true, cleared: [], sourceDefaulted: false });
    });

    it('does not add the no-identity rejection when a given identity was invalid', () => {
      expect(fieldsOf({ email: 'nope' })).toEqual(['email']);
    });

    it.each([
      [{ externalId: 'x'.repeat(256) }, 'externalId'],
      [{ externalId: 42 }, 'externalId'],
      [{ sourceId: 1.5 }, 'sourceId'],
      [{ sourceId: true }, 'sourceId'],
      [{ sourceId: 'x'.repeat(256) }, 'sourceId'],
      [{ sourceId: 'x'.repeat(250) }, 'sourceId'],
      [{ source: 'a:b', sourceId: '1' }, 'source'],
      [{ source: 's'.repeat(65), sourceId: '1' }, 'source'],
      [{ source: 7, sourceId: '1' }, 'source'],
    ])('rejects the bad identity field in %j', (input, field) => {
      expect(fieldsOf(input)).toEqual([field]);
    });

    it('accepts identity fields at their length limits', () => {
      expect(normalizedOrFail({ externalId: 'x'.repeat(255) }).externalId).toHaveLength(255);
      expect(normalizedOrFail({ source: 's'.repeat(64), sourceId: 'x'.repeat(190) }).externalId).toHaveLength(255);
    });

    it('rejects an unusable default source', () => {
      const result = normalizeContact({ sourceId: '1' }, { ...ctx, defaultSource: 'bad:source' });
      expect(result).toEqual({ ok: false, rejections: [{ field: 'source', reason: "must not contain ':'" }] });
    });
  });

  describe('fields', () => {
    it('normalizes a full record', () => {
      const contact = normalizedOrFail({
        source: 'shopify',
        sourceId: 'cust_1',
        email: ' Ana@Example.COM ',
        phone: '020 7946 0018',
        phoneRegion: 'gb',
        firstName: '  Ana   María ',
        lastName: 'Jose\u0301',
        locale: 'es_mx',
        sourceCreatedAt: '2024-03-10T12:00:00+05:30',
        sourceUpdatedAt: 1710000000,
        lifetimeValue: { currency: 'mxn', amount: '1999.90' },
        consent: {
          email: { status: 'subscribed', timestamp: '2024-03-10' },
          whatsapp: { status: false, source: ' checkout ' },
        },
        attributes: { plan: ' Pro ', seats: 3, vip: true, churnedAt: null },
      });
      expect(contact).toEqual({
        externalId: 'shopify:cust_1',
        source: 'shopify',
        sourceId: 'cust_1',
        email: 'ana@example.com',
        phone: '+442079460018',
        firstName: 'Ana María',
        lastName: 'José',
        locale: 'es-MX',
        sourceCreatedAt: '2024-03-10T06:30:00.000Z',
        sourceUpdatedAt: '2024-03-09T16:00:00.000Z',
        lifetimeValue: { currency: 'MXN', amountMinor: 199990 },
        consent: {
          email: { status: 'opted_in', source: 'shopify', timestamp: '2024-03-10T00:00:00.000Z' },
          whatsapp: { status: 'opted_out', source: 'checkout', timestamp: null },
        },
        attributes: { plan: ' Pro ', seats: 3, vip: true, churnedAt: null },
      });
      expect(normalizeContact(contact, ctx)).toEqual({ ok: true, contact, cleared: [], sourceDefaulted: false });
    });

    it('omits absent optional fields instead of emitting undefined', () => {
      const contact = normalizedOrFail({
        email: 'a@b.co',
        phone: null,
        firstName: '   ',
        lastName: null,
        locale: '',
        sourceCreatedAt: null,
        lifetimeValue: null,
        consent: null,
        attributes: null,
      });
      expect(Object.keys(contact)).toEqual(['externalId', 'source', 'email', 'consent', 'attributes']);
      expect(JSON.parse(JSON.stringify(contact))).toEqual(contact);
    });

    it('uses phoneRegion as an input-only override of the default region', () => {
      const contact = normalizedOrFail({ email: 'a@b.co', phone: '020 7946 0018', phoneRegion: ' GB ' });
      expect(contact.phone).toBe('+442079460018');
      expect(contact).not.toHaveProperty('phoneRegion');
      expect(rejectionsOf({ email: 'a@b.co', phone: '020 7946 0018' })).toEqual([
        { field: 'phone', reason: 'not a valid phone number for region US' },
      ]);
    });

    it('names the override region when a phone is invalid there', () => {
      expect(rejectionsOf({ email: 'a@b.co', phone: '(415) 555-2671', phoneRegion: 'fr' })).toEqual([
        { field: 'phone', reason: 'not a valid phone number for region FR' },
      ]);
    });

    it.each(['ZZ', 'GBR', 'uk', 42])('rejects the phoneRegion %j without judging the phone against it', (phoneRegion) => {
      expect(fieldsOf({ email: 'a@b.co', phone: 'garbage', phoneRegion })).toEqual(['phoneRegion']);
    });

    it.each([
      [{ firstName: 'x'.repeat(256) }, 'firstName'],
      [{ lastName: ['Doe'] }, 'lastName'],
      [{ sourceUpdatedAt: 'yesterday' }, 'sourceUpdatedAt'],
      [{ sourceCreatedAt: '2201-01-01' }, 'sourceCreatedAt'],
      [{ locale: 'en--us' }, 'locale'],
      [{ lifetimeValue: { currency: 'usd' } }, 'lifetimeValue.amount'],
      [{ lifetimeValue: { currency: 'dollars', amount: 1 } }, 'lifetimeValue.currency'],
      [{ lifetimeValue: { currency: 'USD', amount: 1, amountMinor: 2 } }, 'lifetimeValue.amountMinor'],
      [{ lifetimeValue: 1250 }, 'lifetimeValue'],
    ])('rejects %j at %s', (fields, field) => {
      expect(fieldsOf({ sourceId: '1', ...fields })).toEqual([field]);
    });

    it('keeps names at 255 characters and collapses every kind of whitespace', () => {
      expect(normalizedOrFail({ sourceId: '1', firstName: 'x'.repeat(255) }).firstName).toHaveLength(255);
      expect(normalizedOrFail({ sourceId: '1', lastName: '\tvan\u00a0der \n Berg ' }).lastName).toBe('van der Berg');
    });
  });

  describe('consent', () => {
    it('never infers a channel that was not given', () => {
      expect(normalizedOrFail({ email: 'a@b.co', phone: '+14155552671' }).consent).toEqual({});
      expect(normalizedOrFail({ email: 'a@b.co', consent: { sms: { status: 'opted_in' } } }).consent).toEqual({
        sms: { status: 'opted_in', source: 'workato', timestamp: null },
      });
      expect(normalizedOrFail({ email: 'a@b.co', consent: { email: null, sms: '' } }).consent).toEqual({});
    });

    it.each([
      ['opted_in', 'opted_in'],
      ['subscribed', 'opted_in'],
      ['GRANTED', 'opted_in'],
      [' Yes ', 'opted_in'],
      ['true', 'opted_in'],
      [true, 'opted_in'],
      ['opted_out', 'opted_out'],
      ['Unsubscribed', 'opted_out'],
      ['denied', 'opted_out'],
      ['revoked', 'opted_out'],
      ['NO', 'opted_out'],
      ['false', 'opted_out'],
      [false, 'opted_out'],
      ['pending', 'pending'],
      ['double_opt_in_pending', 'pending'],
      ['Unconfirmed', 'pending'],
    ])('maps status %j to %s', (status, expected) => {
      expect(normalizedOrFail({ email: 'a@b.co', consent: { email: { status } } }).consent.email?.status).toBe(expected);
    });

    it('defaults the consent source to the record source and normalizes the timestamp', () => {
      const contact = normalizedOrFail({
        source: 'typeform',
        sourceId: 'r1',
        consent: { sms: { status: 'yes', timestamp: '1710000000' }, whatsapp: { status: 'no', source: 'https://example.com/form' } },
      });
      expect(contact.consent).toEqual({
        sms: { status: 'opted_in', source: 'typeform', timestamp: '2024-03-09T16:00:00.000Z' },
        whatsapp: { status: 'opted_out', source: 'https://example.com/form', timestamp: null },
      });
    });

    it.each([
      [{ push: { status: 'opted_in' } }, ['consent.push']],
      [{ sms: {} }, ['consent.sms.status']],
      [{ sms: { status: 'maybe' } }, ['consent.sms.status']],
      [{ sms: { status: 1 } }, ['consent.sms.status']],
      [{ sms: { status: 'opted_in', channel: 'sms' } }, ['consent.sms.channel']],
      [{ sms: { status: 'opted_in', timestamp: '2023-02-30' } }, ['consent.sms.timestamp']],
      [{ sms: { status: 'opted_in', source: 7 } }, ['consent.sms.source']],
      [{ sms: 'opted_in' }, ['consent.sms']],
      [{ sms: true }, ['consent.sms']],
      [
        { email: { status: 'maybe' }, whatsapp: { status: 'yes', timestamp: 'never' } },
        ['consent.email.status', 'consent.whatsapp.timestamp'],
      ],
      [['email'], ['consent']],
      ['opted_in', ['consent']],
    ])('rejects consent %j', (consent, fields) => {
      expect(fieldsOf({ email: 'a@b.co', consent })).toEqual(fields);
    });

    it('exposes the channels in a fixed order', () => {
      expect(CONSENT_CHANNELS).toEqual(['email', 'sms', 'whatsapp']);
    });
  });

  describe('attributes', () => {
    it('keeps valid attributes, trimming names but not string values', () => {
      const contact = normalizedOrFail({
        email: 'a@b.co',
        attributes: {
          ' Plan ': ' Gold ',
          SEATS: 3,
          ratio: -0,
          opted: false,
          note: null,
          empty: '',
          cafe: 'cafe\u0301',
          constructor: 'c',
        },
      });
      expect(contact.attributes).toEqual({
        Plan: ' Gold ',
        SEATS: 3,
        ratio: 0,
        opted: false,
        note: null,
        empty: '',
        cafe: 'café',
        constructor: 'c',
      });
      expect(Object.is(contact.attributes.ratio, 0)).toBe(true);
      expect(Object.getPrototypeOf(contact.attributes)).toBe(Object.prototype);
    });

    it.each([
      [{ '1st': 1 }, 'attributes.1st'],
      [{ _private: 1 }, 'attributes._private'],
      [{ 'plan-name': 1 }, 'attributes.plan-name'],
      [{ 'plan name': 1 }, 'attributes.plan name'],
      [{ '': 1 }, 'attributes'],
      [{ ['a'.repeat(65)]: 1 }, `attributes.${'a'.repeat(64)}…`],
      [{ plan: { tier: 'gold' } }, 'attributes.plan'],
      [{ tags: ['a', 'b'] }, 'attributes.tags'],
      [{ score: Number.NaN }, 'attributes.score'],
      [{ score: Number.POSITIVE_INFINITY }, 'attributes.score'],
        [{ plan: 'a', ' plan': 'b' }, 'attributes.plan'],
    ])('rejects %j at %s', (attributes, field) => {
      expect(fieldsOf({ email: 'a@b.co', attributes })).toEqual([field]);
    });

    it('accepts a 64-character attribute name', () => {
      const name = `a${'b'.repeat(63)}`;
      expect(normalizedOrFail({ email: 'a@b.co', attributes: { [name]: 1 } }).attributes).toEqual({ [name]: 1 });
    });

    it('rejects a __proto__ attribute without touching any prototype', () => {
      const input: unknown = JSON.parse('{"email": "a@b.co", "attributes": {"__proto__": {"polluted": true}}}');
      expect(fieldsOf(input)).toEqual(['attributes.__proto__']);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('rejects deeply nested values without recursing into them', () => {
      let nested: unknown = 'leaf';
      for (let depth = 0; depth < 100_000; depth++) nested = { nested };
      expect(fieldsOf({ email: 'a@b.co', attributes: { deep: nested } })).toEqual(['attributes.deep']);
    });
  });
});

describe('oversized input', () => {
  const huge = 'x'.repeat(10_001);
  const tooLong = { ok: false, reason: 'too long: strings are limited to 10000 characters' };

  it('is refused by every primitive before any parsing', () => {
    expect(normalizeEmail(huge)).toEqual(tooLong);
    expect(normalizePhone('1'.repeat(10_001), 'US')).toEqual(tooLong);
    expect(normalizeTimestamp('1'.repeat(10_001))).toEqual(tooLong);
    expect(normalizeLocale(huge)).toEqual(tooLong);
    expect(normalizeMoney({ currency: 'USD', amount: '1'.repeat(10_001) })).toEqual({ ok: false, reason: `amount: ${tooLong.reason}` });
  });

  it('is accepted up to exactly 10,000 characters in attribute values', () => {
    expect(normalizedOrFail({ sourceId: '1', attributes: { notes: 'x'.repeat(10_000) } }).attributes.notes).toHaveLength(10_000);
  });

  it.each([
    ['email', { email: 'x'.repeat(1_000_000) }],
    ['firstName', { firstName: ' '.repeat(10_001) }],
    ['attributes.notes', { attributes: { notes: huge } }],
    ['consent.sms.source', { consent: { sms: { status: 'yes', source: huge } } }],
  ])('is rejected at %s in a contact', (field, fields) => {
    expect(fieldsOf({ sourceId: '1', ...fields })).toEqual([field]);
  });
});

describe('contentHash', () => {
  const contact = normalizedOrFail({
    email: 'a@b.co',
    firstName: 'Ana',
    consent: { sms: { status: 'yes' } },
    attributes: { plan: 'gold', seats: 3 },
  });

  it('is a SHA-256 hex digest of the canonical JSON', () => {
    const canonical =
      '{"attributes":{"plan":"gold","seats":3},"consent":{"sms":{"source":"workato","status":"opted_in","timestamp":null}},' +
      `"email":"a@b.co","externalId":"${contact.externalId}","firstName":"Ana","source":"workato"}`;
    expect(contentHash(contact)).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it('ignores key order at every level', () => {
    const reordered: NormalizedContact = {
      attributes: { seats: 3, plan: 'gold' },
      source: contact.source,
      consent: { sms: { timestamp: null, source: 'workato', status: 'opted_in' } },
      firstName: 'Ana',
      email: 'a@b.co',
      externalId: contact.externalId,
    };
    expect(contentHash(reordered)).toBe(contentHash(contact));
  });

  it('changes when any value changes', () => {
    expect(contentHash({ ...contact, firstName: 'Ann' })).not.toBe(contentHash(contact));
    expect(contentHash({ ...contact, attributes: { plan: 'gold', seats: 4 } })).not.toBe(contentHash(contact));
  });
});

describe('normalizeContact: text PostgreSQL cannot store', () => {
  const ctx = { defaultSource: 'api', defaultRegion: 'US' as const };
  it.each([
    [{ sourceId: 'a', firstName: 'A\u0000B' }, 'firstName', 'NUL'],
    [{ sourceId: 'b', attributes: { note: 'x\u0000' } }, 'attributes.note', 'NUL'],
    [{ sourceId: 'c\u0000' }, 'sourceId', 'NUL'],
    [{ sourceId: 'd', consent: { email: { status: 'opted_in', source: 's\u0000' } } }, 'consent.email.source', 'NUL'],
    [{ sourceId: 'e', lastName: 'broken \ud800 surrogate' }, 'lastName', 'surrogate'],
    [{ sourceId: 'f', attributes: { note: '\udc00' } }, 'attributes.note', 'surrogate'],
  ])('rejects %j at %s', (input, field, reason) => {
    const result = normalizeContact(input, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.rejections).toHaveLength(1);
      expect(result.rejections[0]!.field).toBe(field);
      expect(result.rejections[0]!.reason).toContain(reason);
    }
  });

  it('accepts well-formed non-ASCII text, including astral characters', () => {
    const result = normalizeContact({ sourceId: 'g', firstName: 'Zoë 😀', attributes: { city: 'Zürich' } }, ctx);
    expect(result.ok).toBe(true);
  });
});
