import { z } from 'zod';
import { ZCursor, ZLimit, ZProblem } from '../http/schemas.ts';
import { WORKATO_DATA_CENTERS } from '../workato/types.ts';
import { ZAssociationReference } from '../objects/schemas.ts';
import { ZSourceMapping } from './mapping.ts';

export const SOURCE_KINDS = ['event_stream', 'developer_api', 'mcp'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** What a smoke test can find wrong, named so an operator knows what to fix. */
export const SMOKE_TEST_FAILURES = ['authentication', 'permission', 'missing_tool', 'not_found', 'unreachable', 'rate_limited', 'invalid_response'] as const;
export type SmokeTestFailure = (typeof SMOKE_TEST_FAILURES)[number];

const ZName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/)
  .meta({
    description: "A short name, unique in the workspace (lower-case letters, digits, '_', '.', '-'). It scopes the external IDs of the records the source brings.",
    example: 'shop-orders',
  });

const ZToken = z.string().min(8).max(4_096).meta({ description: 'The Workato API-client token (Bearer). Stored encrypted; never shown again.' });

export const ZEventStreamConfig = z
  .object({
    topicId: z.string().regex(/^\d{1,20}$/).meta({ description: 'The Event Streams topic ID.', example: '4123' }),
    batchSize: z.number().int().min(1).max(50).default(50).meta({ description: 'Messages per consume call (Workato allows at most 50).' }),
    longPollSeconds: z.number().int().min(0).max(60).default(20).meta({ description: 'How long an incremental consume waits for new messages.' }),
  })
  .strict();

const ZRowResource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('lookup_table'), tableId: z.string().regex(/^\d{1,20}$/) }).strict(),
  z.object({ kind: z.literal('data_table'), tableId: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/) }).strict(),
  z.object({ kind: z.literal('recipes') }).strict(),
  z.object({ kind: z.literal('jobs'), recipeId: z.string().regex(/^\d{1,20}$/) }).strict(),
]);

type RowResourceKind = z.infer<typeof ZRowResource>['kind'];

const ZPagination = z
  .object({
    style: z.enum(['page_number', 'continuation_token', 'after_id']),
    order: z.string(),
    restart: z.string(),
  })
  .meta({ description: "How Workato pages the resource (set by Tajo from its kind): the cursor's style, the order rows come in, and where a restarted job resumes." });

/** Workato's paging of each resource, stored with the source so its jobs' cursors can be read without guessing. */
export function paginationOf(kind: RowResourceKind): z.infer<typeof ZPagination> {
  const restartAfterPage = "the page after the last committed one; rows read twice come back unchanged, and a row shifted between pages by an insert is read on the next incremental pass";
  switch (kind) {
    case 'lookup_table':
      return { style: 'page_number', order: "row ID, ascending (Workato's order)", restart: restartAfterPage };
    case 'recipes':
      return { style: 'page_number', order: "Workato's listing order", restart: restartAfterPage };
    case 'data_table':
      return { style: 'continuation_token', order: "Workato's query order", restart: 'the continuation token committed with the last page' };
    case 'jobs':
      return { style: 'after_id', order: 'newest job first', restart: 'after the last committed job ID (offset_job_id)' };
  }
}

export const ZDeveloperApiConfig = z
  .object({
    resource: ZRowResource.meta({ description: 'The Developer API resource whose rows the source reads.' }),
    pagination: ZPagination.optional(),
    pageSize: z.number().int().min(1).max(100).default(100).meta({ description: 'Rows per page (Workato pages these resources by 100 at most).' }),
    pollIntervalSeconds: z.number().int().min(10).max(86_400).default(300).meta({ description: 'How often an incremental job reads the resource again.' }),
  })
  .strict()
  .meta({ description: 'One page per transaction; the page cursor commits with its rows.' });

export const ZMcpConfig = z
  .object({
    fetchTool: z.string().min(1).max(128).meta({ description: 'The tool that returns one canonical record.', example: 'get_record' }),
    idArgument: z.string().min(1).max(64).default('id').meta({ description: "The fetch tool's argument that takes the record ID." }),
    listTool: z.string().min(1).max(128).optional().meta({ description: 'A tool that lists records page by page (`page`, `per_page`), for backfills.' }),
    arguments: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}).meta({ description: 'Fixed arguments sent with every call (e.g. the table ID).' }),
    pageSize: z.number().int().min(1).max(100).default(100),
  })
  .strict();

const ZCommon = {
  name: ZName,
  dataCenter: z.enum(WORKATO_DATA_CENTERS).default('us').meta({ description: "The Workato data center of the account (selects Workato's base URLs)." }),
  mapping: ZSourceMapping.optional().meta({ description: "How payloads become Tajo records; the payload's own contact fields by name when absent." }),
  backfillEnabled: z.boolean().default(false).meta({ description: 'Allow backfill and incremental jobs. Refused until the smoke test passes.' }),
  hintsEnabled: z.boolean().default(false).meta({ description: 'Accept webhook hints. Refused until the smoke test passes.' }),
};

export const ZNewSource = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('event_stream'), ...ZCommon, token: ZToken, eventStream: ZEventStreamConfig }).strict(),
    z.object({ kind: z.literal('developer_api'), ...ZCommon, token: ZToken, developerApi: ZDeveloperApiConfig }).strict(),
    z
      .object({
        kind: z.literal('mcp'),
        ...ZCommon,
        serverUrl: z.url({ protocol: /^https?$/ }).max(2_048).meta({ description: 'The Workato MCP server URL (it may carry its token in the query string; stored encrypted, shown redacted).' }),
        token: ZToken.optional().meta({ description: 'A Bearer token for the MCP server, when its URL does not carry one.' }),
        mcp: ZMcpConfig,
      })
      .strict(),
  ])
  .meta({ id: 'NewSource' });
export type NewSource = z.infer<typeof ZNewSource>;

export const ZSourceUpdate = z
  .object({
    token: ZToken.optional(),
    serverUrl: z.url({ protocol: /^https?$/ }).max(2_048).optional(),
    dataCenter: z.enum(WORKATO_DATA_CENTERS).optional(),
    mapping: ZSourceMapping.optional(),
    eventStream: ZEventStreamConfig.partial().optional(),
    developerApi: ZDeveloperApiConfig.partial().optional(),
    mcp: ZMcpConfig.partial().optional(),
    backfillEnabled: z.boolean().optional(),
    hintsEnabled: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'SourceUpdate', description: 'Only the fields given change; a credential or configuration change runs the smoke test again.' });
export type SourceUpdate = z.infer<typeof ZSourceUpdate>;

export const ZSmokeTest = z
  .object({
    status: z.enum(['untested', 'passed', 'failed']),
    testedAt: z.iso.datetime().nullable(),
    failure: z
      .object({
        category: z.enum(SMOKE_TEST_FAILURES),
        detail: z.string(),
      })
      .nullable(),
  })
  .meta({ id: 'SmokeTest', description: "The last credential smoke test: a harmless authenticated read (for MCP, the server's tool list)." });

export const ZSource = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(SOURCE_KINDS),
    dataCenter: z.enum(WORKATO_DATA_CENTERS),
    eventStream: ZEventStreamConfig.optional(),
    developerApi: ZDeveloperApiConfig.optional(),
    mcp: ZMcpConfig.extend({ serverUrl: z.string().meta({ description: 'Redacted.' }) }).optional(),
    hasToken: z.boolean(),
    mapping: ZSourceMapping,
    mappingVersion: z.number().int(),
    smokeTest: ZSmokeTest,
    backfillEnabled: z.boolean(),
    hintsEnabled: z.boolean(),
    lastRateLimit: z
      .object({
        at: z.iso.datetime(),
        endpoint: z.string(),
        retryAfterMs: z.number().nullable(),
        limit: z.number().optional(),
        remaining: z.number().optional(),
        resetSeconds: z.number().optional(),
      })
      .nullable()
      .meta({ description: "Workato's last 429 for this source: when, on which endpoint, and what it asked (Tajo backs off as told)." }),
    hintPath: z.string().meta({ description: 'Where Workato sends webhook hints for this source (POST, signed).' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({
    id: 'Source',
    description: 'A place Tajo reads Workato: an Event Streams topic, a Developer API resource or an MCP server.',
    example: {
      id: '0b7e8f1e-3c1a-4a57-9a0e-6b3f2f7f2c11',
      name: 'shop-orders',
      kind: 'event_stream',
      dataCenter: 'eu',
      eventStream: { topicId: '4123', batchSize: 50, longPollSeconds: 20 },
      hasToken: true,
      mapping: { externalId: '$string(customer_id)', contact: '{"email": email, "attributes": {"PLAN": plan}}' },
      mappingVersion: 1,
      smokeTest: { status: 'passed', testedAt: '2026-11-24T09:30:00.000Z', failure: null },
      backfillEnabled: true,
      hintsEnabled: false,
      lastRateLimit: null,
      hintPath: '/v1/sources/0b7e8f1e-3c1a-4a57-9a0e-6b3f2f7f2c11/hints',
      createdAt: '2026-11-24T09:30:00.000Z',
      updatedAt: '2026-11-24T09:30:00.000Z',
    },
  });

export const ZSourceSearchQuery = z.object({ limit: ZLimit, cursor: ZCursor });
export const ZSourcePage = z.object({ data: z.array(ZSource), nextCursor: z.string().nullable() }).meta({ id: 'SourcePage' });

export const ZMappingPreviewRequest = z
  .object({
    mapping: ZSourceMapping,
    limit: z.number().int().min(1).max(100).default(20).meta({ description: 'How many of the most recently stored payloads to map.' }),
  })
  .strict()
  .meta({ id: 'MappingPreviewRequest' });

export const ZMappingPreview = z
  .object({
    data: z.array(
      z.object({
        objectId: z.string(),
        contact: z.record(z.string(), z.unknown()).nullable().meta({ description: 'The contact as Tajo would store it (normalized), or null.' }),
        events: z.array(z.record(z.string(), z.unknown())),
        objects: z
          .array(
            z.object({
              type: z.string(),
              externalId: z.string(),
              attributes: z.record(z.string(), z.unknown()),
              associations: z.array(ZAssociationReference),
            }),
          )
          .meta({ description: 'The custom object records as Tajo would store them (normalized); associations as named, their other ends not looked up.' }),
        tajoOnly: z.record(z.string(), z.unknown()).nullable(),
        errors: z.array(z.object({ field: z.string(), reason: z.string() })).meta({ description: 'Why the record would be dead-lettered (empty when it maps).' }),
      }),
    ),
    counts: z.object({ mapped: z.number().int(), deadLettered: z.number().int() }),
  })
  .meta({ id: 'MappingPreview', description: 'What a mapping would make of stored payloads; nothing is saved.' });

export const ZHintSecret = z
  .object({
    secret: z.string().meta({ description: 'The new signing secret (whsec_…), shown only now. Configure it in Workato.' }),
    previousSecretExpiresAt: z.iso.datetime().nullable().meta({ description: 'Until when the previous secret is still accepted.' }),
  })
  .meta({ id: 'HintSecret' });

export const ZHintSecretRotation = z
  .object({
    overlapSeconds: z.number().int().min(0).max(7 * 86_400).default(86_400).meta({ description: 'How long the previous secret stays valid.' }),
  })
  .strict();

/** The 422 of a source whose smoke test failed while backfill or hints were being enabled. */
export const ZSmokeTestProblem = ZProblem.extend({
  smokeTestFailure: z.enum(SMOKE_TEST_FAILURES).optional().meta({ description: 'What the smoke test found wrong, when it failed.' }),
}).meta({ id: 'SmokeTestProblem' });

export const smokeTestFailedResponse = {
  description: 'The smoke test failed while backfill or hints were being enabled (`smokeTestFailure` says what failed); nothing was changed.',
  content: { 'application/problem+json': { schema: ZSmokeTestProblem } },
};
