import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import {
  ZCreatedWebhookSubscription,
  ZNewWebhookSubscription,
  ZWebhookDeliveryPage,
  ZWebhookDeliverySearchQuery,
  ZWebhookSubscription,
  ZWebhookSubscriptionDeletion,
  ZWebhookSubscriptionPage,
  ZWebhookSubscriptionSearchQuery,
} from './schemas.ts';

const TAGS = ['Webhooks'];

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const { webhooks } = app.services;

  app.post('/webhooks', {
    config: { scope: 'write', notReplayed: ['secret'] },
    schema: {
      operationId: 'createWebhookSubscription',
      'x-workato-webhooks': {
        unsubscribe: 'deleteWebhookSubscription',
        triggers: [
          { object: 'contact', title: 'New or updated contact (real time)', events: ['contact.created', 'contact.updated'], schema: 'Contact', timestamp: 'updatedAt' },
          { object: 'event', title: 'New event (real time)', events: ['event.tracked'], schema: 'Event', timestamp: 'createdAt' },
          { object: 'dead_letter', title: 'New dead letter (real time)', events: ['dead_letter.created'], schema: 'DeadLetter', timestamp: 'createdAt' },
        ],
      },
      summary: 'Subscribe a callback URL to events',
      description:
        'Tajo POSTs each event of the chosen types to the URL, signed with the secret in this response (Standard Webhooks headers), and retries with exponential backoff for about eight hours while the callback answers 408, 429, 5xx or not at all. Another 4xx fails the delivery; 410 Gone also disables the subscription.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZNewWebhookSubscription,
      response: { 201: success(ZCreatedWebhookSubscription, 'Subscribed: the subscription and, this once, its signing secret.'), ...errorResponses(409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await webhooks.create(request.auth.workspaceId, request.body)),
  });

  app.get('/webhooks', {
    // A callback URL is a recipe's secret: reading it takes the scope that sets it.
    config: { scope: 'write' },
    schema: {
      operationId: 'searchWebhookSubscriptions',
      'x-workato-skip': "Subscriptions are made and removed by the connector's real-time triggers when a recipe starts and stops.",
      summary: 'Search webhook subscriptions',
      description: 'Subscriptions in order of creation (oldest first); page with `cursor`. Secrets are never shown again.',
      tags: TAGS,
      querystring: ZWebhookSubscriptionSearchQuery,
      response: { 200: success(ZWebhookSubscriptionPage, 'A page of subscriptions and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => webhooks.search(request.auth.workspaceId, request.query),
  });

  app.get('/webhooks/:id', {
    // A callback URL is a recipe's secret: reading it takes the scope that sets it.
    config: { scope: 'write' },
    schema: {
      operationId: 'getWebhookSubscription',
      'x-workato-skip': "Subscriptions are made and removed by the connector's real-time triggers when a recipe starts and stops.",
      summary: 'Get a webhook subscription',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZWebhookSubscription, 'The subscription, without its secret.'), ...errorResponses(404) },
    },
    handler: async (request) => webhooks.get(request.auth.workspaceId, request.params.id),
  });

  app.delete('/webhooks/:id', {
    config: { scope: 'write' },
    schema: {
      operationId: 'deleteWebhookSubscription',
      'x-workato-skip': "The real-time triggers call it to unsubscribe when a recipe stops; not a recipe step.",
      summary: 'Unsubscribe',
      description: 'Deletes the subscription and its delivery history. Once this answers, no delivery to it is started again, queued or retrying ones included.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZWebhookSubscriptionDeletion, 'Deleted.'), ...errorResponses(404, 422) },
    },
    handler: async (request) => webhooks.delete(request.auth.workspaceId, request.params.id),
  });

  app.get('/webhooks/:id/deliveries', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchWebhookDeliveries',
      'x-workato-skip': 'Delivery history is for operators (API or CLI), not a recipe step.',
      summary: 'Search the deliveries of a subscription',
      description: 'Notifications sent or to send to the subscription, oldest first, with their status, attempts and last outcome; filter by status and creation time, page with `cursor`.',
      tags: TAGS,
      params: ZIdParams,
      querystring: ZWebhookDeliverySearchQuery,
      response: { 200: success(ZWebhookDeliveryPage, 'A page of deliveries and the cursor of the next one.'), ...errorResponses(404) },
    },
    handler: async (request) => webhooks.deliveries(request.auth.workspaceId, request.params.id, request.query),
  });
};
