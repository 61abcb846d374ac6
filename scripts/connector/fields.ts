/**
 * Workato schema fields from the OpenAPI component schemas: types, control types, hints from
 * descriptions, labels a person would write. A `$ref` to a component becomes a reference to the
 * connector's object definition of the same name, so definitions are written once and reused.
 */
import { refName, type JsonSchema } from '../../api/src/operations/catalog.ts';
import { code, ruby, type RubyCode, type RubyValue } from './ruby.ts';

/** Words a person writes in capitals. */
const ACRONYMS = new Map(['id', 'url', 'sms', 'ids', 'api', 'ip', 'utc', 'gdpr', 'html'].map((word) => [word, word === 'ids' ? 'IDs' : word.toUpperCase()]));

/** `firstName` → "First name", `externalId` → "External ID". */
export function labelize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((word) => ACRONYMS.get(word.toLowerCase()) ?? word.toLowerCase());
  const [first = '', ...rest] = words;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ');
}

/** `ContactRecordInput` → `contact_record_input`, `upsertContact` → `upsert_contact`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** The object definition a component schema becomes. */
export const definitionName = (component: string) => snakeCase(component);

export interface FieldOptions {
  /** Input fields whose values come from a pick list: field name → pick list name. */
  pickLists?: Record<string, string> | undefined;
  /** Labels that say more than the field name does (a path `id` is the "List ID"). */
  labels?: Record<string, string> | undefined;
}

/** A schema with `null` removed from its type or anyOf: what a present value looks like. */
function nonNull(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.anyOf)) {
    const options = (schema.anyOf as JsonSchema[]).filter((option) => option.type !== 'null');
    if (options.length === 1) return { ...options[0], description: schema.description ?? options[0]!.description };
    return { ...schema, anyOf: options };
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as string[]).filter((type) => type !== 'null');
    return { ...schema, type: types.length === 1 ? types[0] : types };
  }
  return schema;
}

/** Whether a schema takes null: a `type` that lists it, or an anyOf option of type null. */
export function acceptsNull(schema: JsonSchema): boolean {
  if (Array.isArray(schema.type)) return schema.type.includes('null');
  return Array.isArray(schema.anyOf) && (schema.anyOf as JsonSchema[]).some((option) => option.type === 'null');
}

/** The one JSON type a value has, or 'string' when it may be several (Workato sends text). */
function jsonType(schema: JsonSchema): string {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.anyOf)) {
    const types = new Set((schema.anyOf as JsonSchema[]).map((option) => option.type));
    if (types.size === 1 && typeof [...types][0] === 'string') return [...types][0] as string;
  }
  return 'string';
}

function enumValues(schema: JsonSchema): string[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum as string[];
  // A documented set of values that also accepts others (e.g. consent status): the set is the list.
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).find((option) => Array.isArray(option.enum))?.enum as string[] | undefined;
  return undefined;
}

function hintOf(schema: JsonSchema, original: JsonSchema): string | undefined {
  const description = (original.description ?? schema.description) as string | undefined;
  const example = original.example ?? schema.example;
  const parts = [description, example !== undefined && typeof example !== 'object' ? `Example: ${String(example)}` : undefined].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** A select (from a pick list or fixed options) with its text twin, so builders can map a datapill instead of choosing. */
function select(name: string, label: string, optional: boolean, hint: string | undefined, choices: { pick_list: string } | { options: string[][] }): RubyValue {
  return {
    name,
    label,
    type: 'string',
    control_type: 'select',
    ...choices,
    optional,
    toggle_hint: 'Select from list',
    toggle_field: { name, label, type: 'string', control_type: 'text', optional, toggle_hint: 'Use custom value', hint },
    hint,
  };
}

/** Workato fields for the properties of an object schema. */
export function objectFields(schema: JsonSchema, options: FieldOptions = {}): RubyValue[] {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => field(name, property, !required.has(name), options));
}

/** One Workato field. */
export function field(name: string, original: JsonSchema, optional: boolean, options: FieldOptions = {}): RubyValue {
  const label = options.labels?.[name] ?? labelize(name);
  const ref = refName(original) ?? refName(nonNull(original));
  if (ref) return { name, label, type: 'object', optional, properties: objectDefinition(ref) };
  const schema = nonNull(original);
  const hint = hintOf(schema, original);
  const pickList = options.pickLists?.[name];
  if (pickList) return select(name, label, optional, hint, { pick_list: pickList });
  if (schema.type === undefined && !schema.anyOf && !schema.enum) {
    // Any JSON (a request or answer kept verbatim): Workato shows it as an object.
    return { name, label, type: 'object', optional, hint };
  }
  const type = jsonType(schema);
  if (type === 'array') {
    const items = nonNull((schema.items as JsonSchema | undefined) ?? {});
    const itemRef = refName(items);
    if (itemRef) return { name, label, type: 'array', of: 'object', optional, hint, properties: objectDefinition(itemRef) };
    if (jsonType(items) === 'object') return { name, label, type: 'array', of: 'object', optional, hint, properties: objectFields(items) };
    return { name, label, type: 'array', of: workatoScalar(items), optional, hint };
  }
  if (type === 'object') {
    const keys = (schema.propertyNames as JsonSchema | undefined)?.enum as string[] | undefined;
    const values = schema.additionalProperties as JsonSchema | undefined;
    // A map with a known set of keys (consent per channel) reads best as one field per key.
    if (keys && values && typeof values === 'object') {
      return { name, label, type: 'object', optional, hint, properties: keys.map((key) => field(key, values, true)) };
    }
    if (schema.properties) return { name, label, type: 'object', optional, hint, properties: objectFields(schema) };
    // Free-form maps (custom attributes): the builder maps an object datapill or writes a formula.
    return { name, label, type: 'object', optional, hint: [hint, 'Map an object datapill, or use a formula such as {"plan" => "pro"}.'].filter(Boolean).join(' ') };
  }
  const values = enumValues(schema);
  if (values) return select(name, label, optional, hint, { options: values.map((value) => [labelize(String(value)), String(value)]) });
  return { name, label, type: workatoScalar(schema), control_type: controlType(schema), optional, hint };
}

function workatoScalar(schema: JsonSchema): string {
  const type = jsonType(schema);
  if (type === 'integer') return 'integer';
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  if (schema.format === 'date-time') return 'date_time';
  return 'string';
}

function controlType(schema: JsonSchema): string | undefined {
  const type = workatoScalar(schema);
  if (type === 'integer' || type === 'number') return type;
  if (type === 'boolean') return 'checkbox';
  if (type === 'date_time') return 'date_time';
  if (schema.format === 'email') return 'email';
  if (schema.format === 'uri') return 'url';
  return 'text';
}

/** A reference to an object definition, as the lambdas of the connector read it. */
export function objectDefinition(component: string): RubyCode {
  return code(`object_definitions[${ruby(definitionName(component))}]`);
}

/** Component schemas referenced (transitively) from a schema. */
export function referencedComponents(schema: unknown, schemas: Record<string, JsonSchema>, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) referencedComponents(item, schemas, found);
  } else if (schema && typeof schema === 'object') {
    const name = refName(schema as JsonSchema);
    if (name && !found.has(name)) {
      found.add(name);
      referencedComponents(schemas[name], schemas, found);
    }
    for (const value of Object.values(schema)) referencedComponents(value, schemas, found);
  }
  return found;
}
