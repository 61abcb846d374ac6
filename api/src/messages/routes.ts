import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import { ZMessage, ZTransactionalMessageInput } from './schemas.ts';

const TAGS = ['Messages'];

export const messageRoutes: FastifyPluginAsyncZod = async (app) => {
  const { messages } = app.services;

  app.post('/messages/transactional', {
    config: { scope: 'write' },
    schema: {
      operationId: 'sendTransactionalMessage',
      'x-workato-action': { object: 'transactional_email', verb: 'send' },
      summary: 'Send a transactional email',
      description:
        "Queues an email from a Brevo template to one contact's address. Brevo gets the message's ID as its idempotency key, so retries inside Tajo never deliver it twice; send the request with an Idempotency-Key to make your own retries safe too.",
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZTransactionalMessageInput,
      response: { 202: success(ZMessage, 'Accepted: queued for sending.'), ...errorResponses(409, 422) },
    },
    handler: async (request, reply) => reply.code(202).send(await messages.sendTransactional(request.auth.workspaceId, request.body)),
  });

  app.get('/messages/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getMessage',
      'x-workato-action': { object: 'transactional_email', verb: 'get' },
      summary: 'Get a message',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZMessage, 'The message and where its sending stands.'), ...errorResponses(404) },
    },
    handler: async (request) => messages.get(request.auth.workspaceId, request.params.id),
  });
};
