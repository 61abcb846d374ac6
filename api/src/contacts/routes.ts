import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { errorResponses, success, ZIdempotencyHeaders, ZIdParams } from '../http/schemas.ts';
import {
  ZContact,
  ZContactAttributes,
  ZContactBatchRequest,
  ZContactBatchResult,
  ZContactDeletion,
  ZContactInput,
  ZContactLookupQuery,
  ZContactPage,
  ZContactPatch,
  ZContactSearchQuery,
  ZContactWriteResult,
} from './schemas.ts';
import type { RecordOutcome, WriteContext } from './service.ts';

const TAGS = ['Contacts'];

/** Who writes: the request's workspace, its settings and the request ID (kept with each version). */
export const writeContext = (request: FastifyRequest): WriteContext => ({
  workspaceId: request.auth.workspaceId,
  settings: request.auth.settings,
  requestId: request.id,
});

function countOutcomes(results: RecordOutcome[]) {
  const counts = { created: 0, updated: 0, unchanged: 0, stale: 0, rejected: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

export const contactRoutes: FastifyPluginAsyncZod = async (app) => {
  const { contacts } = app.services;

  app.post('/contacts', {
    config: { scope: 'write' },
    schema: {
      operationId: 'createContact',
      'x-workato-action': { object: 'contact', verb: 'create' },
      summary: 'Create a contact',
      description: 'Creates a contact; answers 409 when one with the same external ID exists (use upsert to create or update).',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZContactInput,
      response: { 201: success(ZContactWriteResult, 'Created: the contact as normalized and stored.'), ...errorResponses(409, 413, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await contacts.create(writeContext(request), request.body)),
  });

  app.post('/contacts/upsert', {
    config: { scope: 'write' },
    schema: {
      operationId: 'upsertContact',
      'x-workato-action': { object: 'contact', verb: 'upsert', repeatable: true },
      summary: 'Upsert a contact',
      description:
        'Creates the contact, or merges into the one with the same external ID: a field left out keeps its value, null clears it, attributes merge by name and consent by channel. ' +
        'Each field applies only when its source time (`sourceUpdatedAt`, else arrival) is newer than the stored one. An identical re-send answers `unchanged`, an older one `stale`; neither queues work.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZContactInput,
      response: {
        200: success(ZContactWriteResult, 'Updated, unchanged (identical to what Tajo had) or stale (older than what Tajo holds): the contact as stored.'),
        201: success(ZContactWriteResult, 'Created: the contact as normalized and stored.'),
        ...errorResponses(413, 422),
      },
    },
    handler: async (request, reply) => {
      const written = await contacts.upsert(writeContext(request), request.body);
      return reply.code(written.result === 'created' ? 201 : 200).send(written);
    },
  });

  app.post('/contacts/batch', {
    config: { scope: 'write' },
    bodyLimit: app.initialConfig.bodyLimit,
    schema: {
      operationId: 'batchUpsertContacts',
      'x-workato-action': { object: 'contact', verb: 'batch_upsert', batch: { records: 'records', results: 'results' }, repeatable: true },
      summary: 'Batch upsert contacts',
      description:
        'Upserts up to 1,000 contacts, each merged as the single upsert does. Each record gets its own result (created, updated, unchanged, stale, or rejected with index, field and reason); one bad record never fails the batch.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZContactBatchRequest,
      response: { 200: success(ZContactBatchResult, 'One result per record, in request order, and the counts.'), ...errorResponses(413, 422) },
    },
    handler: async (request) => {
      const results = await contacts.upsertMany(writeContext(request), request.body.records);
      return { results, counts: countOutcomes(results) };
    },
  });

  app.get('/contacts', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchContacts',
      'x-workato-action': { object: 'contact', verb: 'search', pickLists: { attribute: 'contact_attributes' } },
      'x-workato-trigger': { object: 'contact', title: 'New or updated contact', since: 'updatedSince', timestamp: 'updatedAt' },
      summary: 'Search contacts',
      description: 'Contacts in order of last update (oldest first), filtered by email, external ID or update time; page with `cursor`.',
      tags: TAGS,
      querystring: ZContactSearchQuery,
      response: { 200: success(ZContactPage, 'A page of contacts and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => contacts.search(request.auth.workspaceId, request.query),
  });

  app.get('/contacts/attributes', {
    config: { scope: 'read' },
    schema: {
      operationId: 'listContactAttributes',
      summary: 'List contact attributes',
      description: 'The custom attribute names in use on live contacts, alphabetically, with their value type and how many contacts have them (fills pick lists).',
      tags: TAGS,
      'x-workato-pick-list': { name: 'contact_attributes', label: 'name', value: 'name' },
      response: { 200: success(ZContactAttributes, 'Every custom attribute in use.'), ...errorResponses() },
    },
    handler: async (request) => ({ data: await contacts.attributeNames(request.auth.workspaceId) }),
  });

  app.get('/contacts/lookup', {
    config: { scope: 'read' },
    schema: {
      operationId: 'lookupContact',
      'x-workato-action': { object: 'contact', verb: 'get', title: 'Get contact by external ID or email' },
      summary: 'Get a contact by external ID or email',
      description: 'Give exactly one of `externalId` or `email`. When several contacts share an email, the most recently updated one is returned.',
      tags: TAGS,
      querystring: ZContactLookupQuery,
      response: { 200: success(ZContact, 'The contact.'), ...errorResponses(404) },
    },
    handler: async (request) => contacts.lookup(request.auth.workspaceId, request.query),
  });

  app.get('/contacts/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getContact',
      'x-workato-action': { object: 'contact', verb: 'get' },
      summary: 'Get a contact',
      tags: TAGS,
      params: ZIdParams,
      response: { 200: success(ZContact, 'The contact.'), ...errorResponses(404) },
    },
    handler: async (request) => contacts.get(request.auth.workspaceId, request.params.id),
  });

  app.patch('/contacts/:id', {
    config: { scope: 'write' },
    schema: {
      operationId: 'updateContact',
      'x-workato-action': { object: 'contact', verb: 'update', repeatable: true },
      summary: 'Update a contact',
      description: 'Changes only the fields given; null clears a field. The external ID, source and source ID cannot change.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      body: ZContactPatch,
      response: { 200: success(ZContactWriteResult, 'Updated, or unchanged: the contact as stored.'), ...errorResponses(404, 409, 413, 422) },
    },
    handler: async (request) => contacts.update(writeContext(request), request.params.id, request.body),
  });

  app.delete('/contacts/:id', {
    config: { scope: 'write' },
    schema: {
      operationId: 'deleteContact',
      'x-workato-action': { object: 'contact', verb: 'delete', repeatable: true },
      summary: 'Delete a contact',
      description: 'Soft delete: the contact disappears from reads and its deletion is activated downstream; its history is kept for audit. Upserting it again brings it back.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZContactDeletion, 'Deleted (soft): hidden from reads, kept for audit.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => contacts.softDelete(writeContext(request), request.params.id),
  });

  app.post('/contacts/:id/erasure', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'eraseContact',
      'x-workato-action': { object: 'contact', verb: 'delete', title: 'Erase contact (GDPR)', repeatable: true },
      summary: 'Erase a contact (GDPR)',
      description: 'Hard delete for a right-to-erasure request: removes the contact, every stored payload and version, and stored responses that quote it. Only the fact of the erasure is kept.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZIdParams,
      response: { 200: success(ZContactDeletion, 'Erased: nothing of the contact remains but the fact of its erasure.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => contacts.erase(writeContext(request), request.params.id),
  });
};
