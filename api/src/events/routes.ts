import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import type { WriteContext } from '../contacts/service.ts';
import { ZEvent, ZEventBatchRequest, ZEventBatchResult, ZEventInput, ZEventNames, ZEventPage, ZEventSearchQuery, ZEventWriteResult } from './schemas.ts';

const TAGS = ['Events'];

const writeContext = (request: FastifyRequest): WriteContext => ({
  workspaceId: request.auth.workspaceId,
  settings: request.auth.settings,
  requestId: request.id,
});

export const eventRoutes: FastifyPluginAsyncZod = async (app) => {
  const { events } = app.services;

  app.post('/events', {
    config: { scope: 'write' },
    schema: {
      operationId: 'trackEvent',
      'x-workato-action': { object: 'event', verb: 'track', pickLists: { name: 'event_names' }, repeatable: true },
      summary: 'Track an event',
      description:
        'Records a custom event and sends it to Brevo once. Tracking the same event ID again with the same content answers `unchanged` and sends nothing; with different content, 409.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZEventInput,
      response: {
        200: success(ZEventWriteResult, 'Unchanged: this event was already tracked; the event as stored.'),
        201: success(ZEventWriteResult, 'Created: the event as normalized and stored.'),
        ...errorResponses(409, 413, 422),
      },
    },
    handler: async (request, reply) => {
      const tracked = await events.track(writeContext(request), request.body);
      return reply.code(tracked.result === 'created' ? 201 : 200).send(tracked);
    },
  });

  app.post('/events/batch', {
    config: { scope: 'write' },
    schema: {
      operationId: 'trackEvents',
      'x-workato-action': { object: 'event', verb: 'batch_track', batch: { records: 'events', results: 'results' }, repeatable: true },
      summary: 'Track events in a batch',
      description:
        'Tracks up to 1,000 events. Each gets its own result (created, unchanged, or rejected with index, field and reason); one bad event never fails the batch.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZEventBatchRequest,
      response: { 200: success(ZEventBatchResult, 'One result per event, in request order, and the counts.'), ...errorResponses(413, 422) },
    },
    handler: async (request) => {
      const { outcomes } = await events.trackMany(writeContext(request), request.body.events);
      const counts = { created: 0, unchanged: 0, rejected: 0 };
      for (const outcome of outcomes) counts[outcome.status] += 1;
      return { results: outcomes, counts };
    },
  });

  app.get('/events', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchEvents',
      'x-workato-action': { object: 'event', verb: 'search', pickLists: { name: 'event_names' } },
      'x-workato-trigger': { object: 'event', title: 'New event', since: 'receivedSince', timestamp: 'createdAt' },
      summary: 'Search events',
      description: 'Events in the order they occurred (oldest first), filtered by contact external ID, email, name or time; page with `cursor`.',
      tags: TAGS,
      querystring: ZEventSearchQuery,
      response: { 200: success(ZEventPage, 'A page of events and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => events.search(request.auth.workspaceId, request.query),
  });

  app.get('/events/names', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listEventNames',
      'x-workato-pick-list': { name: 'event_names', label: 'name', value: 'name' },
      summary: 'List event names',
      description: 'The names of the events tracked in this workspace, alphabetically, with how many and when the last arrived (fills pick lists).',
      tags: TAGS,
      response: { 200: success(ZEventNames, 'Every event name in use.'), ...errorResponses() },
    },
    handler: async (request) => ({ data: await events.names(request.auth.workspaceId) }),
  });

  app.get('/events/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getEvent',
      'x-workato-action': { object: 'event', verb: 'get' },
      summary: 'Get an event',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZEvent, 'The event.'), ...errorResponses(404) },
    },
    handler: async (request) => events.get(request.auth.workspaceId, request.params.id),
  });
};
