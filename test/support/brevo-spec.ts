import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Brevo's published OpenAPI document, kept outside the product at ../shared/brevo/openapi.json.
 * Present in CI; tests that need it skip when it is absent (a clone on its own).
 */
const SPEC_PATH = new URL('../../../shared/brevo/openapi.json', import.meta.url);
export const brevoSpecAvailable = existsSync(SPEC_PATH);

interface Operation {
  requestBody?: { content?: { 'application/json'?: { schema?: object } } };
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

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

/** Validates request bodies against Brevo's spec; collects every violation. */
export class BrevoSpecValidator {
  readonly violations: string[] = [];
  readonly #spec: Spec;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ((body: unknown) => boolean) & { errors?: unknown }>();

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

  check(request: { method: string; route: string; body: unknown }) {
    const key = `${request.method} ${request.route}`;
    if (!this.hasOperation(request.method, request.route)) {
      this.violations.push(`${key}: not an operation of Brevo's spec`);
      return;
    }
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
}
