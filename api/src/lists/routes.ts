import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import { ZList, ZListInput, ZListPage, ZListSearchQuery, ZMembershipBatchResult, ZMembershipRequest } from './schemas.ts';
import type { MembershipOutcome } from './service.ts';

const TAGS = ['Lists'];
const ZDeleted = z
  .object({ id: z.uuid(), status: z.literal('deleted') })
  .meta({ id: 'ListDeletion', example: { id: '3b1f6c2a-8d4e-4f0a-9c7b-2e5d1a6f8b90', status: 'deleted' } });

function withCounts(results: MembershipOutcome[]) {
  const counts: Partial<Record<MembershipOutcome['status'], number>> = {};
  for (const result of results) counts[result.status] = (counts[result.status] ?? 0) + 1;
  return { results, counts };
}

export const listRoutes: FastifyPluginAsyncZod = async (app) => {
  const { lists } = app.services;

  app.post('/lists', {
    config: { scope: 'write' },
    schema: {
      operationId: 'createList',
      'x-workato-action': { object: 'list', verb: 'create' },
      summary: 'Create a list',
      description: 'Creates an empty list; answers 409 when the workspace already has a list of that name. The list is created in Brevo too.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZListInput,
      response: { 201: success(ZList, 'Created.'), ...errorResponses(409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await lists.create(request.auth.workspaceId, request.body.name)),
  });

  app.get('/lists', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchLists',
      'x-workato-action': { object: 'list', verb: 'search' },
      'x-workato-pick-list': { name: 'lists', label: 'name', value: 'id' },
      summary: 'Search lists',
      description: 'Lists in order of last update (oldest first), filtered by part of their name; page with `cursor`.',
      tags: TAGS,
      querystring: ZListSearchQuery,
      response: { 200: success(ZListPage, 'A page of lists and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => lists.search(request.auth.workspaceId, request.query),
  });

  app.get('/lists/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getList',
      'x-workato-action': { object: 'list', verb: 'get', pickLists: { id: 'lists' } },
      summary: 'Get a list',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZList, 'The list.'), ...errorResponses(404) },
    },
    handler: async (request) => lists.get(request.auth.workspaceId, request.params.id),
  });

  app.patch('/lists/:id', {
    config: { scope: 'write' },
    schema: {
      operationId: 'renameList',
      'x-workato-action': { object: 'list', verb: 'update', title: 'Rename list', pickLists: { id: 'lists' }, repeatable: true },
      summary: 'Rename a list',
      description: 'Renames the list here and in Brevo; answers 409 when another list of the workspace has that name.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZListInput,
      response: { 200: success(ZList, 'Renamed, or unchanged when the name is the same.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => lists.rename(request.auth.workspaceId, request.params.id, request.body.name),
  });

  app.delete('/lists/:id', {
    config: { scope: 'write' },
    schema: {
      operationId: 'deleteList',
      'x-workato-action': { object: 'list', verb: 'delete', pickLists: { id: 'lists' }, repeatable: true },
      summary: 'Delete a list',
      description: 'Deletes the list and its memberships (never the contacts), here and in Brevo.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZDeleted, 'Deleted.'), ...errorResponses(404, 422) },
    },
    handler: async (request) => lists.delete(request.auth.workspaceId, request.params.id),
  });

  app.post('/lists/:id/members/add', {
    config: { scope: 'write' },
    schema: {
      operationId: 'addListMembers',
      'x-workato-action': { object: 'list', verb: 'add_members', pickLists: { id: 'lists' }, repeatable: true },
      summary: 'Add contacts to a list',
      description:
        'Adds up to 1,000 contacts, named by Tajo ID or external ID. Each gets its own result (added, already_member, or rejected with index and reason); one bad reference never fails the batch.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZMembershipRequest,
      response: { 200: success(ZMembershipBatchResult, 'One result per reference, in request order, and the counts.'), ...errorResponses(404, 413, 422) },
    },
    handler: async (request) => withCounts(await lists.addMembers(request.auth.workspaceId, request.params.id, request.body.contacts)),
  });

  app.post('/lists/:id/members/remove', {
    config: { scope: 'write' },
    schema: {
      operationId: 'removeListMembers',
      'x-workato-action': { object: 'list', verb: 'remove_members', pickLists: { id: 'lists' }, repeatable: true },
      summary: 'Remove contacts from a list',
      description:
        'Removes up to 1,000 contacts, named by Tajo ID or external ID. Each gets its own result (removed, not_member, or rejected with index and reason); the contacts themselves stay.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZMembershipRequest,
      response: { 200: success(ZMembershipBatchResult, 'One result per reference, in request order, and the counts.'), ...errorResponses(404, 413, 422) },
    },
    handler: async (request) => withCounts(await lists.removeMembers(request.auth.workspaceId, request.params.id, request.body.contacts)),
  });
};
