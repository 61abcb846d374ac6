import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import type { ApiKeyService } from './service.ts';
import { ZApiKey, ZCreatedApiKey, ZNewApiKey, ZRotateApiKey } from './schemas.ts';

const TAGS = ['API keys'];

type KeyRow = Awaited<ReturnType<ApiKeyService['get']>>;

const present = (key: KeyRow) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  scopes: key.scopes,
  rotatedFromId: key.rotatedFromId,
  createdAt: key.createdAt.toISOString(),
  expiresAt: key.expiresAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
});

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  const { apiKeys } = app.services;

  app.get('/api-keys', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'listApiKeys',
      'x-workato-skip': 'API keys are managed by administrators, never from a recipe that holds one.',
      summary: 'List API keys',
      tags: TAGS,
      response: { 200: success(z.object({ data: z.array(ZApiKey) }), 'Every key of the workspace, revoked ones included; never the secrets.'), ...errorResponses() },
    },
    handler: async (request) => ({ data: (await apiKeys.list(request.auth.workspaceId)).map(present) }),
  });

  app.post('/api-keys', {
    config: { scope: 'admin', notReplayed: ['secret'] },
    schema: {
      operationId: 'createApiKey',
      'x-workato-skip': 'API keys are managed by administrators, never from a recipe that holds one.',
      summary: 'Create an API key',
      description: 'The secret is in this response only; Tajo stores a hash.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZNewApiKey,
      response: { 201: success(ZCreatedApiKey, 'The new key and, this once, its secret.'), ...errorResponses(409, 422) },
    },
    handler: async (request, reply) => {
      const created = await apiKeys.create(request.auth.workspaceId, request.body);
      return reply.code(201).send({ apiKey: present(created.apiKey), secret: created.secret });
    },
  });

  app.post('/api-keys/:id/rotate', {
    config: { scope: 'admin', notReplayed: ['secret'] },
    schema: {
      operationId: 'rotateApiKey',
      'x-workato-skip': 'API keys are managed by administrators, never from a recipe that holds one.',
      summary: 'Rotate an API key',
      description: 'Creates a replacement with the same name and scopes. The old key stays valid until revoked, or until the optional grace period ends.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZRotateApiKey.nullish(),
      response: { 201: success(ZCreatedApiKey, 'The replacement key and, this once, its secret.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request, reply) => {
      const created = await apiKeys.rotate(request.auth.workspaceId, request.params.id, request.body?.oldKeyExpiresInSeconds);
      return reply.code(201).send({ apiKey: present(created.apiKey), secret: created.secret });
    },
  });

  app.delete('/api-keys/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'revokeApiKey',
      'x-workato-skip': 'API keys are managed by administrators, never from a recipe that holds one.',
      summary: 'Revoke an API key',
      description: 'The key stops working at once. Revoking a revoked key changes nothing.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZApiKey, 'The key, now revoked.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => present(await apiKeys.revoke(request.auth.workspaceId, request.params.id)),
  });
};
