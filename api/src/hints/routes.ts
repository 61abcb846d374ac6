import { validatorCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success } from '../http/schemas.ts';
import { ZHint, ZHintAccepted, ZHintHeaders, ZHintParams } from './schemas.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as received: a Standard Webhooks signature covers these exact bytes. */
    rawBody?: string;
  }
}

/**
 * Webhook hints, outside the API-key scope: Workato signs them with the source's secret instead.
 * The JSON parser of this scope keeps the raw body for the signature check.
 */
export const hintRoutes: FastifyPluginAsyncZod = async (app) => {
  const { hints } = app.services;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    // Parsed again (and validated) once the signature holds; a body that is not JSON is still signed bytes.
    done(null, {});
  });

  app.post('/sources/:id/hints', {
    schema: {
      operationId: 'receiveWebhookHint',
      'x-workato-skip': 'Workato calls it directly, signed with the source secret; recipes do not.',
      summary: 'Receive a webhook hint',
      description:
        "A signed hint (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature over id, timestamp and the raw body, HMAC-SHA256 with the source's secret; 5 minutes of tolerance) that a Workato record changed. Answered at once: Tajo refetches the canonical record from Workato before writing anything. A repeated webhook-id is acknowledged and ignored. Bad signatures and stale timestamps get 401 and are counted.",
      tags: ['Sources'],
      security: [],
      headers: ZHintHeaders,
      params: ZHintParams,
      body: ZHint,
      response: {
        202: success(ZHintAccepted, 'Accepted: the refetch is queued (or the hint was a duplicate).'),
        ...errorResponses(404, 409),
      },
    },
    // The body schema documents the hint; the service checks it once the signature holds.
    validatorCompiler: (route) => (route.httpPart === 'body' ? (value: unknown) => ({ value }) : validatorCompiler(route as unknown as Parameters<typeof validatorCompiler>[0])),
    handler: async (request, reply) =>
      reply.code(202).send(await hints.receive({ sourceId: request.params.id, headers: request.headers, rawBody: request.rawBody ?? '' })),
  });
};
