import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, success, ZIdempotencyHeaders } from '../http/schemas.ts';
import { AppError, notFound } from '../errors/problem.ts';
import type { BrevoConnection } from '../generated/prisma/client.ts';
import type { BrevoAccount, BrevoConnectionInput } from './accounts.ts';
import { BrevoRequestFailed } from './client.ts';
import { brevoTypeExists } from './object-activation.ts';
import { ZObjectTypeParams } from '../objects/schemas.ts';

const TAGS = ['Brevo'];

const ZFamilyLimit = z.object({ limit: z.number().int().min(1), windowSeconds: z.number().int().min(1).max(86_400) }).strict();

const ZConnectionInput = z
  .object({
    apiKey: z.string().min(8).max(512).meta({ description: 'The Brevo API key (v3). Stored encrypted; never returned or logged.' }),
    baseUrl: z.url().optional().meta({ description: "Brevo's API base URL; defaults to the current connection's, or else the deployment's BREVO_BASE_URL." }),
    limits: z
      .object({ contacts: ZFamilyLimit, events: ZFamilyLimit, other: ZFamilyLimit })
      .partial()
      .strict()
      .optional()
      .meta({
        description:
          "Requests per window by endpoint family, for accounts above Brevo's general tier (10/s for contacts and events, 100/hour for the rest). Left out, the current connection's are kept (a key rotation sends the key alone); `{}` goes back to the general tier.",
      }),
  })
  .strict()
  .meta({ id: 'BrevoCredentials', example: { apiKey: 'xkeysib-0123456789abcdef-AbCdEfGh', limits: { contacts: { limit: 20, windowSeconds: 1 } } } });

const ZBackfill = z
  .object({
    queued: z.number().int().min(0).meta({ description: 'Contacts queued: those Brevo does not have at their current version.' }),
    lists: z.number().int().min(0).meta({ description: 'Lists queued, each with its membership sync (a sync sends only what Brevo lacks).' }),
    objects: z.number().int().min(0).meta({ description: 'Object records and associations queued: those Brevo does not have at their current version.' }),
  })
  .meta({ id: 'BrevoBackfill', example: { queued: 12500, lists: 4, objects: 3200 } });

const ZActivationStatus = z
  .object({
    contacts: z.number().int().min(0).meta({ description: 'Live (not deleted) contacts of the workspace.' }),
    inBrevo: z.number().int().min(0).meta({ description: 'Contacts Brevo has confirmed at their current version.' }),
    pending: z.number().int().min(0).meta({ description: 'Contacts on their way to Brevo (queued, or being retried).' }),
    refused: z.number().int().min(0).meta({ description: 'Contacts Brevo refused: each has an open dead letter saying why.' }),
    rateLimits: z
      .array(
        z.object({
          family: z.enum(['contacts', 'events', 'other']).meta({ description: "Brevo's endpoint family: contacts, events, or every other endpoint (lists, folders, attributes, objects, processes)." }),
          limit: z.number().int().min(1).meta({ description: 'Requests Brevo allows per window, as its answers last said (else as configured).' }),
          windowSeconds: z.number().int().min(1),
          available: z.number().int().min(0).meta({ description: 'Requests that may be sent now, across every process of the deployment.' }),
          blockedUntil: z.iso.datetime().nullable().meta({ description: 'Until when the family is spent (a 429, or its window used up); null when requests may go now.' }),
        }),
      )
      .meta({ description: "The Brevo account's rate budgets, shared by every process; empty without a Brevo connection." }),
  })
  .meta({
    id: 'BrevoActivationStatus',
    example: {
      contacts: 12500,
      inBrevo: 12410,
      pending: 75,
      refused: 15,
      rateLimits: [
        { family: 'contacts', limit: 10, windowSeconds: 1, available: 7, blockedUntil: null },
        { family: 'events', limit: 10, windowSeconds: 1, available: 10, blockedUntil: null },
        { family: 'other', limit: 100, windowSeconds: 3600, available: 0, blockedUntil: '2026-11-23T11:00:00.000Z' },
      ],
    },
  });

const ZObjectTypeCheck = z
  .object({
    objectType: z.string(),
    brevoObjectType: z.string().meta({ description: 'The Brevo object type it maps to: Brevo has it.' }),
    attributes: z.object({
      unknownToBrevo: z.array(z.string()).meta({ description: "Attributes Brevo's type lacks (Brevo dropped them from records Tajo sent and read back): add them in Brevo." }),
      confirmed: z.array(z.string()).meta({ description: 'Attributes Brevo kept on records Tajo sent and read back.' }),
      unchecked: z.array(z.string()).meta({ description: "Attributes no record has carried to Brevo yet: Brevo's API shows no attribute list, so they are checked on their first activation." }),
    }),
    checkedAt: z.iso.datetime().nullable().meta({ description: 'When Tajo last read records of the type back.' }),
  })
  .meta({
    id: 'BrevoObjectTypeCheck',
    example: { objectType: 'subscription', brevoObjectType: 'subscription', attributes: { unknownToBrevo: ['renews_on'], confirmed: ['subscription_id'], unchecked: ['plan'] }, checkedAt: '2026-11-24T07:00:00.000Z' },
  });

const ZConnection = z
  .object({
    apiKeyHint: z.string().meta({ description: 'The last four characters of the stored key.' }),
    baseUrl: z.string(),
    limits: z.record(z.string(), ZFamilyLimit).nullable(),
    accountEmail: z.string().nullable().meta({ description: 'The Brevo account the key belongs to.' }),
    verifiedAt: z.iso.datetime().nullable().meta({ description: 'When the credential smoke test last passed.' }),
  })
  .meta({
    id: 'BrevoConnection',
    example: { apiKeyHint: 'EfGh', baseUrl: 'https://api.brevo.com/v3', limits: null, accountEmail: 'marketing@example.com', verifiedAt: '2026-11-23T10:00:00.000Z' },
  });

const toConnection = (row: BrevoConnection) => ({
  apiKeyHint: row.apiKeyHint,
  baseUrl: row.baseUrl,
  limits: row.limits as Record<string, { limit: number; windowSeconds: number }> | null,
  accountEmail: row.accountEmail,
  verifiedAt: row.verifiedAt?.toISOString() ?? null,
});

/** The credential smoke test: a harmless authenticated read, with failures named for the operator. */
async function smokeTest(account: BrevoAccount) {
  try {
    return await account.api.getAccount();
  } catch (error) {
    if (!(error instanceof BrevoRequestFailed)) throw error;
    const what: Record<string, string> = {
      authentication: 'Brevo refused the API key (authentication)',
      permission: 'The API key may not read the account (permission)',
      vendor_unavailable: 'Brevo could not be reached or failed (unreachable)',
      rate_limited: 'Brevo kept answering 429 (rate limited)',
    };
    const category = error.category === 'authentication' || error.category === 'permission' || error.category === 'rate_limited' ? error.category : 'vendor_unavailable';
    throw new AppError(category, `The credential smoke test failed: ${what[category] ?? error.message}. ${error.message}`, {
      status: category === 'vendor_unavailable' ? 502 : 422,
    });
  }
}

export const brevoRoutes: FastifyPluginAsyncZod = async (app) => {
  const { brevoAccounts, brevoBackfill, config } = app.services;

  app.put('/brevo/connection', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'connectBrevo',
      'x-workato-skip': 'Brevo credentials are set by an administrator and never pass through recipes.',
      summary: 'Connect a Brevo account',
      description:
        'Stores the workspace\'s Brevo API key (encrypted at rest) after a credential smoke test; replaces any earlier one (keeping its base URL and limits unless given), and changes nothing when the smoke test fails. Contacts, object records and associations Brevo does not have yet are queued for activation (a backfill; contacts sent as imports); later changes follow as they happen.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      body: ZConnectionInput,
      response: { 200: success(ZConnection, 'Connected: the smoke test passed and the key is stored.'), ...errorResponses(422, 502) },
    },
    handler: async (request) => {
      // A rotation sends the new key alone: the account's URL and limits stay what they were.
      const current = await brevoAccounts.describe(request.auth.workspaceId);
      const input = {
        apiKey: request.body.apiKey,
        baseUrl: request.body.baseUrl ?? current?.baseUrl ?? config.brevoBaseUrl,
        limits: request.body.limits ?? ((current?.limits ?? undefined) as BrevoConnectionInput['limits']),
      };
      const account = await smokeTest(brevoAccounts.open(input));
      const connection = toConnection(await brevoAccounts.save(request.auth.workspaceId, input, account.email));
      await brevoBackfill.queueContacts(request.auth.workspaceId);
      await brevoBackfill.queueLists(request.auth.workspaceId);
      await brevoBackfill.queueObjects(request.auth.workspaceId);
      return connection;
    },
  });

  app.post('/brevo/backfill', {
    config: { scope: 'write' },
    schema: {
      operationId: 'backfillBrevo',
      'x-workato-skip': "A backfill is an operator's decision (API or CLI), not a recipe step.",
      summary: 'Backfill Brevo',
      description:
        'Queues every contact and every object record and association Brevo does not have at its current version for activation, and every list with its membership; the workers send contacts as imports, inside Brevo\'s limits. Connecting does this by itself; run it again after restoring a Brevo account. What Brevo already has is not sent again. Events are not replayed: a late event could start automations out of time.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      response: { 202: success(ZBackfill, 'Queued: the number of contacts to be activated.'), ...errorResponses(404) },
    },
    handler: async (request, reply) => {
      if (!(await brevoAccounts.describe(request.auth.workspaceId))) throw notFound('A Brevo connection');
      const contacts = await brevoBackfill.queueContacts(request.auth.workspaceId);
      const lists = await brevoBackfill.queueLists(request.auth.workspaceId);
      return reply.code(202).send({ queued: contacts, lists, objects: await brevoBackfill.queueObjects(request.auth.workspaceId) });
    },
  });

  app.get('/brevo/connection', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getBrevoConnection',
      'x-workato-skip': 'Brevo credentials are set by an administrator and never pass through recipes.',
      summary: 'Get the Brevo connection',
      tags: TAGS,
      response: { 200: success(ZConnection, 'The connection (never the key itself).'), ...errorResponses(404) },
    },
    handler: async (request) => {
      const row = await brevoAccounts.describe(request.auth.workspaceId);
      if (!row) throw notFound('A Brevo connection');
      return toConnection(row);
    },
  });

  app.get('/brevo/activation', {
    config: { scope: 'read' },
    schema: {
      operationId: 'getBrevoActivationStatus',
      'x-workato-skip': 'An operator watches activation (API, CLI, demo); recipes act on single records.',
      summary: 'Get where contacts stand with Brevo',
      description:
        "Counts the live contacts Brevo has at their current version, those on their way, and those Brevo refused (open dead letters), and shows the Brevo account's rate budgets: which family is spent, and until when. It counts every contact: an operator read, not one to poll every second on a large workspace.",
      tags: TAGS,
      response: { 200: success(ZActivationStatus, 'The counts, as of now.'), ...errorResponses() },
    },
    handler: async (request) => {
      const { workspaceId } = request.auth;
      const [counts, account] = await Promise.all([brevoBackfill.contactStatus(workspaceId), brevoAccounts.forWorkspace(workspaceId)]);
      return { ...counts, rateLimits: account ? await account.limiter.describe() : [] };
    },
  });

  app.post('/object-types/:objectType/brevo-check', {
    config: { scope: 'read' },
    schema: {
      operationId: 'checkObjectTypeInBrevo',
      'x-workato-skip': 'A smoke test an operator runs (API, operator tools) when setting a type up, not a recipe step.',
      summary: "Check an object type against the Brevo account",
      description:
        "The object type's smoke test: Brevo's API creates no object types and silently drops attributes its type lacks, so this checks Brevo has the type (422 naming it otherwise) and reports what Tajo learned of its attributes by reading back records it sent.",
      tags: TAGS,
      params: ZObjectTypeParams,
      response: { 200: success(ZObjectTypeCheck, 'Brevo has the type; its attributes as far as Tajo knows them.'), ...errorResponses(404, 422, 502) },
    },
    handler: async (request) => {
      const { workspaceId } = request.auth;
      const type = await app.services.objects.getType(workspaceId, request.params.objectType);
      const account = await brevoAccounts.forWorkspace(workspaceId);
      if (!account) throw notFound('A Brevo connection');
      let exists: boolean;
      try {
        exists = await brevoTypeExists(account.api, type.brevoObjectType);
      } catch (error) {
        if (!(error instanceof BrevoRequestFailed)) throw error;
        throw new AppError('vendor_unavailable', `Brevo could not be asked about object type '${type.brevoObjectType}': ${error.message}`, { status: 502 });
      }
      if (!exists) {
        const attributes = type.attributes.map((attribute) => attribute.name).join(', ');
        throw new AppError('mapping', `Brevo has no object type '${type.brevoObjectType}' (Tajo's '${type.name}' maps to it). Brevo's API creates none: create it in Brevo with the attributes ${attributes}, then check again.`, { status: 422 });
      }
      const state = await brevoBackfill.objectTypeState(type.id);
      const checked = new Set(state?.checkedAttributes ?? []);
      const unknown = new Set(state?.unknownAttributes ?? []);
      const names = type.attributes.map((attribute) => attribute.name);
      return {
        objectType: type.name,
        brevoObjectType: type.brevoObjectType,
        attributes: {
          unknownToBrevo: names.filter((name) => unknown.has(name)),
          confirmed: names.filter((name) => checked.has(name) && !unknown.has(name)),
          unchecked: names.filter((name) => !checked.has(name)),
        },
        checkedAt: state?.checkedAt.toISOString() ?? null,
      };
    },
  });

  app.post('/brevo/connection/test', {
    config: { scope: 'read' },
    schema: {
      operationId: 'testBrevoConnection',
      'x-workato-skip': 'Brevo credentials are set by an administrator and never pass through recipes.',
      summary: 'Test the Brevo connection',
      description: 'Runs the credential smoke test with the stored key.',
      tags: TAGS,
      response: { 200: success(ZConnection, 'The smoke test passed.'), ...errorResponses(404, 422, 502) },
    },
    handler: async (request) => {
      const account = await brevoAccounts.forWorkspace(request.auth.workspaceId);
      if (!account) throw notFound('A Brevo connection');
      await smokeTest(account);
      return toConnection(await brevoAccounts.markVerified(request.auth.workspaceId));
    },
  });

  app.delete('/brevo/connection', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'disconnectBrevo',
      'x-workato-skip': 'Brevo credentials are set by an administrator and never pass through recipes.',
      summary: 'Disconnect Brevo',
      description: 'Deletes the stored key. Changes are still recorded, and activated once a Brevo account is connected again.',
      tags: TAGS,
      headers: ZIdempotencyHeaders,
      response: { 200: success(z.object({ disconnected: z.literal(true) }), 'The key is deleted.'), ...errorResponses(404, 422) },
    },
    handler: async (request) => {
      if (!(await brevoAccounts.remove(request.auth.workspaceId))) throw notFound('A Brevo connection');
      return { disconnected: true as const };
    },
  });
};
