import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Problem } from '../errors/problem.ts';
import {
  readCatalog,
  resolveSchema,
  type CatalogOperation,
  type JsonSchema,
  type OpenApiDocument,
} from '../operations/catalog.ts';
import { selfContainedSchema } from './json-schema.ts';

/**
 * How a tool takes the operation's request body:
 * - `flattened`: the body's fields are arguments beside the path and query parameters, as a recipe
 *   action shows them (`upsert_contact` takes `email`, `sourceId`…; `update_contact` takes `id`,
 *   `email`…). Agents fill flat arguments best, and the field names match the connector's.
 * - `nested`: the whole body is one `body` argument. Only when flattening would be ambiguous: a body
 *   field named like a parameter, or a body that is not a plain object of named fields.
 * - `none`: the operation has no body.
 */
export type BodyShape = 'none' | 'flattened' | 'nested';

export interface McpTool {
  /** What tools/list shows. */
  definition: Tool;
  operation: CatalogOperation;
  body: BodyShape;
}

const IDEMPOTENCY_KEY = 'idempotencyKey';
const BODY = 'body';
/** Body-level keywords that still mean the same once the body's fields sit beside the parameters. */
const FLATTENABLE = new Set(['type', 'properties', 'required', 'additionalProperties', 'description', 'title', 'example', 'examples']);

/** `batchUpsertContacts` → `batch_upsert_contacts`. */
export function toolName(operationId: string): string {
  return operationId
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The MCP tools of an OpenAPI document: one per operation a recipe has as an action, with input
 * (and output) schemas from the spec, self-contained. Pick-list, trigger-only, webhook and
 * connection-test operations are not tools, nor are operations the spec skips.
 */
export function buildTools(spec: OpenApiDocument): Map<string, McpTool> {
  const { operations, schemas } = readCatalog(spec);
  const tools = new Map<string, McpTool>();
  for (const operation of operations) {
    if (!operation.action) continue;
    const tool = buildTool(spec, schemas, operation);
    tools.set(tool.definition.name, tool);
  }
  return tools;
}

function buildTool(spec: OpenApiDocument, schemas: Record<string, JsonSchema>, operation: CatalogOperation): McpTool {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of operation.parameters) {
    properties[parameter.name] = described(parameter.schema, parameter.description);
    if (parameter.required) required.push(parameter.name);
  }
  const taken = new Set([...Object.keys(properties), ...(operation.idempotent ? [IDEMPOTENCY_KEY] : [])]);
  const body = operation.requestBody && resolveSchema(schemas, operation.requestBody);
  const shape: BodyShape = !body ? 'none' : flattenable(body, taken) ? 'flattened' : 'nested';
  const input: JsonSchema = { type: 'object' };

  if (body && shape === 'flattened') {
    Object.assign(properties, body.properties);
    required.push(...((body.required as string[] | undefined) ?? []));
    if (body.description !== undefined) input.description = body.description;
    // The body's example is a whole valid input only when no parameter must be added to it.
    if (body.example !== undefined && !operation.parameters.some((parameter) => parameter.required)) input.example = body.example;
    // Arguments that are not parameters go to the body, so the body's rule for extra fields holds.
    if (body.additionalProperties !== undefined) input.additionalProperties = body.additionalProperties;
  } else {
    if (operation.requestBody) {
      if (taken.has(BODY)) throw new Error(`${operation.operationId}: a parameter named ${BODY} leaves no name for the request body`);
      properties[BODY] = operation.requestBody;
      required.push(BODY);
    }
    input.additionalProperties = false;
  }
  if (operation.idempotent) properties[IDEMPOTENCY_KEY] = idempotencyKeySchema(spec, operation);
  input.properties = properties;
  if (required.length > 0) input.required = required;

  const response = operation.response && resolveSchema(schemas, operation.response);
  const definition: Tool = {
    name: toolName(operation.operationId),
    title: operation.summary,
    description: `${operation.description ?? `${operation.summary}.`} Needs an API key with the '${operation.scope}' scope.`,
    inputSchema: selfContainedSchema(schemas, input) as Tool['inputSchema'],
    annotations: { title: operation.summary, readOnlyHint: operation.method === 'get' },
  };
  // Declared only for object answers: a client then expects structuredContent on every success.
  if (response?.type === 'object') definition.outputSchema = selfContainedSchema(schemas, operation.response!) as Tool['outputSchema'];
  return { definition, operation, body: shape };
}

function flattenable(body: JsonSchema, taken: Set<string>): boolean {
  if (body.type !== 'object' || !Object.keys(body).every((keyword) => FLATTENABLE.has(keyword))) return false;
  return !Object.keys((body.properties as Record<string, JsonSchema> | undefined) ?? {}).some((name) => taken.has(name));
}

/** The Idempotency-Key header's schema and description, as the spec documents them. */
function idempotencyKeySchema(spec: OpenApiDocument, operation: CatalogOperation): JsonSchema {
  // readCatalog marked the operation idempotent because this header parameter is there.
  const header = spec.paths[operation.path]![operation.method]!.parameters!.find((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'idempotency-key')!;
  return described(header.schema, header.description);
}

/** A parameter's schema with the parameter's description, which OpenAPI keeps beside the schema. */
function described(schema: JsonSchema, description: string | undefined): JsonSchema {
  return description === undefined || schema.description !== undefined ? schema : { ...schema, description };
}

/** A query or path value as text: strings as they are, anything else as JSON (numbers, booleans). */
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The API request a tool call stands for, or the reason the arguments cannot make one. Everything
 * else (types, formats, required body fields) is left to the API's own validation, so an agent
 * gets the same field-level errors as a REST caller.
 */
export function toolRequest(tool: McpTool, args: Record<string, unknown>): { request: InjectOptions } | { error: string } {
  const { operation } = tool;
  const parameters = new Map(operation.parameters.map((parameter) => [parameter.name, parameter]));
  let url = operation.path;
  const query: Record<string, string | string[]> = {};
  const headers: Record<string, string> = {};
  let body: unknown = tool.body === 'flattened' ? {} : undefined;
  const unknown: string[] = [];

  for (const [name, value] of Object.entries(args)) {
    const parameter = parameters.get(name);
    if (parameter) {
      if (value === undefined || value === null) continue;
      if (parameter.in === 'path') {
        const text = asText(value);
        // '.' and '..' survive encoding and would be resolved into another route.
        if (text === '' || text === '.' || text === '..') return { error: `${name} must be a value, not '${text}'.` };
        url = url.replace(`{${name}}`, encodeURIComponent(text));
      }
      else query[name] = Array.isArray(value) ? value.map(asText) : asText(value);
    } else if (name === IDEMPOTENCY_KEY && operation.idempotent) {
      if (value !== undefined && value !== null) headers['idempotency-key'] = asText(value);
    } else if (tool.body === 'flattened') {
      (body as Record<string, unknown>)[name] = value;
    } else if (tool.body === 'nested' && name === BODY) {
      body = value;
    } else {
      unknown.push(name);
    }
  }
  if (unknown.length > 0) return { error: `${tool.definition.name} takes no argument named ${unknown.join(', ')}.` };
  const missing = operation.parameters.filter((parameter) => parameter.in === 'path' && url.includes(`{${parameter.name}}`));
  if (missing.length > 0) return { error: `${tool.definition.name} needs ${missing.map((parameter) => parameter.name).join(', ')}.` };
  if (tool.body === 'nested') body ??= {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return {
    request: {
      method: operation.method.toUpperCase() as InjectOptions['method'],
      url,
      query,
      headers,
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The API's answer as a tool result: the JSON as text (and as structured content when it is an
 * object); a problem+json answer as a tool error an agent can read and act on, not a protocol error.
 */
export function toolResult(response: Pick<LightMyRequestResponse, 'statusCode' | 'headers' | 'body'>): CallToolResult {
  const json = String(response.headers['content-type'] ?? '').includes('json') ? (JSON.parse(response.body) as unknown) : undefined;
  if (response.statusCode < 400) {
    return { content: [{ type: 'text', text: response.body }], ...(isRecord(json) ? { structuredContent: json } : {}) };
  }
  return toolError(isRecord(json) && typeof json.detail === 'string' ? problemText(json as unknown as Problem) : `HTTP ${response.statusCode}: ${response.body}`);
}

function problemText(problem: Problem): string {
  return [
    `${problem.title} (${problem.status} ${problem.type}): ${problem.detail}`,
    ...(problem.errors ?? []).map((error) => `- ${error.field}: ${error.reason}`),
    `Request ID: ${problem.requestId}`,
  ].join('\n');
}

/** A tool error for a call refused before it reaches the API. */
export function toolError(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}
