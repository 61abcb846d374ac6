/**
 * Object records normalized by their type's attribute definitions, and the rules an object type's
 * definition (and a change of it) must follow. Pure, like the contacts' normalizer whose value
 * normalizers it reuses: the same record and type always give the same output.
 */
import type { CountryCode } from 'libphonenumber-js';
import {
  contentHash,
  describeType,
  isBlank,
  isRecord,
  normalizeEmail,
  normalizeMoney,
  normalizePhone,
  normalizeSourceId,
  normalizeTimestamp,
  readString,
  Rejections,
  unstorableText,
  type Money,
  type Outcome,
  type Rejection,
} from '../contacts/normalize.ts';

export const ATTRIBUTE_TYPES = ['text', 'number', 'boolean', 'date', 'datetime', 'money', 'email', 'phone'] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

export interface AttributeDefinition {
  name: string;
  type: AttributeType;
  required: boolean;
}

/** How a record's external ID is made when the record does not give one. */
export type ExternalIdRule = { kind: 'given' } | { kind: 'attribute'; attribute: string } | { kind: 'hash'; attributes: string[] };

export interface ObjectTypeDefinition {
  name: string;
  brevoObjectType: string;
  attributes: AttributeDefinition[];
  externalIdRule: ExternalIdRule;
  /** 'contact' and/or other object type names. */
  associations: string[];
}

/** The other end of an association. */
export const CONTACT_TARGET = 'contact';

export type ObjectValue = string | number | boolean | Money;

/**
 * A record as a write carries it: an attribute left out is absent (its stored value stays), one given as null is
 * null (to clear it), and `attributes: null` clears them all.
 */
export interface NormalizedObjectRecord {
  externalId: string;
  attributes: Record<string, ObjectValue | null> | null;
  /** When the source last changed the record (UTC ISO-8601): the source time of the values it carries. */
  sourceUpdatedAt?: string;
}

/** An association as a record names it; which identifier is set depends on the other end's type. */
export interface AssociationReference {
  objectType: string;
  id?: string;
  externalId?: string;
  email?: string;
}

export type NormalizeObjectResult = { ok: true; record: NormalizedObjectRecord; associations: AssociationReference[] } | { ok: false; rejections: Rejection[] };

const RECORD_KEYS: ReadonlySet<string> = new Set(['externalId', 'attributes', 'associations', 'sourceUpdatedAt']);
const ASSOCIATION_KEYS: ReadonlySet<string> = new Set(['objectType', 'id', 'externalId', 'email']);
/** Attribute types an external ID can be read from: money and booleans identify nothing. */
const IDENTIFYING_TYPES: ReadonlySet<AttributeType> = new Set(['text', 'number', 'date', 'datetime', 'email', 'phone']);
const HASH_PREFIX = 'h:';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;
const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true], ['yes', true], ['1', true],
  ['false', false], ['no', false], ['0', false],
]);

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

function normalizeText(input: unknown): Outcome<string> {
  // Data tables send numbers for text columns (codes, plates): kept as their text.
  if (typeof input === 'number') return Number.isFinite(input) ? ok(String(input)) : fail('numbers must be finite');
  const text = readString(input, 'a string or number');
  return text.ok ? ok(text.value.normalize('NFC')) : text;
}

function normalizeNumber(input: unknown): Outcome<number> {
  if (typeof input === 'number') return Number.isFinite(input) ? ok(input === 0 ? 0 : input) : fail('numbers must be finite');
  const text = readString(input, 'a number or numeric string');
  if (!text.ok) return text;
  const value = text.value.trim();
  return DECIMAL.test(value) ? normalizeNumber(Number(value)) : fail('not a number: digits with an optional sign and decimal point');
}

function normalizeBoolean(input: unknown): Outcome<boolean> {
  if (typeof input === 'boolean') return ok(input);
  const value = BOOLEANS.get(typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim().toLowerCase() : '');
  return value === undefined ? fail(`expected true or false (yes/no, 1/0 are understood), got ${describeType(input)}`) : ok(value);
}

/** A calendar date: given as a date it is kept; a time is read as UTC and its UTC date kept. */
function normalizeDate(input: unknown): Outcome<string> {
  const timestamp = normalizeTimestamp(input);
  if (!timestamp.ok) return timestamp;
  return ok(typeof input === 'string' && DATE_ONLY.test(input.trim()) ? input.trim() : timestamp.value.slice(0, 10));
}

/** The normalizer of each attribute type; phones read without a country code use the workspace's region. */
function valueNormalizer(type: AttributeType, region: CountryCode): (input: unknown) => Outcome<ObjectValue> {
  switch (type) {
    case 'text':
      return normalizeText;
    case 'number':
      return normalizeNumber;
    case 'boolean':
      return normalizeBoolean;
    case 'date':
      return normalizeDate;
    case 'datetime':
      return normalizeTimestamp;
    case 'money':
      return normalizeMoney;
    case 'email':
      return normalizeEmail;
    case 'phone':
      return (input) => normalizePhone(input, region);
  }
}

/**
 * Validates and normalizes one record of a type, collecting every rejection (fields as dotted
 * paths: `attributes.renewal_date`, `associations.1.objectType`); never throws.
 */
export function normalizeObjectRecord(input: unknown, type: ObjectTypeDefinition, region: CountryCode): NormalizeObjectResult {
  if (!isRecord(input)) {
    return { ok: false, rejections: [{ field: '', reason: `expected a JSON object {externalId?, attributes, associations?, sourceUpdatedAt?}, got ${describeType(input)}` }] };
  }
  const rejections = new Rejections();
  for (const key of Object.keys(input)) if (!RECORD_KEYS.has(key)) rejections.add(key, 'unknown field; expected externalId, attributes, associations or sourceUpdatedAt');
  const attributes = parseAttributes(input.attributes, type, region, rejections.at('attributes'));
  const associations = parseAssociations(input.associations, type, rejections.at('associations'));
  const externalId = isBlank(input.externalId) ? derivedExternalId(type, attributes ?? {}, rejections) : rejections.take('externalId', normalizeSourceId(input.externalId));
  const sourceUpdatedAt = isBlank(input.sourceUpdatedAt) ? undefined : rejections.take('sourceUpdatedAt', normalizeTimestamp(input.sourceUpdatedAt));
  if (rejections.count === 0) {
    const unstorable = unstorableText(input, '');
    if (unstorable) rejections.add(unstorable.field, unstorable.reason);
  }
  if (rejections.count > 0 || externalId === undefined) return { ok: false, rejections: rejections.list };
  return { ok: true, record: { externalId, attributes, ...(sourceUpdatedAt !== undefined ? { sourceUpdatedAt } : {}) }, associations };
}

/**
 * The attributes a write carries: values normalized by their definitions, null kept (it clears the attribute),
 * blank and absent ones left out (the stored value stays). null for them all clears every attribute. A required
 * attribute may be left out (a new record must have it: see missingRequired) but never cleared.
 */
function parseAttributes(input: unknown, type: ObjectTypeDefinition, region: CountryCode, rejections: Rejections): Record<string, ObjectValue | null> | null {
  if (input === null) {
    const required = type.attributes.filter((definition) => definition.required).map((definition) => definition.name);
    if (required.length > 0) rejections.add('', `cannot clear every attribute: ${required.join(', ')} ${required.length === 1 ? 'is' : 'are'} required`);
    return null;
  }
  if (!isBlank(input) && !isRecord(input)) {
    rejections.add('', `expected an object of attribute name to value, got ${describeType(input)}`);
    return {};
  }
  const given = isRecord(input) ? input : {};
  const definitions = new Map(type.attributes.map((definition) => [definition.name, definition]));
  for (const name of Object.keys(given)) {
    if (!definitions.has(name)) rejections.add(name.slice(0, 64), `not an attribute of ${type.name}; its attributes are ${[...definitions.keys()].join(', ') || 'none'}`);
  }
  const entries: [string, ObjectValue | null][] = [];
  for (const definition of type.attributes) {
    const raw = Object.hasOwn(given, definition.name) ? given[definition.name] : undefined;
    if (raw === null) {
      if (definition.required) rejections.add(definition.name, `required (${definition.type}): it cannot be cleared`);
      else entries.push([definition.name, null]);
      continue;
    }
    if (isBlank(raw)) continue;
    const value = rejections.take(definition.name, valueNormalizer(definition.type, region)(raw));
    if (value !== undefined) entries.push([definition.name, value]);
  }
  return Object.fromEntries(entries);
}

/** The required attributes a record lacks (a new record must carry them; a stored one keeps them). */
export function missingRequired(type: Pick<ObjectTypeDefinition, 'attributes'>, attributes: Readonly<Record<string, unknown>>): Rejection[] {
  return type.attributes
    .filter((definition) => definition.required && attributes[definition.name] == null)
    .map((definition) => ({ field: `attributes.${definition.name}`, reason: `required (${definition.type})` }));
}

/** The rule's external ID: one attribute's value as text, or a hash of several (mirroring contacts' `h:` IDs). */
function derivedExternalId(type: ObjectTypeDefinition, attributes: Readonly<Record<string, ObjectValue | null>>, rejections: Rejections): string | undefined {
  const rule = type.externalIdRule;
  switch (rule.kind) {
    case 'given':
      return rejections.add('externalId', `required: ${type.name} records are identified by the externalId you give`);
    case 'attribute': {
      const value = attributes[rule.attribute];
      if (value == null) return rejections.add(`attributes.${rule.attribute}`, 'required: the external ID is made from it (or give externalId)');
      return rejections.take(`attributes.${rule.attribute}`, normalizeSourceId(String(value)));
    }
    case 'hash': {
      const values = rule.attributes.map((name) => attributes[name] ?? null);
      if (values.every((value) => value === null)) {
        return rejections.add('externalId', `no stable identity: give externalId or one of ${rule.attributes.join(', ')}`);
      }
      return `${HASH_PREFIX}${contentHash(values).slice(0, 32)}`;
    }
  }
}

function parseAssociations(input: unknown, type: ObjectTypeDefinition, rejections: Rejections): AssociationReference[] {
  if (isBlank(input)) return [];
  if (!Array.isArray(input)) {
    rejections.add('', `expected a list of associations, got ${describeType(input)}`);
    return [];
  }
  const references: AssociationReference[] = [];
  input.forEach((item: unknown, index) => {
    const reference = parseAssociation(item, type, rejections.at(String(index)));
    if (reference) references.push(reference);
  });
  return references;
}

/** One association's shape, and whether the type allows its other end; whether that end exists is the service's to find. */
export function parseAssociation(input: unknown, type: Pick<ObjectTypeDefinition, 'name' | 'associations'>, rejections: Rejections): AssociationReference | undefined {
  if (!isRecord(input)) return rejections.add('', `expected an object {objectType, id | externalId | email}, got ${describeType(input)}`);
  const before = rejections.count;
  for (const key of Object.keys(input)) if (!ASSOCIATION_KEYS.has(key)) rejections.add(key.slice(0, 64), 'unknown field; expected objectType, id, externalId or email');
  const objectType = rejections.take('objectType', readString(input.objectType));
  if (objectType !== undefined && !type.associations.includes(objectType)) {
    rejections.add('objectType', `${type.name} records may not be associated with '${objectType.slice(0, 64)}'; allowed: ${type.associations.join(', ') || 'nothing'}`);
  }
  const given = (['id', 'externalId', 'email'] as const).filter((key) => !isBlank(input[key]));
  const allowed = objectType === CONTACT_TARGET ? 'id, externalId or email' : 'id or externalId';
  if (given.length !== 1 || (given[0] === 'email' && objectType !== CONTACT_TARGET)) rejections.add('', `give exactly one of ${allowed}`);
  const reference: AssociationReference = { objectType: objectType ?? '' };
  if (!isBlank(input.id)) reference.id = rejections.take('id', readString(input.id));
  if (!isBlank(input.externalId)) reference.externalId = rejections.take('externalId', normalizeSourceId(input.externalId));
  if (!isBlank(input.email)) reference.email = rejections.take('email', normalizeEmail(input.email));
  return rejections.count > before ? undefined : reference;
}

/** What is wrong with a type's definition: field-level, against the workspace's other type names. */
export function definitionRejections(type: ObjectTypeDefinition, otherTypes: ReadonlySet<string>): Rejection[] {
  const rejections = new Rejections();
  const attributes = new Map<string, AttributeDefinition>();
  type.attributes.forEach((attribute, index) => {
    if (attributes.has(attribute.name)) rejections.add(`attributes.${index}.name`, `'${attribute.name}' is defined twice`);
    attributes.set(attribute.name, attribute);
  });
  const rule = type.externalIdRule;
  const ruleAttributes = rule.kind === 'attribute' ? [rule.attribute] : rule.kind === 'hash' ? rule.attributes : [];
  for (const name of ruleAttributes) {
    const attribute = attributes.get(name);
    if (!attribute) rejections.add('externalIdRule', `'${name}' is not one of the type's attributes`);
    else if (!IDENTIFYING_TYPES.has(attribute.type)) rejections.add('externalIdRule', `'${name}' is ${attribute.type}: an external ID is made from ${[...IDENTIFYING_TYPES].join(', ')} attributes`);
  }
  type.associations.forEach((target, index) => {
    if (target !== CONTACT_TARGET && target !== type.name && !otherTypes.has(target)) {
      rejections.add(`associations.${index}`, `'${target}' is neither contact nor an object type of this workspace`);
    }
  });
  return rejections.list;
}

/**
 * Changes refused while the type has live records: they would make stored records invalid under
 * the type, or change the identities Brevo already knows them by. Additive changes stay allowed:
 * new optional attributes, required → optional, more allowed associations.
 */
export function changeRejections(current: ObjectTypeDefinition, next: ObjectTypeDefinition): Rejection[] {
  const rejections = new Rejections();
  const nextAttributes = new Map(next.attributes.map((attribute) => [attribute.name, attribute]));
  const currentAttributes = new Map(current.attributes.map((attribute) => [attribute.name, attribute]));
  for (const attribute of current.attributes) {
    const changed = nextAttributes.get(attribute.name);
    if (!changed) rejections.add(`attributes.${attribute.name}`, 'cannot be removed: records hold its values');
    else if (changed.type !== attribute.type) rejections.add(`attributes.${attribute.name}`, `cannot change type (${attribute.type} → ${changed.type}): records hold ${attribute.type} values`);
    else if (changed.required && !attribute.required) rejections.add(`attributes.${attribute.name}`, 'cannot become required: records may lack it');
  }
  for (const attribute of next.attributes) {
    if (!currentAttributes.has(attribute.name) && attribute.required) rejections.add(`attributes.${attribute.name}`, 'a new attribute must be optional: records lack it');
  }
  if (contentHash(current.externalIdRule) !== contentHash(next.externalIdRule)) rejections.add('externalIdRule', "cannot change: records' external IDs were made by it");
  if (current.brevoObjectType !== next.brevoObjectType) rejections.add('brevoObjectType', 'cannot change: records are in Brevo under it');
  for (const target of current.associations) {
    if (!next.associations.includes(target)) rejections.add('associations', `'${target}' cannot be removed: records may be associated with it`);
  }
  return rejections.list;
}
