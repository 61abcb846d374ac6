import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../scripts/generate-openapi.ts';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  'x-workato-token'?: true;
  responses: Record<string, { description: string; content?: Record<string, unknown> }>;
}

describe('openapi/openapi.json', () => {
  it('is exactly what the route schemas generate (run npm run generate after changing a route)', async () => {
    const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    expect(await renderOpenApi()).toBe(committed);
  });

  it('is OpenAPI 3.1 and every operation has an operationId, summary, tag and problem+json errors', async () => {
    const spec = JSON.parse(await renderOpenApi()) as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(spec.openapi).toBe('3.1.0');
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const ids = new Set<string>();
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(op.operationId!), `${where} reuses ${op.operationId}`).toBe(false);
      ids.add(op.operationId!);
      expect(op.summary, where).toBeTruthy();
      expect(op.tags?.length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(response.description, `${where} ${status} needs a description of its own`).not.toBe('Default Response');
      }
      if (path.startsWith('/v1/')) {
        // The token endpoint authenticates its client and checks no scope: it never answers 403.
        const statuses = op['x-workato-token'] ? ['400', '401', '500'] : ['400', '401', '403', '500'];
        for (const status of statuses) {
          expect(op.responses[status]?.content?.['application/problem+json'], `${where} ${status}`).toBeDefined();
        }
      }
    }
    expect(ids).toContain('batchUpsertContacts');
  });

  it('documents batch items as ContactRecord even though they are validated record by record', async () => {
    const spec = JSON.parse(await renderOpenApi()) as { components: { schemas: Record<string, { properties: { records: { items: unknown } } }> } };
    expect(spec.components.schemas.ContactBatchRequestInput!.properties.records.items).toEqual({ $ref: '#/components/schemas/ContactRecordInput' });
  });
});
