/**
 * Normalization of custom events onto what Brevo's events API accepts. Pure, like the contact
 * normalizer it builds on (the clock is an input): the same input gives the same event, ID and content hash.
 */
import type { CountryCode } from 'libphonenumber-js';
import {
  contentHash,
  describeType,
  isBlank,
  isRecord,
  normalizeEmail,
  normalizePhone,
  normalizeTimestamp,
  omitUndefined,
  Rejections,
  unstorableText,
  type Outcome,
  type Rejection,
} from '../contacts/normalize.ts';

/** A value of an event property: Brevo segments on strings, numbers, booleans, dates, nested objects and lists of objects. */
export type EventPropertyValue = string | number | boolean | Record<string, unknown> | Record<string, unknown>[];

export interface EventContact {
  externalId?: string;
  email?: string;
  phone?: string;
}

export interface NormalizedEvent {
  eventId: string;
  name: string;
  occurredAt: string;
  contact: EventContact;
  properties: Record<string, EventPropertyValue>;
  contactProperties: Record<string, string | number>;
}

export type EventNormalizeResult = { ok: true; event: NormalizedEvent; contentHash: string } | { ok: false; rejections: Rejection[] };

/** Brevo's rule for event names and event property keys. */
const BREVO_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** Brevo's rule for contact attribute names (which it stores upper-cased). */
const ATTRIBUTE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_ID_LENGTH = 255;
/** Brevo refuses event properties above 50 KB. */
export const MAX_PROPERTIES_BYTES = 50 * 1024;

const EVENT_KEYS: ReadonlySet<string> = new Set(['eventId', 'name', 'occurredAt', 'contact', 'properties', 'contactProperties']);
const CONTACT_KEYS: ReadonlySet<string> = new Set(['externalId', 'email', 'phone', 'phoneRegion']);

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

export interface EventNormalizeContext {
  defaultRegion: CountryCode;
  /** When Tajo received the event (ISO 8601, UTC): its time when the caller gives none. */
  receivedAt: string;
}

/** Validates and normalizes one event, collecting every rejection; never throws, whatever the input. */
export function normalizeEvent(input: unknown, ctx: EventNormalizeContext): EventNormalizeResult {
  if (!isRecord(input)) return { ok: false, rejections: [{ field: '', reason: `expected a JSON object of event fields, got ${describeType(input)}` }] };
  const rejections = new Rejections();
  for (const key of Object.keys(input)) if (!EVENT_KEYS.has(key)) rejections.add(key.slice(0, 64), 'unknown field; put custom data under properties');

  const rawId = input.eventId;
  const explicitId = isBlank(rawId) ? undefined : rejections.take('eventId', normalizeEventId(rawId));
  const name = isBlank(input.name) ? rejections.add('name', 'required: the event name, e.g. order_created') : rejections.take('name', normalizeEventName(input.name));
  const occurredAt = isBlank(input.occurredAt) ? undefined : rejections.take('occurredAt', normalizeTimestamp(input.occurredAt));
  // Without either, a re-send could not be told from a new occurrence of the same event.
  if (isBlank(rawId) && isBlank(input.occurredAt)) rejections.add('occurredAt', 'required when eventId is absent: an event is identified by its ID, or by its content and time');
  const contact = parseContact(input.contact, rejections.at('contact'), ctx.defaultRegion);
  const properties = parseProperties(input.properties, rejections.at('properties'));
  const contactProperties = parseContactProperties(input.contactProperties, rejections.at('contactProperties'));
  if (rejections.count === 0) {
    const unstorable = unstorableText(input, '');
    if (unstorable) rejections.add(unstorable.field, unstorable.reason);
  }
  if (rejections.count > 0 || name === undefined || contact === undefined) return { ok: false, rejections: rejections.list };

  const content = { name, contact, properties, contactProperties };
  // The time of tracking stands in for an absent occurredAt; the hash is of what was given, so a re-send matches.
  const hash = contentHash(occurredAt === undefined ? content : { ...content, occurredAt });
  const eventId = explicitId ?? `h:${hash.slice(0, 32)}`;
  return { ok: true, event: { eventId, ...content, occurredAt: occurredAt ?? ctx.receivedAt }, contentHash: hash };
}

function normalizeEventId(input: unknown): Outcome<string> {
  if (typeof input === 'number') return Number.isSafeInteger(input) ? ok(String(input)) : fail('a numeric eventId must be a safe integer');
  if (typeof input !== 'string') return fail(`expected a string, got ${describeType(input)}`);
  const value = input.trim();
  return value.length > MAX_ID_LENGTH ? fail(`too long: at most ${MAX_ID_LENGTH} characters`) : ok(value);
}

function normalizeEventName(input: unknown): Outcome<string> {
  if (typeof input !== 'string') return fail(`expected a string, got ${describeType(input)}`);
  const value = input.trim();
  return BREVO_NAME.test(value) ? ok(value) : fail('1-255 characters: letters, digits, - and _ only (Brevo\'s rule)');
}

function parseContact(input: unknown, rejections: Rejections, defaultRegion: CountryCode): EventContact | undefined {
  if (!isRecord(input)) {
    rejections.add('', `required: an object with externalId, email or phone, got ${describeType(input)}`);
    return undefined;
  }
  const before = rejections.count;
  for (const key of Object.keys(input)) if (!CONTACT_KEYS.has(key)) rejections.add(key.slice(0, 64), 'unknown field; expected externalId, email, phone or phoneRegion');
  const optional = <T>(key: string, normalize: (value: unknown) => Outcome<T>): T | undefined =>
    isBlank(input[key]) ? undefined : rejections.take(key, normalize(input[key]));
  const externalId = optional('externalId', normalizeEventId);
  const email = optional('email', normalizeEmail);
  const region = isBlank(input.phoneRegion) ? defaultRegion : (String(input.phoneRegion).trim().toUpperCase() as CountryCode);
  const phone = optional('phone', (value) => normalizePhone(value, region));
  if (rejections.count > before) return undefined;
  if (externalId === undefined && email === undefined && phone === undefined) {
    rejections.add('', 'give at least one of externalId, email or phone: Brevo attaches the event to that contact');
    return undefined;
  }
  return omitUndefined({ externalId, email, phone });
}

function parseProperties(input: unknown, rejections: Rejections): Record<string, EventPropertyValue> {
  if (isBlank(input)) return {};
  if (!isRecord(input)) {
    rejections.add('', `expected an object of property name to value, got ${describeType(input)}`);
    return {};
  }
  const entries: [string, EventPropertyValue][] = [];
  for (const [key, value] of Object.entries(input)) {
    if (!BREVO_NAME.test(key)) rejections.add(key.slice(0, 64), 'invalid property name: 1-255 letters, digits, - and _ (Brevo\'s rule)');
    else if (Array.isArray(value) && !value.every(isRecord)) rejections.add(key, 'a list must hold objects, e.g. [{"sku": "A1"}] (Brevo\'s rule)');
    else if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'object' && value !== null)) entries.push([key, value as EventPropertyValue]);
    else if (typeof value === 'number' && Number.isFinite(value)) entries.push([key, value]);
    else rejections.add(key, `expected a string, number, boolean, object or array, got ${describeType(value)}`);
  }
  const properties = Object.fromEntries(entries);
  if (Buffer.byteLength(JSON.stringify(properties)) > MAX_PROPERTIES_BYTES) rejections.add('', 'too large: Brevo accepts at most 50 KB of event properties');
  return properties;
}

function parseContactProperties(input: unknown, rejections: Rejections): Record<string, string | number> {
  if (isBlank(input)) return {};
  if (!isRecord(input)) {
    rejections.add('', `expected an object of contact attribute name to value, got ${describeType(input)}`);
    return {};
  }
  const entries: [string, string | number][] = [];
  for (const [key, value] of Object.entries(input)) {
    // Brevo's attribute names are upper-case; firstName and FIRSTNAME are the same attribute.
    const name = key.trim().toUpperCase();
    if (!ATTRIBUTE_NAME.test(name)) rejections.add(key.slice(0, 64), 'invalid attribute name: a letter, then letters, digits or _ (at most 64)');
    else if (entries.some(([existing]) => existing === name)) rejections.add(key.slice(0, 64), 'the same attribute twice (names are case-insensitive)');
    else if (typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value))) entries.push([name, value]);
    else rejections.add(key.slice(0, 64), `expected a string or an integer (what Brevo accepts with an event), got ${describeType(value)}`);
  }
  return Object.fromEntries(entries);
}
