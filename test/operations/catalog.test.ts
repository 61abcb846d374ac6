/** The token endpoint in the operation catalog: placed without a route scope, and only once. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogError, readCatalog, type OpenApiDocument } from '../../api/src/operations/catalog.ts';

const specText = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');

/** The committed spec with a token endpoint at each path given (public: no x-tajo-scope). */
function specWithTokenEndpoints(...paths: string[]): OpenApiDocument {
  const document = JSON.parse(specText) as OpenApiDocument;
  for (const [index, path] of paths.entries()) {
    document.paths[path] = { post: { operationId: `issueAccessToken${index || ''}`, summary: 'Issue an access token', tags: ['Authentication'], 'x-workato-token': true, responses: {} } };
  }
  return document;
}

describe('the token endpoint in the catalog', () => {
  it('is placed without a route scope, as read (every key holds it); no other operation is a token endpoint', () => {
    const catalog = readCatalog(specWithTokenEndpoints('/v1/oauth/token'));
    const tokens = catalog.operations.filter((operation) => operation.tokenEndpoint);
    expect(tokens.map(({ operationId, scope, action, trigger }) => ({ operationId, scope, action, trigger }))).toEqual([
      { operationId: 'issueAccessToken', scope: 'read', action: undefined, trigger: undefined },
    ]);
  });

  it('still refuses any other operation without a scope', () => {
    const document = specWithTokenEndpoints('/v1/oauth/token');
    delete document.paths['/v1/contacts/upsert']!.post!['x-tajo-scope'];
    expect(() => readCatalog(document)).toThrowError(/upsertContact: x-tajo-scope is missing or unknown/);
  });

  it('refuses a second token endpoint', () => {
    let error: unknown;
    try {
      readCatalog(specWithTokenEndpoints('/v1/oauth/token', '/v1/oauth/token2'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).problems).toEqual(['at most one operation may be the token endpoint (x-workato-token); found issueAccessToken, issueAccessToken1']);
  });
});
