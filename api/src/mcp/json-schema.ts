import { refName, type JsonSchema } from '../operations/catalog.ts';

// The keywords whose values are schemas (JSON Schema 2020-12), so the walk below never mistakes a
// property *named* `example` or `$ref` for a keyword.
const SCHEMA_KEYWORDS = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
  'contentSchema',
]);
const SCHEMA_LIST_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', 'dependentSchemas']);

const mapValues = (record: Record<string, JsonSchema>, map: (schema: JsonSchema) => JsonSchema) =>
  Object.fromEntries(Object.entries(record).map(([key, schema]) => [key, map(schema)]));

/**
 * A copy of `schema` that stands on its own, for clients that never see the OpenAPI document:
 * every `#/components/schemas/…` reference is inlined, and OpenAPI's `example` becomes JSON
 * Schema's `examples`. A component that refers back to itself cannot be inlined forever: its
 * inner occurrences point at a copy under the result's own `$defs` instead.
 */
export function selfContainedSchema(components: Record<string, JsonSchema>, schema: JsonSchema): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const expanding: string[] = [];

  const expand = (name: string): JsonSchema => {
    const target = components[name];
    if (!target) throw new Error(`schema ${name} is referenced but not defined`);
    expanding.push(name);
    try {
      return visit(target);
    } finally {
      expanding.pop();
    }
  };

  const visit = (node: JsonSchema): JsonSchema => {
    const { $ref, ...rest } = node;
    const siblings = convert(rest);
    if ($ref === undefined) return siblings;
    const name = refName(node);
    if (name === undefined) throw new Error(`unsupported $ref ${JSON.stringify($ref)}: only #/components/schemas/… can be inlined`);
    let target: JsonSchema;
    if (expanding.includes(name)) {
      if (!(name in defs)) {
        defs[name] = {}; // claimed first, so the expansion below refers to it rather than recursing
        defs[name] = expand(name);
      }
      target = { $ref: `#/$defs/${name}` };
    } else {
      target = expand(name);
    }
    // Keywords beside a $ref apply together with the target: allOf keeps that exact meaning.
    return Object.keys(siblings).length === 0 ? target : { ...siblings, allOf: [target] };
  };

  const convert = (node: JsonSchema): JsonSchema => {
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'example') out.examples = [value];
      else if (SCHEMA_KEYWORDS.has(key) && isSchema(value)) out[key] = visit(value);
      else if (SCHEMA_LIST_KEYWORDS.has(key) && Array.isArray(value)) out[key] = (value as JsonSchema[]).map(visit);
      else if (SCHEMA_MAP_KEYWORDS.has(key) && isSchema(value)) out[key] = mapValues(value as Record<string, JsonSchema>, visit);
      else if (key === '$defs') throw new Error('schemas with their own $defs cannot be inlined');
      else out[key] = value;
    }
    return out;
  };

  const result = visit(schema);
  return Object.keys(defs).length === 0 ? result : { ...result, $defs: defs };
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
