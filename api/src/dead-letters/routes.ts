import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import { ZDeadLetter, ZDeadLetterDiscard, ZDeadLetterPage, ZDeadLetterRetry, ZDeadLetterSearchQuery } from './schemas.ts';

const TAGS = ['Dead letters'];

export const deadLetterRoutes: FastifyPluginAsyncZod = async (app) => {
  const { deadLetters } = app.services;

  app.get('/dead-letters', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchDeadLetters',
      'x-workato-action': { object: 'dead_letter', verb: 'search' },
      'x-workato-trigger': { object: 'dead_letter', title: 'New dead letter', since: 'since', timestamp: 'createdAt' },
      summary: 'Search dead letters',
      description: 'Records Brevo refused for good or that ran out of retries, oldest first, filtered by category, status and creation time; page with `cursor`.',
      tags: TAGS,
      querystring: ZDeadLetterSearchQuery,
      response: { 200: success(ZDeadLetterPage, 'A page of dead letters and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => deadLetters.search(request.auth.workspaceId, request.query),
  });

  app.get('/dead-letters/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getDeadLetter',
      'x-workato-action': { object: 'dead_letter', verb: 'get' },
      summary: 'Get a dead letter',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZDeadLetter, 'The dead letter, with the request Tajo sent and the answer it got.'), ...errorResponses(404) },
    },
    handler: async (request) => deadLetters.get(request.auth.workspaceId, request.params.id),
  });

  app.post('/dead-letters/:id/retry', {
    config: { scope: 'write' },
    schema: {
      operationId: 'retryDeadLetter',
      'x-workato-action': { object: 'dead_letter', verb: 'retry', repeatable: true },
      summary: 'Retry a dead letter',
      description:
        "Re-runs activation with the record's current data in Tajo, once: a letter already retried answers `already_retried` and queues nothing, with or without an Idempotency-Key. A discarded letter, or one whose record is gone from Tajo, cannot be retried (409).",
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZDeadLetterRetry, 'Queued for activation again and marked retried, by this request or an earlier one (see result).'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => deadLetters.retry(request.auth.workspaceId, request.params.id),
  });

  app.post('/dead-letters/:id/discard', {
    config: { scope: 'write' },
    schema: {
      operationId: 'discardDeadLetter',
      'x-workato-action': { object: 'dead_letter', verb: 'discard', repeatable: true },
      summary: 'Discard a dead letter',
      description:
        'Marks it handled without activating the record; it stays for audit. A letter already discarded answers `already_discarded`, with or without an Idempotency-Key; a retried one cannot be discarded (409).',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZDeadLetterDiscard, 'Discarded, by this request or an earlier one (see result).'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => deadLetters.discard(request.auth.workspaceId, request.params.id),
  });
};
