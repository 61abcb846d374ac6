/**
 * Normalization of the messy contact records Workato recipes send us, onto stable identities.
 *
 * Pure on purpose (no I/O, clock or randomness): the same input always gives the same output, and every output is
 * itself a valid input that normalizes to itself, so records can be replayed or re-fed without drift.
 */
import { domainToASCII } from 'node:url';
import type { CountryCode } from 'libphonenumber-js';
// The 'max' metadata checks numbers against each region's actual numbering plan rather than just their length, which
// is what makes isValid() meaningful; its extra size costs nothing on the server.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { contentHash, sha256Hex } from '../normalize/canonical.ts';

export { contentHash };

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Money {
  currency: string;
  amountMinor: number;
}

export type ConsentStatus = 'opted_in' | 'opted_out' | 'pending';
export interface ChannelConsent {
  status: ConsentStatus;
  source: string;
  timestamp: string | null;
}
export const CONSENT_CHANNELS = ['email', 'sms', 'whatsapp'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export type Consent = Partial<Record<ConsentChannel, ChannelConsent>>;

export type AttributeValue = string | number | boolean | null;

export interface NormalizedContact {
  externalId: string;
  source: string;
  sourceId?: string;
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  sourceCreatedAt?: string;
  sourceUpdatedAt?: string;
  lifetimeValue?: Money;
  consent: Consent;
  attributes: Record<string, AttributeValue>;
}

export interface Rejection {
  field: string;
  reason: string;
}
/** Top-level fields a write clears by giving null (`attributes`: every attribute at once). */
export const CLEARABLE_FIELDS = [
  'sourceId',
  'email',
  'phone',
  'firstName',
  'lastName',
  'locale',
  'lifetimeValue',
  'sourceCreatedAt',
  'attributes',
] as const;
export type ClearableField = (typeof CLEARABLE_FIELDS)[number];

/**
 * `cleared`: the fields given as null (a write leaves out what it does not carry, and clears what it nulls);
 * `sourceDefaulted`: the record named no source, so `contact.source` is the workspace's.
 */
export type NormalizeResult =
  | { ok: true; contact: NormalizedContact; cleared: ClearableField[]; sourceDefaulted: boolean }
  | { ok: false; rejections: Rejection[] };
export interface NormalizeContext {
  defaultSource: string;
  defaultRegion: CountryCode;
}

/** Longer strings are refused up front, so hostile input never reaches regexes, Intl or libphonenumber. */
const MAX_STRING_LENGTH = 10_000;
const MAX_ID_LENGTH = 255;
const MAX_NAME_LENGTH = 255;
const MAX_SOURCE_LENGTH = 64;
const MAX_ATTRIBUTE_NAME_LENGTH = 64;
/** Keys we echo back in rejections are cut to this length, so a huge bogus key cannot bloat the error response. */
const MAX_ECHOED_KEY_LENGTH = 64;

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------------------------
// Email

/** RFC 5322 dot-atom (lower-cased): atext runs separated by single dots, no dot at either end. */
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export function normalizeEmail(input: unknown): Outcome<string> {
  const text = readString(input);
  if (!text.ok) return text;
  let email = text.value.trim().normalize('NFC').toLowerCase();
  if (email.startsWith('mailto:')) email = email.slice('mailto:'.length);
  if (email === '') return fail('empty');
  const at = email.lastIndexOf('@');
  if (at < 0) return fail("not an email address: no '@'");
  const local = email.slice(0, at);
  if (local.length > 64 || !LOCAL_PART.test(local)) {
    return fail('invalid local part: expected 1-64 ASCII letters, digits or !#$%&\'*+/=?^_`{|}~- with single inner dots');
  }
  // UTS #46 mapping + punycode, so Unicode and 'xn--' spellings of one domain normalize to the same address.
  const domain = domainToASCII(email.slice(at + 1));
  if (!isValidDomain(domain)) return fail('invalid domain: expected at least two DNS labels and a non-numeric TLD');
  const address = `${local}@${domain}`;
  if (address.length > 254) return fail('too long: at most 254 characters');
  return ok(address);
}

function isValidDomain(domain: string): boolean {
  const labels = domain.split('.');
  const tld = labels.at(-1) ?? '';
  return labels.length >= 2 && labels.every((label) => label.length <= 63 && DNS_LABEL.test(label)) && !/^\d+$/.test(tld);
}

// ---------------------------------------------------------------------------------------------------------------
// Phone

const E164_MAX_DIGITS = 15;

export function normalizePhone(input: unknown, defaultRegion: CountryCode): Outcome<string> {
  const region = normalizeRegion(defaultRegion);
  if (!region.ok) return fail(`unusable region: ${region.reason}`);
  let text: string;
  if (typeof input === 'number') {
    // A JS number cannot carry '+' or leading zeros, so only plain non-negative integers are meaningful.
    if (!Number.isSafeInteger(input) || input < 0) return fail('a numeric phone must be a non-negative integer; send it as a string');
    text = String(input);
  } else {
    const read = readString(input, 'a string or number');
    if (!read.ok) return read;
    text = read.value.trim();
  }
  // '00' is the most common international call prefix; libphonenumber only honours it for regions that dial it.
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  // extract: false demands the whole string be a phone number instead of fishing one out of surrounding text.
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: region.value, extract: false });
  if (parsed?.ext !== undefined) return fail('phone extensions are not supported: E.164 cannot carry them');
  if (!parsed?.isValid()) return fail(`not a valid phone number for region ${region.value}`);
  // Some numbering plans (e.g. German direct-dial ranges) pass isValid() beyond E.164's 15-digit ceiling.
  if (parsed.number.length > E164_MAX_DIGITS + 1) return fail(`longer than the ${E164_MAX_DIGITS} digits E.164 allows`);
  return ok(parsed.number);
}

function normalizeRegion(input: unknown): Outcome<CountryCode> {
  const text = readString(input);
  if (!text.ok) return text;
  const code = text.value.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code)
    ? ok(code)
    : fail('not a supported ISO 3166-1 alpha-2 region code');
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps

const MIN_TIME = Date.UTC(1900, 0, 1);
const MAX_TIME = Date.UTC(2201, 0, 1) - 1;
/** Below this magnitude a number is epoch seconds, above it milliseconds (1e11 s is year 5138; 1e11 ms is 1973). */
const EPOCH_SECONDS_LIMIT = 1e11;
const EPOCH_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;
/** ISO-8601 / RFC 3339 subset: date, optional time (seconds and fraction optional), optional Z or ±hh:mm / ±hhmm. */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function normalizeTimestamp(input: unknown): Outcome<string> {
  if (typeof input === 'number') return fromEpoch(input);
  const text = readString(input, 'a string or number');
  if (!text.ok) return text;
  const value = text.value.trim();
  if (EPOCH_NUMBER.test(value)) return fromEpoch(Number(value));
  // A strict regex rather than Date.parse, which accepts all sorts of garbage.
  const match = DATE_TIME.exec(value);
  if (!match) {
    return fail('not a timestamp: expected ISO-8601 such as 2024-03-10T12:00:00Z, a YYYY-MM-DD date or epoch seconds/milliseconds');
  }
  const part = (index: number): number => Number(match[index] ?? 0);
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  // toISOString has millisecond precision, so finer fractions are truncated.
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const [offsetHours, offsetMinutes] = [part(9), part(10)];
  const maxDay = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day < 1 || day > maxDay || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return fail('not a real calendar date and time');
  }
  // setUTCFullYear, unlike Date.UTC, does not reinterpret years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const offset = (match[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return fromMillis(date.getTime() - offset * 60_000);
}

function fromEpoch(value: number): Outcome<string> {
  if (!Number.isFinite(value)) return fail('not a finite number');
  // Rounding absorbs float noise such as 1700000000.123 * 1000 = 1700000000122.9998.
  return fromMillis(Math.round(Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value));
}

function fromMillis(millis: number): Outcome<string> {
  if (!(millis >= MIN_TIME && millis <= MAX_TIME)) return fail('out of range: only years 1900-2200 are accepted');
  return ok(new Date(millis).toISOString());
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Money

const MONEY_KEYS: ReadonlySet<string> = new Set(['currency', 'amount', 'amountMinor']);
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
const MAX_SAFE_MINOR = BigInt(Number.MAX_SAFE_INTEGER);

export function normalizeMoney(input: unknown): Outcome<Money> {
  const rejections = new Rejections();
  const money = parseMoney(input, rejections);
  return money ? ok(money) : fail(rejections.summary());
}

function parseMoney(input: unknown, rejections: Rejections): Money | undefined {
  if (!isRecord(input)) {
    return rejections.add('', `expected an object {currency, amount} or {currency, amountMinor}, got ${describeType(input)}`);
  }
  const before = rejections.count;
  rejectUnknownKeys(input, MONEY_KEYS, rejections, 'unknown field; expected currency, amount or amountMinor');
  const currency = rejections.take('currency', normalizeCurrency(own(input, 'currency')));
  const rawAmount = own(input, 'amount');
  const rawMinor = own(input, 'amountMinor');
  if (isBlank(rawAmount) && isBlank(rawMinor)) rejections.add('amount', 'required: give amount or amountMinor');
  const fromAmount =
    isBlank(rawAmount) || currency === undefined ? undefined : rejections.take('amount', toMinorUnits(rawAmount, currency));
  const fromMinor = isBlank(rawMinor) ? undefined : rejections.take('amountMinor', readSafeInteger(rawMinor));
  if (fromAmount !== undefined && fromMinor !== undefined && fromAmount !== fromMinor) {
    rejections.add('amountMinor', `disagrees with amount, which is ${fromAmount} minor units`);
  }
  const amountMinor = fromMinor ?? fromAmount;
  if (rejections.count > before || currency === undefined || amountMinor === undefined) return undefined;
  return { currency, amountMinor };
}

function normalizeCurrency(input: unknown): Outcome<string> {
  const text = readString(input);
  if (!text.ok) return text;
  const code = text.value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) && CURRENCIES.has(code) ? ok(code) : fail('not a supported ISO 4217 currency code');
}

/** Converts a decimal amount to integer minor units by digit manipulation, so no float rounding can creep in. */
function toMinorUnits(input: unknown, currency: string): Outcome<number> {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail('not a finite number');
    // String() gives the shortest decimal that round-trips; exponent forms (1e21, 1e-7) fail the pattern below.
    text = String(input);
  } else {
    const read = readString(input, 'a number or decimal string');
    if (!read.ok) return read;
    text = read.value.trim();
  }
  const match = DECIMAL.exec(text);
  if (!match) return fail("not a plain decimal: digits with optional leading '-' and '.' fraction, no separators or exponent");
  const [sign, whole, fraction] = [match[1] ?? '', match[2] ?? '', match[3] ?? ''];
  const digits = minorDigits(currency);
  if (fraction.length > digits) return fail(`${currency} has ${digits} decimal places; refusing to round ${text}`);
  const minor = BigInt(`${sign}${whole}${fraction.padEnd(digits, '0')}`);
  if (minor > MAX_SAFE_MINOR || minor < -MAX_SAFE_MINOR) return fail('out of range: not a safe integer of minor units');
  return ok(Number(minor));
}

/** Digits after the decimal point in the currency's minor unit (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
}

function readSafeInteger(input: unknown): Outcome<number> {
  return typeof input === 'number' && Number.isSafeInteger(input) ? ok(withoutNegativeZero(input)) : fail('expected a safe integer');
}

// ---------------------------------------------------------------------------------------------------------------
// Locale

export function normalizeLocale(input: unknown): Outcome<string> {
  const text = readString(input);
  if (!text.ok) return text;
  const invalid = fail('not a valid BCP 47 language tag');
  try {
    const [canonical] = Intl.getCanonicalLocales(text.value.trim().replaceAll('_', '-'));
    return canonical === undefined ? invalid : ok(canonical);
  } catch (error) {
    if (error instanceof RangeError) return invalid;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Consent

const CHANNEL_SET: ReadonlySet<string> = new Set(CONSENT_CHANNELS);
const CHANNEL_KEYS: ReadonlySet<string> = new Set(['status', 'source', 'timestamp']);
/** A Map, not an object literal, so that inputs like 'constructor' cannot hit inherited properties. */
const CONSENT_STATUSES: ReadonlyMap<string, ConsentStatus> = new Map([
  ['opted_in', 'opted_in'],
  ['subscribed', 'opted_in'],
  ['granted', 'opted_in'],
  ['yes', 'opted_in'],
  ['true', 'opted_in'],
  ['opted_out', 'opted_out'],
  ['unsubscribed', 'opted_out'],
  ['denied', 'opted_out'],
  ['revoked', 'opted_out'],
  ['no', 'opted_out'],
  ['false', 'opted_out'],
  ['pending', 'pending'],
  ['double_opt_in_pending', 'pending'],
  ['unconfirmed', 'pending'],
]);

function parseConsent(input: unknown, rejections: Rejections, recordSource: string): Consent {
  if (isBlank(input)) return {};
  if (!isRecord(input)) {
    rejections.add('', `expected an object keyed by channel (${CONSENT_CHANNELS.join(', ')}), got ${describeType(input)}`);
    return {};
  }
  rejectUnknownKeys(input, CHANNEL_SET, rejections, `unknown consent channel; expected ${CONSENT_CHANNELS.join(', ')}`);
  const consent: Consent = {};
  for (const channel of CONSENT_CHANNELS) {
    const value = own(input, channel);
    // Only channels the source actually reported: consent is never inferred.
    if (isBlank(value)) continue;
    const parsed = parseChannelConsent(value, rejections.at(channel), recordSource);
    if (parsed) consent[channel] = parsed;
  }
  return consent;
}

function parseChannelConsent(input: unknown, rejections: Rejections, recordSource: string): ChannelConsent | undefined {
  if (!isRecord(input)) return rejections.add('', `expected an object {status, source?, timestamp?}, got ${describeType(input)}`);
  const before = rejections.count;
  rejectUnknownKeys(input, CHANNEL_KEYS, rejections, 'unknown field; expected status, source or timestamp');
  const rawStatus = own(input, 'status');
  const status = isBlank(rawStatus)
    ? rejections.add('status', 'required: opted_in, opted_out or pending')
    : rejections.take('status', normalizeConsentStatus(rawStatus));
  // An empty identity would silently clear what Tajo holds: leave the field out to keep it, or send null to clear it.
  const blankIdentity = (['email', 'phone'] as const).filter((key) => {
    const raw = own(input, key);
    return typeof raw === 'string' && isBlank(raw);
  });
  for (const key of blankIdentity) rejections.add(key, 'blank: leave the field out to keep the stored value, or send null to clear it');
  const rawSource = own(input, 'source');
  const source = isBlank(rawSource) ? recordSource : rejections.take('source', normalizeConsentSource(rawSource));
  const rawTimestamp = own(input, 'timestamp');
  const timestamp = isBlank(rawTimestamp) ? null : rejections.take('timestamp', normalizeTimestamp(rawTimestamp));
  if (rejections.count > before || status === undefined || source === undefined || timestamp === undefined) return undefined;
  return { status, source, timestamp };
}

function normalizeConsentStatus(input: unknown): Outcome<ConsentStatus> {
  if (typeof input === 'boolean') return ok(input ? 'opted_in' : 'opted_out');
  const text = readString(input, 'a string or boolean');
  if (!text.ok) return text;
  const status = CONSENT_STATUSES.get(text.value.trim().toLowerCase());
  return status === undefined ? fail('unknown status; expected opted_in, opted_out or pending (or a known synonym)') : ok(status);
}

/** Where consent was captured; looser than a record source (it may be a URL), trimmed only so defaults stay stable. */
function normalizeConsentSource(input: unknown): Outcome<string> {
  return normalizeIdentifier(input, MAX_ID_LENGTH);
}

// ---------------------------------------------------------------------------------------------------------------
// Identity

/** `${source}:${vendorId}` when the vendor gave an id, else a hash of the email (or phone), else undefined. */
export function stableExternalId(
  source: string,
  vendorId: string | undefined,
  identity: { email?: string; phone?: string },
): string | undefined {
  if (vendorId) return `${source}:${vendorId}`;
  const basis = identity.email || identity.phone;
  return basis ? `${source}:h:${sha256Hex(basis).slice(0, 32)}` : undefined;
}

function normalizeSourceName(input: unknown): Outcome<string> {
  const name = normalizeIdentifier(input, MAX_SOURCE_LENGTH);
  // ':' separates source from vendor id in external ids, so it must not appear inside a source name.
  return name.ok && name.value.includes(':') ? fail("must not contain ':'") : name;
}

/** A vendor's ID of a record: trimmed text, or a safe integer written as text. */
export function normalizeSourceId(input: unknown): Outcome<string> {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) ? ok(String(input)) : fail('a numeric ID must be a safe integer');
  }
  return normalizeIdentifier(input, MAX_ID_LENGTH);
}

/** A trimmed, non-empty string of bounded length. */
function normalizeIdentifier(input: unknown, maxLength: number): Outcome<string> {
  const text = readString(input);
  if (!text.ok) return text;
  const value = text.value.trim();
  if (value === '') return fail('empty');
  return value.length > maxLength ? fail(`too long: at most ${maxLength} characters`) : ok(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Names and attributes

function normalizeName(input: unknown): Outcome<string> {
  const text = readString(input);
  if (!text.ok) return text;
  const name = text.value.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (name === '') return fail('empty');
  return name.length > MAX_NAME_LENGTH ? fail(`too long: at most ${MAX_NAME_LENGTH} characters`) : ok(name);
}

/** Brevo attribute naming rules. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function parseAttributes(input: unknown, rejections: Rejections): Record<string, AttributeValue> {
  if (isBlank(input)) return {};
  if (!isRecord(input)) {
    rejections.add('', `expected an object of attribute name to value, got ${describeType(input)}`);
    return {};
  }
  const entries: [string, AttributeValue][] = [];
  const seen = new Set<string>();
  for (const [rawName, rawValue] of Object.entries(input)) {
    const name = rawName.trim();
    if (name.length > MAX_ATTRIBUTE_NAME_LENGTH || !ATTRIBUTE_NAME.test(name)) {
      rejections.add(
        echoKey(rawName),
        `invalid attribute name: 1-${MAX_ATTRIBUTE_NAME_LENGTH} characters, a letter then letters, digits or '_'`,
      );
    } else if (seen.has(name)) {
      rejections.add(name, 'duplicate attribute name after trimming');
    } else {
      seen.add(name);
      const value = rejections.take(name, normalizeAttributeValue(rawValue));
      if (value !== undefined) entries.push([name, value]);
    }
  }
  // fromEntries defines own properties, so even odd names can never reach a prototype setter.
  return Object.fromEntries(entries);
}

function normalizeAttributeValue(input: unknown): Outcome<AttributeValue> {
  if (input === null || typeof input === 'boolean') return ok(input);
  if (typeof input === 'number') return Number.isFinite(input) ? ok(withoutNegativeZero(input)) : fail('numbers must be finite');
  if (typeof input === 'string') return input.length > MAX_STRING_LENGTH ? tooLong() : ok(input.normalize('NFC'));
  return fail(`expected a string, number, boolean or null, got ${describeType(input)}; nested values are not supported`);
}

// ---------------------------------------------------------------------------------------------------------------
// Contact

const CONTACT_KEYS = [
  'externalId',
  'source',
  'sourceId',
  'email',
  'phone',
  'phoneRegion',
  'firstName',
  'lastName',
  'locale',
  'sourceCreatedAt',
  'sourceUpdatedAt',
  'lifetimeValue',
  'consent',
  'attributes',
] as const;
type ContactKey = (typeof CONTACT_KEYS)[number];
const CONTACT_KEY_SET: ReadonlySet<string> = new Set(CONTACT_KEYS);
const IDENTITY_KEYS: readonly ContactKey[] = ['externalId', 'sourceId', 'email', 'phone'];
const NO_IDENTITY = 'no stable identity: give externalId, sourceId, email or phone';

/** Validates and normalizes one vendor record, collecting every rejection; never throws, whatever the input. */
export function normalizeContact(input: unknown, ctx: NormalizeContext): NormalizeResult {
  if (!isRecord(input)) {
    return { ok: false, rejections: [{ field: '', reason: `expected a JSON object of contact fields, got ${describeType(input)}` }] };
  }
  const rejections = new Rejections();
  rejectUnknownKeys(input, CONTACT_KEY_SET, rejections, 'unknown field; put custom data under attributes');
  const optional = <T>(key: ContactKey, normalize: (value: unknown) => Outcome<T>): T | undefined => {
    const raw = own(input, key);
    return isBlank(raw) ? undefined : rejections.take(key, normalize(raw));
  };

  // An empty identity would silently clear what Tajo holds: leave the field out to keep it, or send null to clear it.
  const blankIdentity = (['email', 'phone'] as const).filter((key) => {
    const raw = own(input, key);
    return typeof raw === 'string' && isBlank(raw);
  });
  for (const key of blankIdentity) rejections.add(key, 'blank: leave the field out to keep the stored value, or send null to clear it');
  const rawSource = own(input, 'source');
  const source = rejections.take('source', normalizeSourceName(isBlank(rawSource) ? ctx.defaultSource : rawSource));
  const explicitId = optional('externalId', (value) => normalizeIdentifier(value, MAX_ID_LENGTH));
  const sourceId = optional('sourceId', normalizeSourceId);
  const email = optional('email', normalizeEmail);
  const phoneRegion = optional('phoneRegion', normalizeRegion);
  // A number cannot be judged against a region we could not read: skip it rather than report a misleading error.
  const regionRejected = phoneRegion === undefined && !isBlank(own(input, 'phoneRegion'));
  const phone = regionRejected ? undefined : optional('phone', (value) => normalizePhone(value, phoneRegion ?? ctx.defaultRegion));
  const firstName = optional('firstName', normalizeName);
  const lastName = optional('lastName', normalizeName);
  const locale = optional('locale', normalizeLocale);
  const sourceCreatedAt = optional('sourceCreatedAt', normalizeTimestamp);
  const sourceUpdatedAt = optional('sourceUpdatedAt', normalizeTimestamp);
  const rawMoney = own(input, 'lifetimeValue');
  const lifetimeValue = isBlank(rawMoney) ? undefined : parseMoney(rawMoney, rejections.at('lifetimeValue'));
  const consent = parseConsent(own(input, 'consent'), rejections.at('consent'), source ?? '');
  const attributes = parseAttributes(own(input, 'attributes'), rejections.at('attributes'));

  if (blankIdentity.length === 0 && IDENTITY_KEYS.every((key) => isBlank(own(input, key)))) rejections.add('externalId', NO_IDENTITY);
  // The record is stored as received: text PostgreSQL cannot hold must be refused here, per record.
  if (rejections.count === 0) {
    const unstorable = unstorableText(input, '');
    if (unstorable) rejections.add(unstorable.field, unstorable.reason);
  }
  const externalId = explicitId ?? (source === undefined ? undefined : stableExternalId(source, sourceId, { email, phone }));
  // Outputs are re-fed as inputs, where externalId is limited to 255 characters.
  if (externalId !== undefined && externalId.length > MAX_ID_LENGTH) {
    rejections.add('sourceId', `too long: '<source>:<sourceId>' must fit in ${MAX_ID_LENGTH} characters`);
  }
  if (rejections.count > 0 || source === undefined || externalId === undefined) return { ok: false, rejections: rejections.list };

  const contact = omitUndefined({
    externalId,
    source,
    sourceId,
    email,
    phone,
    firstName,
    lastName,
    locale,
    sourceCreatedAt,
    sourceUpdatedAt,
    lifetimeValue,
    consent,
    attributes,
  });
  const cleared = CLEARABLE_FIELDS.filter((key) => own(input, key) === null);
  return { ok: true, contact, cleared, sourceDefaulted: isBlank(rawSource) };
}

/**
 * The first string (value or key) PostgreSQL cannot store: NUL characters are not allowed in text
 * or jsonb, and unpaired UTF-16 surrogates are not Unicode. Only called on records whose shape
 * was accepted, so the walk is shallow.
 */
export function unstorableText(value: unknown, path: string): Rejection | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field: path, reason: 'contains a NUL character (U+0000), which cannot be stored' };
    if (!value.isWellFormed()) return { field: path, reason: 'contains an unpaired UTF-16 surrogate: not valid Unicode text' };
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, member] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    const found = unstorableText(key, field) ?? unstorableText(member, field);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared helpers

/** Collects rejections under a dotted path prefix, so nested parsers report fields like 'consent.sms.status'. */
export class Rejections {
  constructor(
    readonly list: Rejection[] = [],
    private readonly prefix = '',
  ) {}

  get count(): number {
    return this.list.length;
  }

  at(key: string): Rejections {
    return new Rejections(this.list, this.path(key));
  }

  add(field: string, reason: string): undefined {
    this.list.push({ field: this.path(field), reason });
    return undefined;
  }

  take<T>(field: string, outcome: Outcome<T>): T | undefined {
    return outcome.ok ? outcome.value : this.add(field, outcome.reason);
  }

  /** One-line form for the single-reason Outcome API. */
  summary(): string {
    return this.list.map(({ field, reason }) => (field ? `${field}: ${reason}` : reason)).join('; ');
  }

  private path(field: string): string {
    return this.prefix && field ? `${this.prefix}.${field}` : this.prefix || field;
  }
}

function rejectUnknownKeys(record: Record<string, unknown>, known: ReadonlySet<string>, rejections: Rejections, reason: string): void {
  for (const key of Object.keys(record)) if (!known.has(key)) rejections.add(echoKey(key), reason);
}

function echoKey(key: string): string {
  return key.length > MAX_ECHOED_KEY_LENGTH ? `${key.slice(0, MAX_ECHOED_KEY_LENGTH)}…` : key;
}

export function readString(input: unknown, expected = 'a string'): Outcome<string> {
  if (typeof input !== 'string') return fail(`expected ${expected}, got ${describeType(input)}`);
  return input.length > MAX_STRING_LENGTH ? tooLong() : ok(input);
}

function tooLong(): { ok: false; reason: string } {
  return fail(`too long: strings are limited to ${MAX_STRING_LENGTH} characters`);
}

/** Absent, null and blank strings all mean "not given" for optional fields (blank-but-huge strings are still refused). */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.length <= MAX_STRING_LENGTH && value.trim() === '');
}

/** Plain JSON-style objects only: arrays, Dates, Maps and class instances are not records. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Own properties only, so keys like 'constructor' never resolve to inherited values. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** JSON turns -0 into 0, so emit 0 and keep outputs identical across a JSON round trip. */
function withoutNegativeZero(value: number): number {
  return value === 0 ? 0 : value;
}

export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
