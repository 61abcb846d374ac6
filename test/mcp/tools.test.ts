import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenApiDocument } from '../../api/src/operations/catalog.ts';
import { selfContainedSchema } from '../../api/src/mcp/json-schema.ts';
import { buildTools, toolName, toolRequest, toolResult } from '../../api/src/mcp/tools.ts';

const spec = JSON.parse(await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;
const tools = buildTools(spec);

/** Strict: an unknown keyword, format or loose type in a tool schema fails to compile. */
function strictAjv() {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

describe('MCP tools from the operation catalog', () => {
  it('names tools after operationIds in snake_case', () => {
    expect(toolName('batchUpsertContacts')).toBe('batch_upsert_contacts');
    expect(toolName('getHTTPStatus')).toBe('get_http_status');
    expect([...tools.keys()]).toContain('upsert_contact');
  });

  it('serves self-contained, valid JSON Schemas (no $ref left, examples instead of OpenAPI example)', () => {
    const ajv = strictAjv();
    for (const { definition } of tools.values()) {
      for (const schema of [definition.inputSchema, definition.outputSchema]) {
        if (!schema) continue;
        const serialized = JSON.stringify(schema);
        expect(serialized, definition.name).not.toContain('$ref');
        expect(serialized, definition.name).not.toContain('"example"');
        expect(() => ajv.compile(schema), definition.name).not.toThrow();
      }
    }
  });

  it('takes path and query parameters and the body fields side by side, and validates real input', () => {
    const update = tools.get('update_contact')!;
    expect(update.body).toBe('flattened');
    expect(update.definition.inputSchema.required).toEqual(['id']);
    expect(Object.keys(update.definition.inputSchema.properties!)).toEqual(expect.arrayContaining(['id', 'email', 'consent', 'idempotencyKey']));

    const validate = strictAjv().compile(tools.get('batch_upsert_contacts')!.definition.inputSchema);
    expect(validate({ records: [{ sourceId: '1', email: 'a@example.com' }], idempotencyKey: 'k' })).toBe(true);
    expect(validate({ records: [] })).toBe(false);

    const search = tools.get('search_contacts')!;
    expect(search.body).toBe('none');
    expect(search.definition.inputSchema).toMatchObject({ additionalProperties: false, properties: { limit: { type: 'integer', maximum: 200 } } });
    expect(search.definition.inputSchema.properties).not.toHaveProperty('idempotencyKey');
    expect(tools.get('upsert_contact')!.definition.inputSchema.properties!.idempotencyKey).toMatchObject({ type: 'string', maxLength: 255 });
  });

  it('turns arguments into the API request: path encoded, query as text, body as JSON, Idempotency-Key header', () => {
    const update = toolRequest(tools.get('update_contact')!, { id: 'a/b c', firstName: 'Ada', idempotencyKey: 'k-1' });
    expect(update).toEqual({
      request: {
        method: 'PATCH',
        url: '/v1/contacts/a%2Fb%20c',
        query: {},
        headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' },
        payload: JSON.stringify({ firstName: 'Ada' }),
      },
    });
    const search = toolRequest(tools.get('search_contacts')!, { email: 'a@example.com', limit: 5, cursor: null });
    expect(search).toEqual({ request: { method: 'GET', url: '/v1/contacts', query: { email: 'a@example.com', limit: '5' }, headers: {} } });
  });

  it("refuses a path value that would resolve into another route ('.', '..', empty)", () => {
    for (const id of ['..', '.', '']) {
      expect(toolRequest(tools.get('get_contact')!, { id })).toEqual({ error: `id must be a value, not '${id}'.` });
    }
  });

  it('renders problem+json answers as readable tool errors', () => {
    const problem = {
      type: 'validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The contact cannot be normalized; see errors.',
      instance: '/v1/contacts/upsert',
      requestId: 'req_1',
      errors: [{ field: 'body.email', reason: "not an email address: no '@'" }],
    };
    const result = toolResult({ statusCode: 400, headers: { 'content-type': 'application/problem+json; charset=utf-8' }, body: JSON.stringify(problem) });
    expect(result).toEqual({
      isError: true,
      content: [
        {
          type: 'text',
          text: "Invalid request (400 validation): The contact cannot be normalized; see errors.\n- body.email: not an email address: no '@'\nRequest ID: req_1",
        },
      ],
    });
  });

  it('nests the body under `body` when a body field is named like a parameter', () => {
    const minimal: OpenApiDocument = {
      paths: {
        '/v1/ping': { get: { operationId: 'ping', summary: 'Ping', 'x-tajo-scope': 'read', 'x-workato-connection-test': true } },
        '/v1/things/{id}': {
          put: {
            operationId: 'replaceThing',
            summary: 'Replace a thing',
            'x-tajo-scope': 'write',
            'x-workato-action': { object: 'thing', verb: 'update' },
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          },
        },
      },
      components: { schemas: { Thing: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } }, required: ['name'] } } },
    };
    const replace = buildTools(minimal).get('replace_thing')!;
    expect(replace.body).toBe('nested');
    expect(replace.definition.inputSchema).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: { id: { type: 'string' }, body: minimal.components.schemas.Thing },
      required: ['id', 'body'],
    });
    expect(toolRequest(replace, { id: 't1', body: { id: 't2', name: 'Renamed' } })).toMatchObject({
      request: { method: 'PUT', url: '/v1/things/t1', payload: JSON.stringify({ id: 't2', name: 'Renamed' }) },
    });
  });

  it('inlines nested references and keeps recursive ones finite under $defs', () => {
    const components = {
      Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } }, example: { name: 'root' } },
      Tree: { type: 'object', properties: { root: { $ref: '#/components/schemas/Node' }, label: { $ref: '#/components/schemas/Label', description: 'Shown in lists.' } } },
      Label: { type: 'string', maxLength: 20 },
    };
    const tree = selfContainedSchema(components, { $ref: '#/components/schemas/Tree' });
    expect(tree).toEqual({
      type: 'object',
      properties: {
        root: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } }, examples: [{ name: 'root' }] },
        label: { description: 'Shown in lists.', allOf: [{ type: 'string', maxLength: 20 }] },
      },
      $defs: { Node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } }, examples: [{ name: 'root' }] } },
    });
    const validate = strictAjv().compile(tree);
    expect(validate({ root: { name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] }, label: 'ok' })).toBe(true);
    expect(validate({ root: { name: 'a', children: [{ name: 'b', children: [{ name: 3 }] }] } })).toBe(false);
    expect(() => selfContainedSchema(components, { $ref: '#/components/schemas/Missing' })).toThrow(/Missing is referenced but not defined/);
  });
});
