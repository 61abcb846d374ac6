import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import { ZHintStats } from '../hints/schemas.ts';
import {
  ZHintSecret,
  ZHintSecretRotation,
  ZMappingPreview,
  ZMappingPreviewRequest,
  ZNewSource,
  ZSource,
  ZSourcePage,
  ZSourceSearchQuery,
  ZSourceUpdate,
  smokeTestFailedResponse,
} from './schemas.ts';

const TAGS = ['Sources'];
const SKIP = 'Sources are operator configuration (API, CLI, operator page), and carry Workato credentials: not recipe steps.';

export const sourceRoutes: FastifyPluginAsyncZod = async (app) => {
  const { sources, hints } = app.services;

  app.post('/sources', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'createSource',
      'x-workato-skip': SKIP,
      summary: 'Add a Workato source',
      description:
        'Stores the source (credentials encrypted at rest) and runs its credential smoke test: a harmless authenticated read, or for an MCP server its tool list, which must hold the configured tools. Asking for backfillEnabled or hintsEnabled when the smoke test fails answers 422 naming what failed (authentication, permission, missing_tool, not_found, unreachable), and nothing is saved.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZNewSource,
      response: { 201: success(ZSource, 'Created, with the outcome of its smoke test.'), ...errorResponses(409), 422: smokeTestFailedResponse },
    },
    handler: async (request, reply) => reply.code(201).send(await sources.create(request.auth.workspaceId, request.body)),
  });

  app.get('/sources', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchSources',
      'x-workato-skip': SKIP,
      summary: 'List sources',
      description: 'Sources in order of creation; page with `cursor`. Credentials are never shown.',
      tags: TAGS,
      querystring: ZSourceSearchQuery,
      response: { 200: success(ZSourcePage, 'A page of sources and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => sources.search(request.auth.workspaceId, request.query),
  });

  app.get('/sources/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getSource',
      'x-workato-skip': SKIP,
      summary: 'Get a source',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZSource, 'The source.'), ...errorResponses(404) },
    },
    handler: async (request) => sources.get(request.auth.workspaceId, request.params.id),
  });

  app.patch('/sources/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateSource',
      'x-workato-skip': SKIP,
      summary: 'Update a source',
      description: 'Changes credentials, settings, mapping or switches. A change of credentials or settings runs the smoke test again; enabling backfill or hints is refused (422) until it passes. A mapping change applies to the pages read after it.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZSourceUpdate,
      response: { 200: success(ZSource, 'The updated source.'), ...errorResponses(404), 422: smokeTestFailedResponse },
    },
    handler: async (request) => sources.update(request.auth.workspaceId, request.params.id, request.body),
  });

  app.delete('/sources/:id', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'deleteSource',
      'x-workato-skip': SKIP,
      summary: 'Delete a source',
      description: 'Removes the source with its sync jobs, stored payloads and hints. The contacts and events it brought stay.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(z.object({ id: z.uuid(), deleted: z.literal(true) }).meta({ id: 'SourceDeletion' }), 'Deleted.'), ...errorResponses(404, 422) },
    },
    handler: async (request) => {
      await sources.delete(request.auth.workspaceId, request.params.id);
      return { id: request.params.id, deleted: true as const };
    },
  });

  app.post('/sources/:id/smoke-test', {
    config: { scope: 'write' },
    schema: {
      operationId: 'smokeTestSource',
      'x-workato-skip': SKIP,
      summary: "Run a source's smoke test",
      description: 'Checks the credentials and configuration again (a harmless read) and records the outcome.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZSource, 'The source with the new outcome.'), ...errorResponses(404, 422) },
    },
    handler: async (request) => sources.smokeTest(request.auth.workspaceId, request.params.id),
  });

  app.post('/sources/:id/mapping/preview', {
    config: { scope: 'read' },
    schema: {
      operationId: 'previewSourceMapping',
      'x-workato-skip': SKIP,
      summary: 'Preview a mapping',
      description: "Maps the source's most recently stored payloads with the given mapping and shows the contacts, events and Tajo-only fields it would make, and what it would dead-letter. Nothing is saved.",
      tags: TAGS,
      params: ZIdParams,
      body: ZMappingPreviewRequest,
      response: { 200: success(ZMappingPreview, 'What the mapping makes of each stored payload.'), ...errorResponses(404) },
    },
    handler: async (request) => sources.previewMapping(request.auth.workspaceId, request.auth.settings, request.params.id, request.body.mapping, request.body.limit),
  });

  app.get('/sources/:id/hint-secret', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'getSourceHintSecret',
      'x-workato-skip': SKIP,
      summary: "Get a source's hint-signing secret",
      description: 'The secret Workato signs webhook hints with (Standard Webhooks), to configure the sending recipe.',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZHintSecret, 'The current secret.'), ...errorResponses(404) },
    },
    handler: async (request) => sources.currentHintSecret(request.auth.workspaceId, request.params.id),
  });

  app.post('/sources/:id/hint-secret/rotate', {
    config: { scope: 'admin', notReplayed: ['secret'] },
    schema: {
      operationId: 'rotateSourceHintSecret',
      'x-workato-skip': SKIP,
      summary: "Rotate a source's hint-signing secret",
      description: 'Makes a new secret; hints signed with the previous ones are still accepted until the overlap ends, so the sender can switch without losing any.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZHintSecretRotation,
      response: { 200: success(ZHintSecret, 'The new secret, shown only now.'), ...errorResponses(404, 422) },
    },
    handler: async (request) => sources.rotateHintSecret(request.auth.workspaceId, request.params.id, request.body.overlapSeconds),
  });

  app.get('/sources/:id/hint-stats', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getSourceHintStats',
      'x-workato-skip': SKIP,
      summary: "Count a source's webhook hints",
      description: 'Hints accepted (and what their refetch found) and refused, by reason: bad signature, stale timestamp, malformed body, duplicate webhook-id.',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZHintStats, 'The counts.'), ...errorResponses(404) },
    },
    handler: async (request) => hints.stats(request.auth.workspaceId, request.params.id),
  });
};
