import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders } from '../http/schemas.ts';
import { tally } from '../metrics/registry.ts';
import { writeContext } from '../contacts/routes.ts';
import {
  TYPE_CHANGE_RULES,
  ZAssociationBatchResult,
  ZAssociationRequest,
  ZObjectRecord,
  ZObjectRecordBatchRequest,
  ZObjectRecordBatchResult,
  ZObjectRecordDeletion,
  ZObjectRecordInput,
  ZObjectRecordLookupQuery,
  ZObjectRecordPage,
  ZObjectRecordParams,
  ZObjectRecordSearchQuery,
  ZObjectRecordWriteResult,
  ZObjectType,
  ZObjectTypeDeletion,
  ZObjectTypeInput,
  ZObjectTypePage,
  ZObjectTypeParams,
  ZObjectTypePatch,
  ZObjectTypeSearchQuery,
} from './schemas.ts';

const TYPE_TAGS = ['Object types'];
const TAGS = ['Object records'];
/** Defining types is schema administration, like sources: done once by an admin, not by recipe steps. */
const ADMIN_ONLY = 'Object type administration (admin scope): defined once per workspace, not from recipes';
const PICK_TYPE = { objectType: 'object_types' };

export const objectRoutes: FastifyPluginAsyncZod = async (app) => {
  const { objects } = app.services;

  app.post('/object-types', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'createObjectType',
      'x-workato-skip': ADMIN_ONLY,
      summary: 'Create an object type',
      description:
        "Defines a kind of custom record: typed attributes, the external-ID rule and allowed associations. Its Brevo object type is its name unless given (Brevo creates no object types: it must exist there). 409 when the name is taken.",
      tags: TYPE_TAGS,
      headers: ZIdempotencyHeaders,
      body: ZObjectTypeInput,
      response: { 201: success(ZObjectType, 'Created.'), ...errorResponses(409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await objects.createType(request.auth.workspaceId, request.body)),
  });

  app.get('/object-types', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchObjectTypes',
      'x-workato-action': { object: 'object_type', verb: 'search' },
      'x-workato-pick-list': { name: 'object_types', label: 'name', value: 'name' },
      summary: 'Search object types',
      description: 'Object types in order of last update (oldest first); page with `cursor`.',
      tags: TYPE_TAGS,
      querystring: ZObjectTypeSearchQuery,
      response: { 200: success(ZObjectTypePage, 'A page of object types and the cursor of the next one.'), ...errorResponses() },
    },
    handler: async (request) => objects.searchTypes(request.auth.workspaceId, request.query),
  });

  app.get('/object-types/:objectType', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getObjectType',
      'x-workato-action': { object: 'object_type', verb: 'get', pickLists: PICK_TYPE },
      summary: 'Get an object type',
      tags: TYPE_TAGS,
      params: ZObjectTypeParams,
      response: { 200: success(ZObjectType, 'The object type.'), ...errorResponses(404) },
    },
    handler: async (request) => objects.getType(request.auth.workspaceId, request.params.objectType),
  });

  app.patch('/object-types/:objectType', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'updateObjectType',
      'x-workato-skip': ADMIN_ONLY,
      summary: 'Update an object type',
      description: TYPE_CHANGE_RULES,
      tags: TYPE_TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectTypeParams,
      body: ZObjectTypePatch,
      response: { 200: success(ZObjectType, 'Updated, or unchanged.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => objects.updateType(request.auth.workspaceId, request.params.objectType, request.body),
  });

  app.delete('/object-types/:objectType', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'deleteObjectType',
      'x-workato-skip': ADMIN_ONLY,
      summary: 'Delete an object type',
      description: 'Only a type without live records, and with which no other type allows associations (409 otherwise).',
      tags: TYPE_TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectTypeParams,
      response: { 200: success(ZObjectTypeDeletion, 'Deleted.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => objects.deleteType(request.auth.workspaceId, request.params.objectType),
  });

  app.post('/objects/:objectType/records', {
    config: { scope: 'write' },
    schema: {
      operationId: 'upsertObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'upsert', pickLists: PICK_TYPE, repeatable: true },
      summary: 'Upsert an object record',
      description:
        'Creates the record, or merges into the one with the same external ID, and adds the associations given: an attribute left out keeps its value, null clears it. ' +
        'Each attribute applies only when its source time (`sourceUpdatedAt`, else arrival) is newer than the stored one; `skipped` names those that were older. ' +
        'An identical re-send answers `unchanged`, an older one `stale`; neither queues work.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectTypeParams,
      body: ZObjectRecordInput,
      response: {
        200: success(ZObjectRecordWriteResult, 'Updated, unchanged (identical to what Tajo had) or stale (older than what Tajo holds): the record as stored.'),
        201: success(ZObjectRecordWriteResult, 'Created: the record as normalized and stored.'),
        ...errorResponses(404, 413, 422),
      },
    },
    handler: async (request, reply) => {
      const written = await objects.upsert(writeContext(request), request.params.objectType, request.body);
      return reply.code(written.result === 'created' ? 201 : 200).send(written);
    },
  });

  app.post('/objects/:objectType/records/batch', {
    config: { scope: 'write' },
    schema: {
      operationId: 'batchUpsertObjectRecords',
      'x-workato-action': { object: 'object_record', verb: 'batch_upsert', batch: { records: 'records', results: 'results' }, pickLists: PICK_TYPE, repeatable: true },
      summary: 'Batch upsert object records',
      description:
        'Upserts up to 1,000 records of one type, each merged as the single upsert does. Each record gets its own result (created, updated, unchanged, stale, or rejected with index, field and reason); one bad record never fails the batch.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectTypeParams,
      body: ZObjectRecordBatchRequest,
      response: { 200: success(ZObjectRecordBatchResult, 'One result per record, in request order, and the counts.'), ...errorResponses(404, 413, 422) },
    },
    handler: async (request) => {
      const results = await objects.upsertMany(writeContext(request), request.params.objectType, request.body.records);
      return { results, counts: tally(results) };
    },
  });

  app.get('/objects/:objectType/records', {
    config: { scope: 'read' },
    schema: {
      operationId: 'searchObjectRecords',
      'x-workato-action': { object: 'object_record', verb: 'search', pickLists: PICK_TYPE },
      'x-workato-trigger': { object: 'object_record', title: 'New or updated object record', since: 'updatedSince', timestamp: 'updatedAt' },
      summary: 'Search object records',
      description: 'Records of a type in order of last update (oldest first), filtered by external ID, update time or associated contact; page with `cursor`.',
      tags: TAGS,
      params: ZObjectTypeParams,
      querystring: ZObjectRecordSearchQuery,
      response: { 200: success(ZObjectRecordPage, 'A page of records and the cursor of the next one.'), ...errorResponses(404) },
    },
    handler: async (request) => objects.search(request.auth.workspaceId, request.params.objectType, request.query),
  });

  app.get('/objects/:objectType/records/lookup', {
    config: { scope: 'read' },
    schema: {
      operationId: 'lookupObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'get', title: 'Get object record by external ID', pickLists: PICK_TYPE },
      summary: 'Get an object record by external ID',
      tags: TAGS,
      params: ZObjectTypeParams,
      querystring: ZObjectRecordLookupQuery,
      response: { 200: success(ZObjectRecord, 'The record.'), ...errorResponses(404) },
    },
    handler: async (request) => objects.lookup(request.auth.workspaceId, request.params.objectType, request.query.externalId),
  });

  app.get('/objects/:objectType/records/:id', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'get', pickLists: PICK_TYPE },
      summary: 'Get an object record',
      tags: TAGS,
      params: ZObjectRecordParams,
      response: { 200: success(ZObjectRecord, 'The record.'), ...errorResponses(404) },
    },
    handler: async (request) => objects.get(request.auth.workspaceId, request.params.objectType, request.params.id),
  });

  app.delete('/objects/:objectType/records/:id', {
    config: { scope: 'write' },
    schema: {
      operationId: 'deleteObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'delete', pickLists: PICK_TYPE, repeatable: true },
      summary: 'Delete an object record',
      description: 'Soft delete: the record disappears from reads and its deletion is activated downstream; its history is kept. Upserting it again brings it back.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectRecordParams,
      response: { 200: success(ZObjectRecordDeletion, 'Deleted (soft).'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => objects.softDelete(writeContext(request), request.params.objectType, request.params.id),
  });

  app.post('/objects/:objectType/records/:id/erasure', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'eraseObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'delete', title: 'Erase object record (GDPR)', pickLists: PICK_TYPE, repeatable: true },
      summary: 'Erase an object record (GDPR)',
      description: 'Hard delete: removes the record, its versions and associations, and stored responses that quote it. Only its erasure is queued, with its external ID.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectRecordParams,
      response: { 200: success(ZObjectRecordDeletion, 'Erased.'), ...errorResponses(404, 409, 422) },
    },
    handler: async (request) => objects.erase(writeContext(request), request.params.objectType, request.params.id),
  });

  app.post('/objects/:objectType/records/:id/associations', {
    config: { scope: 'write' },
    schema: {
      operationId: 'associateObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'associate', pickLists: PICK_TYPE, repeatable: true },
      summary: 'Associate an object record',
      description:
        "Associates the record with up to 1,000 contacts (by Tajo ID, external ID or email) or records of types it allows (by Tajo ID or external ID). An end named by external ID may arrive later: the association is pending until then. Each gets its own result; one bad reference never fails the others.",
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectRecordParams,
      body: ZAssociationRequest,
      response: { 200: success(ZAssociationBatchResult, 'One result per association, in request order.'), ...errorResponses(404, 413, 422) },
    },
    handler: async (request) => ({ results: await objects.associate(writeContext(request), request.params.objectType, request.params.id, request.body.associations) }),
  });

  app.delete('/objects/:objectType/records/:id/associations', {
    config: { scope: 'write' },
    schema: {
      operationId: 'dissociateObjectRecord',
      'x-workato-action': { object: 'object_record', verb: 'dissociate', pickLists: PICK_TYPE, repeatable: true },
      summary: 'Dissociate an object record',
      description: 'Removes associations of the record, named as when they were made; the removal is activated downstream. Each gets its own result (removed, unchanged when there was none, or rejected).',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      params: ZObjectRecordParams,
      body: ZAssociationRequest,
      response: { 200: success(ZAssociationBatchResult, 'One result per association, in request order.'), ...errorResponses(404, 413, 422) },
    },
    handler: async (request) => ({ results: await objects.dissociate(writeContext(request), request.params.objectType, request.params.id, request.body.associations) }),
  });
};
