import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Brevo's published OpenAPI document, kept outside the product at ../shared/brevo/openapi.json.
 * Present in CI; tests that need it skip when it is absent (a clone on its own).
 */
const SPEC_PATH = new URL('../../../shared/brevo/openapi.json', import.meta.url);
export const brevoSpecAvailable = existsSync(SPEC_PATH);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: ParameterSchema;
}
interface ParameterSchema {
  type?: string;
  enum?: unknown[];
  oneOf?: ParameterSchema[];
  anyOf?: ParameterSchema[];
  items?: ParameterSchema;
  minimum?: number;
  maximum?: number;
}
interface Content {
  content?: { 'application/json'?: { schema?: object } };
}
/** An answer the operation describes, or a `$ref` to one of the spec's shared answers. */
type SpecResponse = Content & { $ref?: string };
interface Operation {
  parameters?: Parameter[];
  requestBody?: Content;
  responses?: Record<string, SpecResponse>;
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object>; responses?: Record<string, SpecResponse> } };

/**
 * Where Brevo's published spec rejects requests its reference documentation describes as valid,
 * each case named. The list-membership bodies are a `oneOf` of objects that require nothing
 * (by emails, by IDs, by EXT_IDs...), so a valid body matches every branch and fails the `oneOf`;
 * the documentation says "one of these arrays", so each branch is read as requiring its own one.
 */
export const SPEC_RELAXATIONS: Record<string, string> = {
  'POST /v3/contacts/lists/:listId/contacts/add': 'oneOf branches each require their own property',
  'POST /v3/contacts/lists/:listId/contacts/remove': 'oneOf branches each require their own property',
};

/**
 * The contact identifier path parameter is a `oneOf` of string and integer: a numeric identifier (a
 * contact ID, or an ext_id or phone made of digits) is both, so it fails the `oneOf`. Brevo's
 * reference takes any of them ("email OR ID OR SMS OR EXT_ID"): the branches are read as `anyOf`.
 */
export const PARAMETER_RELAXATIONS: Record<string, string> = {
  'GET /v3/contacts/:identifier identifier': 'oneOf of string and integer read as anyOf',
  'DELETE /v3/contacts/:identifier identifier': 'oneOf of string and integer read as anyOf',
};

/** Whether a path or query value (text, as URLs carry it) fits a parameter's schema. */
function fits(schema: ParameterSchema, value: string | string[], relaxOneOf: boolean): boolean {
  if (Array.isArray(value)) return schema.type === 'array' ? value.every((item) => fits(schema.items ?? {}, item, relaxOneOf)) : value.length === 1 && fits(schema, value[0]!, relaxOneOf);
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((branch) => fits(branch, value, relaxOneOf)).length;
    return relaxOneOf ? matching >= 1 : matching === 1;
  }
  if (schema.anyOf) return schema.anyOf.some((branch) => fits(branch, value, relaxOneOf));
  if (schema.enum && !schema.enum.map(String).includes(value)) return false;
  const number = Number(value);
  switch (schema.type) {
    case 'integer':
    case 'number':
      if (value.trim() === '' || !Number.isFinite(number) || (schema.type === 'integer' && !Number.isInteger(number))) return false;
      return (schema.minimum === undefined || number >= schema.minimum) && (schema.maximum === undefined || number <= schema.maximum);
    case 'boolean':
      return value === 'true' || value === 'false';
    case 'array':
      return value.split(',').every((item) => fits(schema.items ?? {}, item, relaxOneOf));
    default:
      return true;
  }
}

/**
 * Operations Brevo has added since its published spec, as its reference documents them, checked
 * with what the spec does define: each item of POST /events/batch is the spec's `event`.
 */
export const ADDED_OPERATIONS: Record<string, object> = {
  'post /events/batch': {
    type: 'object',
    required: ['events'],
    additionalProperties: false,
    properties: { events: { type: 'array', minItems: 1, maxItems: 200, items: { $ref: '#/components/schemas/event' } } },
  },
};

/**
 * Where the published spec is narrower than Brevo: event_properties values are typed string,
 * integer, object or array of objects, while Brevo's reference (and the spec's own example) take
 * numbers with decimals and booleans too.
 */
function relaxEventProperties(spec: Spec) {
  const event = spec.components.schemas.event as { properties?: { event_properties?: { additionalProperties?: { anyOf?: object[] } } } } | undefined;
  event?.properties?.event_properties?.additionalProperties?.anyOf?.push({ type: 'number' }, { type: 'boolean' });
}

type JsonSchema = Record<string, unknown>;

/** Every `oneOf` of a schema (not following `$ref`s) read as `anyOf`. */
function oneOfAsAnyOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(oneOfAsAnyOf);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key === 'oneOf' ? 'anyOf' : key, oneOfAsAnyOf(value)]));
}

interface ResponseRelaxation {
  /** How the answer is read, told with each violation that remains. */
  reason: string;
  /** The answer's schema as read here, from a copy of the spec's (one `$ref` resolved). */
  relax(schema: JsonSchema): JsonSchema;
}

/**
 * `success` and `failure` are a `oneOf` of an array of emails and an array of IDs: an empty array
 * fits both, so fails the `oneOf`, and ext IDs (Brevo answers in the request's terms) fit neither.
 * Brevo's reference reads "list of string or list of long".
 */
const MEMBERSHIP_RESULT: ResponseRelaxation = {
  reason: 'success and failure read as a list of strings or a list of IDs',
  relax(schema) {
    const identifiers = { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'array', items: { type: 'integer' } }] };
    const contacts = (schema.properties as { contacts: { properties: JsonSchema } }).contacts;
    contacts.properties = { ...contacts.properties, success: identifiers, failure: identifiers };
    return schema;
  },
};

/**
 * Where Brevo's published spec rejects answers Brevo gives, each case named, by operation and status.
 * Applied with `relax: true` (the default); `relax: false` checks answers against the spec as published.
 */
export const RESPONSE_RELAXATIONS: Record<string, ResponseRelaxation> = {
  'POST /v3/contacts/lists/:listId/contacts/add 201': MEMBERSHIP_RESULT,
  'POST /v3/contacts/lists/:listId/contacts/remove 201': MEMBERSHIP_RESULT,
  // Each association, and each of its records, is a `oneOf` of two identical branches: nothing fits exactly one.
  'GET /v3/objects/:object_type/records 200': { reason: 'identical oneOf branches read as anyOf', relax: (schema) => oneOfAsAnyOf(schema) as JsonSchema },
  // The spec documents this 429 with errorModel, whose codes name none for rate limiting, and Brevo
  // documents no body for it: the simulator's own code is taken.
  'GET /v3/contacts 429': {
    reason: "errorModel's codes take too_many_requests",
    relax(schema) {
      const code = (schema.properties as { code: { enum: string[] } }).code;
      code.enum = [...code.enum, 'too_many_requests'];
      return schema;
    },
  },
};

/** Validates requests, and answers, against Brevo's spec; collects every violation. */
export class BrevoSpecValidator {
  readonly violations: string[] = [];
  /** Answers checked against a schema of the spec, by `METHOD route status`. */
  readonly checkedAnswers = new Set<string>();
  /** Answers the spec gives no schema for, by `METHOD route status`, with why: not checked. */
  readonly undescribedAnswers = new Map<string, string>();
  readonly #spec: Spec;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ((body: unknown) => boolean) & { errors?: unknown }>();
  readonly #compiledAnswers = new Map<string, ((body: unknown) => boolean) & { errors?: unknown }>();

  /** `relax: false` checks against the spec exactly as published, for the tests naming its defects. */
  constructor(private readonly options: { relax: boolean } = { relax: true }) {
    this.#spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
    if (options.relax) relaxEventProperties(this.#spec);
    // OpenAPI 3.0 schemas carry keywords (example, nullable...) that are not JSON Schema.
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema({ components: this.#spec.components }, 'brevo');
  }

  /** The spec's path for a simulator route (`/v3/contacts/:identifier` → `/contacts/{identifier}`). */
  static specPath(route: string) {
    return route.replace(/^\/v3/, '').replace(/:(\w+)/g, '{$1}');
  }

  /** Whether Brevo's published spec itself has the operation. */
  inPublishedSpec(method: string, route: string) {
    return Boolean(this.#spec.paths[BrevoSpecValidator.specPath(route)]?.[method.toLowerCase()]);
  }

  hasOperation(method: string, route: string) {
    return this.inPublishedSpec(method, route) || `${method.toLowerCase()} ${BrevoSpecValidator.specPath(route)}` in ADDED_OPERATIONS;
  }

  requestSchema(method: string, route: string): object | undefined {
    return (
      this.#spec.paths[BrevoSpecValidator.specPath(route)]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema ??
      ADDED_OPERATIONS[`${method.toLowerCase()} ${BrevoSpecValidator.specPath(route)}`]
    );
  }

  resolve(schema: object): Record<string, unknown> {
    const ref = (schema as { $ref?: string }).$ref;
    return (ref ? this.#spec.components.schemas[ref.split('/').at(-1)!] : schema) as Record<string, unknown>;
  }

  /** A `oneOf` whose branches require nothing, with each branch requiring the properties it names. */
  requiringOwnProperty(schema: object): object {
    const branches = (schema as { oneOf?: object[] }).oneOf ?? [];
    return { oneOf: branches.map((branch) => ({ allOf: [branch], required: Object.keys((this.resolve(branch).properties ?? {}) as object) })) };
  }

  /** Path and query parameters against the operation's: required ones present, each value fitting, none unknown. */
  #checkParameters(key: string, request: { method: string; route: string; url: string }) {
    const declared = this.#spec.paths[BrevoSpecValidator.specPath(request.route)]?.[request.method.toLowerCase()]?.parameters ?? [];
    const url = new URL(request.url, 'http://simulator.invalid');
    const values = new Map<string, string | string[]>();
    const routeParts = request.route.split('/');
    url.pathname.split('/').forEach((part, index) => {
      const name = routeParts[index]?.startsWith(':') ? routeParts[index]!.slice(1) : undefined;
      if (name) values.set(`path ${name}`, decodeURIComponent(part));
    });
    for (const name of new Set(url.searchParams.keys())) {
      const all = url.searchParams.getAll(name);
      values.set(`query ${name}`, all.length === 1 ? all[0]! : all);
    }
    for (const parameter of declared.filter((p) => p.in === 'path' || p.in === 'query')) {
      const value = values.get(`${parameter.in} ${parameter.name}`);
      values.delete(`${parameter.in} ${parameter.name}`);
      if (value === undefined) {
        if (parameter.required) this.violations.push(`${key}: ${parameter.in} parameter ${parameter.name} is required`);
        continue;
      }
      const relaxOneOf = this.options.relax && `${key} ${parameter.name}` in PARAMETER_RELAXATIONS;
      if (!fits(parameter.schema ?? {}, value, relaxOneOf)) this.violations.push(`${key}: ${parameter.in} parameter ${parameter.name}=${JSON.stringify(value)} does not fit ${JSON.stringify(parameter.schema)}`);
    }
    for (const unknown of values.keys()) this.violations.push(`${key}: ${unknown} is not a parameter of the operation`);
  }

  check(request: { method: string; route: string; url?: string; body: unknown }) {
    const key = `${request.method} ${request.route}`;
    if (!this.hasOperation(request.method, request.route)) {
      this.violations.push(`${key}: not an operation of Brevo's spec`);
      return;
    }
    if (request.url !== undefined && this.inPublishedSpec(request.method, request.route)) this.#checkParameters(key, { ...request, url: request.url });
    const schema = this.requestSchema(request.method, request.route);
    if (!schema || request.body === undefined) return;
    let validate = this.#compiled.get(key);
    if (!validate) {
      const text = JSON.stringify(this.options.relax && key in SPEC_RELAXATIONS ? this.requiringOwnProperty(schema) : schema).replaceAll('"#/components/', '"brevo#/components/');
      validate = this.#ajv.compile(JSON.parse(text) as object);
      this.#compiled.set(key, validate);
    }
    if (!validate(request.body)) this.violations.push(`${key}: ${JSON.stringify(validate.errors)}`);
  }

  /** The schema of an answer of the operation, or why the spec gives none. */
  responseSchema(method: string, route: string, status: number): { schema: object } | { undescribed: string } {
    if (!this.inPublishedSpec(method, route)) return { undescribed: "the operation is not in Brevo's published spec" };
    const responses = this.#spec.paths[BrevoSpecValidator.specPath(route)]![method.toLowerCase()]!.responses ?? {};
    let response = responses[String(status)];
    if (!response) return { undescribed: `the operation describes no ${status} answer` };
    if (response.$ref) response = this.#spec.components.responses?.[response.$ref.split('/').at(-1)!] ?? {};
    const schema = response.content?.['application/json']?.schema;
    return schema ? { schema } : { undescribed: `the ${status} answer is described without a body` };
  }

  /** An answer's body against the spec's schema for its operation and status, when the spec gives one. */
  checkResponse(response: { method: string; route: string; status: number; body: unknown }) {
    const key = `${response.method} ${response.route} ${response.status}`;
    const found = this.responseSchema(response.method, response.route, response.status);
    if ('undescribed' in found) {
      this.undescribedAnswers.set(key, found.undescribed);
      return;
    }
    this.checkedAnswers.add(key);
    if (response.body === undefined) {
      this.violations.push(`${key}: no body, where the spec describes one`);
      return;
    }
    const relaxation = this.options.relax ? RESPONSE_RELAXATIONS[key] : undefined;
    let validate = this.#compiledAnswers.get(key);
    if (!validate) {
      const schema = relaxation ? relaxation.relax(structuredClone(this.resolve(found.schema))) : found.schema;
      validate = this.#ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"brevo#/components/')) as object);
      this.#compiledAnswers.set(key, validate);
    }
    if (!validate(response.body)) this.violations.push(`${key}${relaxation ? ` (${relaxation.reason})` : ''}: ${JSON.stringify(validate.errors)}`);
  }
}
