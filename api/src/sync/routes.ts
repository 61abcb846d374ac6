import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import { ZNewSyncJob, ZSyncJob, ZSyncJobPage, ZSyncJobReplay, ZSyncJobSearchQuery } from './schemas.ts';

const TAGS = ['Sync jobs'];
const SKIP = "Backfills and incremental sync are an operator's decision (API, CLI, operator page), not recipe steps.";

export const syncJobRoutes: FastifyPluginAsyncZod = async (app) => {
  const { syncJobs } = app.services;

  app.post('/sources/:id/sync-jobs', {
    config: { scope: 'write' },
    schema: {
      operationId: 'startSyncJob',
      'x-workato-skip': SKIP,
      summary: 'Start a backfill or incremental job',
      description:
        "Starts a job of the source, from the beginning or from `from` (a replay: what it reads again comes back unchanged, and nothing reaches Brevo twice). At most one job of each kind is active per source (409 otherwise). Refused (409) until the source's smoke test passes and backfillEnabled is set.",
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZNewSyncJob,
      response: { 202: success(ZSyncJob, 'Started: the workers run it.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(202).send(await syncJobs.start(request.auth.workspaceId, request.params.id, request.body.kind, request.body.from)),
  });

  app.get('/sync-jobs', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchSyncJobs',
      'x-workato-skip': SKIP,
      summary: 'Search sync jobs',
      description: 'Jobs in order of start, filtered by source, kind and status; page with `cursor`.',
      tags: TAGS,
      querystring: ZSyncJobSearchQuery,
      response: { 200: success(ZSyncJobPage, 'A page of jobs and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => syncJobs.search(request.auth.workspaceId, request.query),
  });

  app.get('/sync-jobs/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getSyncJob',
      'x-workato-skip': SKIP,
      summary: 'Get a sync job',
      description: 'Its status, progress (pages, records seen, created, updated, unchanged, dead-lettered, reads) and cursor.',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZSyncJob, 'The job.'), ...errorResponses(404) },
    },
    handler: async (request) => syncJobs.get(request.auth.workspaceId, request.params.id),
  });

  const transitions = [
    ['pause', 'pauseSyncJob', 'Pause a sync job', 'The job stops after the page in hand; its cursor stays where that page left it.', (workspaceId: string, id: string) => syncJobs.pause(workspaceId, id)],
    ['resume', 'resumeSyncJob', 'Resume a sync job', 'The job goes on from its cursor.', (workspaceId: string, id: string) => syncJobs.resume(workspaceId, id)],
    ['cancel', 'cancelSyncJob', 'Cancel a sync job', 'The job stops for good after the page in hand; start or replay another to read again.', (workspaceId: string, id: string) => syncJobs.cancel(workspaceId, id)],
  ] as const;
  for (const [verb, operationId, summary, description, act] of transitions) {
    app.post(`/sync-jobs/:id/${verb}`, {
      config: { scope: 'write' },
      schema: {
        operationId,
        'x-workato-skip': SKIP,
        summary,
        description,
        tags: TAGS,
        headers: ZIdempotencyHeaders,
        params: ZIdParams,
        response: { 200: success(ZSyncJob, 'The job in its new state.'), ...errorResponses(404, 409, 422) },
      },
      handler: async (request) => act(request.auth.workspaceId, request.params.id),
    });
  }

  app.post('/sync-jobs/:id/replay', {
    config: { scope: 'write' },
    schema: {
      operationId: 'replaySyncJob',
      'x-workato-skip': SKIP,
      summary: 'Replay a sync job',
      description: "Starts a new job of the same source and kind from `from` (by default where this one started). The job must no longer be active. Records read again come back unchanged: Brevo gets nothing twice.",
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZSyncJobReplay,
      response: { 202: success(ZSyncJob, 'The new job.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(202).send(await syncJobs.replay(request.auth.workspaceId, request.params.id, request.body.from)),
  });
};
