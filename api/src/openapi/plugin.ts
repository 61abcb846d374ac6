import type { FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * Schemas that validate loosely at run time (a batch item is checked by the normalizer, record by
 * record) are documented as the schema they are meant to match: `.meta({ documentedAs: 'Id' })`.
 */
const zodToJsonConfig = {
  override: (ctx: { zodSchema: unknown; jsonSchema: Record<string, unknown> }) => {
    const meta = z.globalRegistry.get(ctx.zodSchema as z.ZodType) as { documentedAs?: string } | undefined;
    if (!meta?.documentedAs) return;
    for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
    ctx.jsonSchema.$ref = `#/components/schemas/${meta.documentedAs}`;
  },
};

const OPENAPI_INFO = {
  title: 'Tajo API',
  version,
  description:
    'Tajo receives records from Workato recipes (and reads Workato itself), normalizes them onto stable identities with a full audit trail, and activates the eligible data in Brevo. Every error is RFC 9457 application/problem+json; every mutating operation accepts an Idempotency-Key.',
};

type SchemaTransform = ReturnType<typeof createJsonSchemaTransform>;

/** Documents the scope each operation needs as `x-tajo-scope`, from the route's own declaration. */
function documentScope(transform: SchemaTransform): SchemaTransform {
  return (input) => {
    const transformed = transform(input);
    const scope = input.route.config?.scope;
    return scope ? { ...transformed, schema: { ...transformed.schema, 'x-tajo-scope': scope } } : transformed;
  };
}

export async function registerOpenApi(app: FastifyInstance) {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      servers: [{ url: 'http://127.0.0.1:3000', description: 'Local (npm start)' }],
      tags: [
        { name: 'Authentication', description: 'OAuth2 client credentials: an API key exchanged for an access token that works for an hour.' },
        { name: 'Workspace', description: 'The tenant an API key belongs to, and its settings.' },
        { name: 'API keys', description: 'Create, rotate and revoke API keys (admin scope).' },
        { name: 'Contacts', description: 'Normalized contacts under stable external IDs.' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A Tajo API key (tajo_…).' },
          bearer: { type: 'http', scheme: 'bearer', description: 'The same API key as a Bearer token.' },
          oauth2: {
            type: 'oauth2',
            description: 'An access token from POST /v1/oauth/token, as a Bearer token.',
            flows: { clientCredentials: { tokenUrl: '/v1/oauth/token', scopes: { read: 'Read.', write: 'Read and write.', admin: 'Everything: API keys, workspace settings, the Brevo connection, erasure.' } } },
          },
          oauthClient: { type: 'http', scheme: 'basic', description: "The token endpoint's client: an API key's ID and the key itself, as client_id:client_secret." },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }, { oauth2: [] }],
    },
    transform: documentScope(createJsonSchemaTransform({ zodToJsonConfig })),
    transformObject: createJsonSchemaTransformObject({ zodToJsonConfig }),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
}
