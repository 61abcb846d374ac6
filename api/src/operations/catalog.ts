import { SCOPES, type Scope } from '../auth/scopes.ts';
import {
  WORKATO_EXTENSIONS,
  type ActionExtension,
  type PickListExtension,
  type TriggerExtension,
  type WebhooksExtension,
} from './extensions.ts';

/** A JSON Schema as the OpenAPI document holds it (3.1: JSON Schema 2020-12). */
export type JsonSchema = { [key: string]: unknown };

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
  [extension: `x-${string}`]: unknown;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface OperationParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string | undefined;
  schema: JsonSchema;
}

/** One API operation as the connector and the MCP tools see it. */
export interface CatalogOperation {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path, e.g. `/v1/contacts/{id}`. */
  path: string;
  summary: string;
  description: string | undefined;
  tag: string;
  scope: Scope;
  parameters: OperationParameter[];
  /** Whether the operation takes an Idempotency-Key header. */
  idempotent: boolean;
  requestBody: JsonSchema | undefined;
  /** The first 2xx JSON answer's schema. */
  response: JsonSchema | undefined;
  action: ActionExtension | undefined;
  trigger: TriggerExtension | undefined;
  pickList: PickListExtension | undefined;
  webhooks: WebhooksExtension | undefined;
  connectionTest: boolean;
  /** The OAuth2 client-credentials token endpoint the connection exchanges its API key at. */
  tokenEndpoint: boolean;
}

export interface OperationCatalog {
  /** Operations placed in the connector and the MCP tools, in spec order. */
  operations: CatalogOperation[];
  /** Operations deliberately left out, with the reason the spec gives. */
  skipped: { operationId: string; method: HttpMethod; path: string; reason: string }[];
  schemas: Record<string, JsonSchema>;
}

/** The spec has an operation nothing can place: it names each one and what is wrong. */
export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`The OpenAPI spec has operations the connector cannot place:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'CatalogError';
  }
}

const REF_PREFIX = '#/components/schemas/';

/** The component name a `$ref` points at, or undefined for an inline schema. */
export function refName(schema: JsonSchema): string | undefined {
  const ref = schema.$ref;
  return typeof ref === 'string' && ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/** Follows a `$ref` to its component schema (one level; nested refs stay refs). */
export function resolveSchema(schemas: Record<string, JsonSchema>, schema: JsonSchema): JsonSchema {
  const name = refName(schema);
  if (name === undefined) return schema;
  const target = schemas[name];
  if (!target) throw new Error(`schema ${name} is referenced but not defined`);
  return target;
}

function jsonContent(content: Record<string, { schema: JsonSchema }> | undefined) {
  return content?.['application/json']?.schema;
}

/**
 * Reads the operations of an OpenAPI document with their `x-workato-*` extensions, checked. Every
 * operation must be placed (an action, trigger, pick list, webhook, connection test or token
 * endpoint) or skipped with a reason; anything else throws a CatalogError naming each operation and
 * its problem.
 */
export function readCatalog(spec: OpenApiDocument): OperationCatalog {
  const problems: string[] = [];
  const operations: CatalogOperation[] = [];
  const skipped: OperationCatalog['skipped'] = [];
  const schemas = spec.components.schemas;

  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const name = operation.operationId ?? `${method.toUpperCase()} ${path}`;
      const extensions: Record<string, unknown> = {};
      let valid = true;
      for (const [key, schema] of Object.entries(WORKATO_EXTENSIONS)) {
        if (operation[key as `x-${string}`] === undefined) continue;
        const parsed = schema.safeParse(operation[key as `x-${string}`]);
        if (parsed.success) extensions[key] = parsed.data;
        else {
          valid = false;
          problems.push(`${name}: ${key} is invalid (${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`).join('; ')})`);
        }
      }
      for (const key of Object.keys(operation)) {
        if (key.startsWith('x-workato') && !(key in WORKATO_EXTENSIONS)) {
          valid = false;
          problems.push(`${name}: unknown extension ${key}`);
        }
      }
      if (!valid) continue;
      const skip = extensions['x-workato-skip'] as string | undefined;
      const placed = Object.keys(extensions).filter((key) => key !== 'x-workato-skip');
      if (skip !== undefined) {
        if (placed.length > 0) problems.push(`${name}: x-workato-skip together with ${placed.join(', ')}`);
        else skipped.push({ operationId: name, method, path, reason: skip });
        continue;
      }
      if (placed.length === 0) {
        problems.push(`${name} (${method.toUpperCase()} ${path}): no x-workato-* extension says where it goes; add one, or x-workato-skip with the reason`);
        continue;
      }
      if (!operation.operationId) {
        problems.push(`${method.toUpperCase()} ${path}: has no operationId`);
        continue;
      }
      const tokenEndpoint = extensions['x-workato-token'] === true;
      // The token endpoint authenticates its client itself, so its route declares no scope; any key
      // may use it, and every key holds at least read, the lowest scope.
      const scope = operation['x-tajo-scope'] ?? (tokenEndpoint ? 'read' : undefined);
      if (!SCOPES.includes(scope as Scope)) {
        problems.push(`${name}: x-tajo-scope is missing or unknown`);
        continue;
      }
      const parameters: OperationParameter[] = [];
      let idempotent = false;
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'header') {
          if (parameter.name.toLowerCase() === 'idempotency-key') idempotent = true;
          continue;
        }
        if (parameter.in !== 'path' && parameter.in !== 'query') continue;
        parameters.push({
          name: parameter.name,
          in: parameter.in,
          required: parameter.in === 'path' || parameter.required === true,
          description: parameter.description ?? (parameter.schema.description as string | undefined),
          schema: parameter.schema,
        });
      }
      const success = Object.entries(operation.responses ?? {}).find(([status]) => status.startsWith('2'));
      operations.push({
        operationId: operation.operationId,
        method,
        path,
        summary: operation.summary ?? operation.operationId,
        description: operation.description,
        tag: operation.tags?.[0] ?? 'Other',
        scope: scope as Scope,
        parameters,
        idempotent,
        requestBody: jsonContent(operation.requestBody?.content),
        response: success ? jsonContent(success[1].content) : undefined,
        action: extensions['x-workato-action'] as ActionExtension | undefined,
        trigger: extensions['x-workato-trigger'] as TriggerExtension | undefined,
        pickList: extensions['x-workato-pick-list'] as PickListExtension | undefined,
        webhooks: extensions['x-workato-webhooks'] as WebhooksExtension | undefined,
        connectionTest: extensions['x-workato-connection-test'] === true,
        tokenEndpoint,
      });
    }
  }
  problems.push(...crossCheck(operations, skipped, schemas));
  if (problems.length > 0) throw new CatalogError(problems);
  return { operations, skipped, schemas };
}

/** The properties of an object schema (after one `$ref`). */
export function propertiesOf(schemas: Record<string, JsonSchema>, schema: JsonSchema | undefined): Record<string, JsonSchema> {
  if (!schema) return {};
  return (resolveSchema(schemas, schema).properties as Record<string, JsonSchema> | undefined) ?? {};
}

/** The names an operation's input has: path and query parameters and body properties. */
export function inputNames(catalog: Pick<OperationCatalog, 'schemas'>, operation: CatalogOperation): string[] {
  return [...operation.parameters.map((parameter) => parameter.name), ...Object.keys(propertiesOf(catalog.schemas, operation.requestBody))];
}

/** References between extensions and the schemas they name must hold. */
function crossCheck(operations: CatalogOperation[], skipped: OperationCatalog['skipped'], schemas: Record<string, JsonSchema>): string[] {
  const problems: string[] = [];
  const pickLists = new Set(operations.flatMap((operation) => (operation.pickList ? [operation.pickList.name] : [])));
  // An unsubscribe operation is not a recipe step itself (it is skipped) but must exist.
  const ids = new Set([...operations, ...skipped].map((operation) => operation.operationId));
  const connectionTests = operations.filter((operation) => operation.connectionTest);
  if (connectionTests.length !== 1) problems.push(`exactly one operation must be the connection test (x-workato-connection-test); found ${connectionTests.length}`);
  const tokenEndpoints = operations.filter((operation) => operation.tokenEndpoint);
  if (tokenEndpoints.length > 1) problems.push(`at most one operation may be the token endpoint (x-workato-token); found ${tokenEndpoints.map((operation) => operation.operationId).join(', ')}`);
  for (const operation of operations) {
    const name = operation.operationId;
    const inputs = new Set(inputNames({ schemas }, operation));
    for (const [field, list] of Object.entries(operation.action?.pickLists ?? {})) {
      if (!inputs.has(field)) problems.push(`${name}: pick list field ${field} is not an input of the operation`);
      if (!pickLists.has(list)) problems.push(`${name}: pick list ${list} has no operation with x-workato-pick-list`);
    }
    const batch = operation.action?.batch;
    if (batch) {
      const records = propertiesOf(schemas, operation.requestBody)[batch.records];
      if (records?.type !== 'array') problems.push(`${name}: batch records '${batch.records}' is not an array property of the body`);
      if (propertiesOf(schemas, operation.response)[batch.results]?.type !== 'array') problems.push(`${name}: batch results '${batch.results}' is not an array property of the answer`);
    }
    const trigger = operation.trigger;
    if (trigger) {
      if (operation.method !== 'get') problems.push(`${name}: a polling trigger needs a GET search`);
      if (!operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === trigger.since)) {
        problems.push(`${name}: trigger since parameter '${trigger.since}' is not a query parameter`);
      }
      if (!operation.parameters.some((parameter) => parameter.name === 'cursor')) problems.push(`${name}: a polling trigger needs cursor pagination`);
    }
    if (operation.pickList && operation.method !== 'get') problems.push(`${name}: a pick list needs a GET operation`);
    if (operation.webhooks) {
      // The event types a trigger subscribes to must be ones the subscribe operation accepts.
      const events = propertiesOf(schemas, operation.requestBody).events;
      const accepted = events?.items ? (resolveSchema(schemas, events.items as JsonSchema).enum as string[] | undefined) : undefined;
      if (!accepted) problems.push(`${name}: the subscribe body has no 'events' list of known event types`);
      for (const trigger of operation.webhooks.triggers) {
        if (!schemas[trigger.schema]) problems.push(`${name}: webhook trigger '${trigger.title}' names unknown schema ${trigger.schema}`);
        const unknown = trigger.events.filter((event) => accepted && !accepted.includes(event));
        if (unknown.length > 0) problems.push(`${name}: webhook trigger '${trigger.title}' subscribes to unknown event types ${unknown.join(', ')}`);
      }
    }
    if (operation.webhooks && !ids.has(operation.webhooks.unsubscribe)) problems.push(`${name}: unsubscribe operation ${operation.webhooks.unsubscribe} is not in the spec`);
  }
  return problems;
}
