import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import { ZCampaignDraft, ZCampaignDraftInput } from './schemas.ts';

const TAGS = ['Campaigns'];

export const campaignRoutes: FastifyPluginAsyncZod = async (app) => {
  const { campaignDrafts } = app.services;

  app.post('/campaigns/drafts', {
    config: { scope: 'write' },
    schema: {
      operationId: 'createCampaignDraft',
      'x-workato-action': { object: 'campaign_draft', verb: 'create' },
      summary: 'Prepare a campaign draft in Brevo',
      description:
        "Queues an email campaign draft aimed at a Tajo list (its Brevo list is created if needed). The draft gets a deterministic name in Brevo, so a retried creation finds it instead of making another; nothing is sent or scheduled. Send with an Idempotency-Key to make your own retries safe.",
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZCampaignDraftInput,
      response: { 202: success(ZCampaignDraft, 'Accepted: queued for creation in Brevo.'), ...errorResponses(409, 422) },
    },
    handler: async (request, reply) => reply.code(202).send(await campaignDrafts.create(request.auth.workspaceId, request.body)),
  });

  app.get('/campaigns/drafts/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getCampaignDraft',
      'x-workato-action': { object: 'campaign_draft', verb: 'get' },
      summary: 'Get a campaign draft',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZCampaignDraft, 'The draft and where its creation in Brevo stands.'), ...errorResponses(404) },
    },
    handler: async (request) => campaignDrafts.get(request.auth.workspaceId, request.params.id),
  });
};
