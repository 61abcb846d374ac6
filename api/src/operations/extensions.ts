import { z } from 'zod';

/**
 * The `x-workato-*` extensions an operation carries in the OpenAPI spec: what the spec alone cannot
 * say about how the operation appears to recipe builders (connector) and agents (MCP tools).
 * Route schemas set them; scripts/generate-connector.ts and the MCP endpoint read them back from
 * the spec through ./catalog.ts, so the connector, the tools and the API cannot drift apart.
 */

const ZObjectName = z.string().regex(/^[a-z][a-z_]*$/, 'a snake_case object name, e.g. contact or dead_letter');
const ZPickListName = z.string().regex(/^[a-z][a-z_]*$/);

/** A recipe action: "<Verb> <object> in Tajo". */
export const ZActionExtension = z
  .object({
    object: ZObjectName,
    verb: z.enum(['get', 'search', 'create', 'update', 'upsert', 'delete', 'batch_upsert', 'track', 'batch_track', 'add_members', 'remove_members', 'retry', 'discard', 'send', 'associate', 'dissociate']),
    /** The action's title when "<Verb> <object>" reads badly. */
    title: z.string().optional(),
    /**
     * A batch action: one array-of-object input (`records`, a body property) and per-record results
     * (`results`, a response property whose items carry `index` and `status`), split into
     * successful and failed records (those whose status is `rejected`).
     */
    batch: z.object({ records: z.string(), results: z.string() }).strict().optional(),
    /** Input fields whose values come from a pick list: field name → pick list name. */
    pickLists: z.record(z.string(), ZPickListName).optional(),
    /**
     * Repeating the request changes nothing more (an upsert, a delete, adding members), so Workato
     * may retry it without an Idempotency-Key, and none is derived from the input: a derived key
     * would replay the first answer to a later identical request and hide the change in between.
     */
    repeatable: z.literal(true).optional(),
  })
  .strict();

/** A polling trigger over a search operation ordered by a timestamp, oldest first. */
export const ZTriggerExtension = z
  .object({
    object: ZObjectName,
    title: z.string(),
    /** The query parameter that filters on the ordering timestamp (inclusive). */
    since: z.string(),
    /** The record field holding that timestamp; dedup keys are `id@<timestamp>`. */
    timestamp: z.string(),
  })
  .strict();

/** A search operation that fills a pick list. */
export const ZPickListExtension = z
  .object({ name: ZPickListName, label: z.string(), value: z.string() })
  .strict();

/** Dynamic webhook triggers served by a subscribe operation (and its unsubscribe operation). */
export const ZWebhooksExtension = z
  .object({
    unsubscribe: z.string().meta({ description: 'operationId of the unsubscribe operation; it takes the subscription `id`.' }),
    triggers: z.array(
      z
        .object({
          object: ZObjectName,
          title: z.string(),
          /** The event types the trigger subscribes to. */
          events: z.array(z.string()).min(1),
          /** The component schema of a notification's `data`. */
          schema: z.string(),
          /** The field of `data` that versions a record, for dedup keys `id@<field>`. */
          timestamp: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

export type ActionExtension = z.infer<typeof ZActionExtension>;
export type TriggerExtension = z.infer<typeof ZTriggerExtension>;
export type PickListExtension = z.infer<typeof ZPickListExtension>;
export type WebhooksExtension = z.infer<typeof ZWebhooksExtension>;

/** Every `x-workato-*` key, and how its value is checked. */
export const WORKATO_EXTENSIONS = {
  'x-workato-action': ZActionExtension,
  'x-workato-trigger': ZTriggerExtension,
  'x-workato-pick-list': ZPickListExtension,
  'x-workato-webhooks': ZWebhooksExtension,
  /** The harmless authenticated read the connection test calls. */
  'x-workato-connection-test': z.literal(true),
  /** The OAuth2 client-credentials token endpoint the connection uses. */
  'x-workato-token': z.literal(true),
  /** Why an operation is deliberately not in the connector or the MCP tools (admin, operations). */
  'x-workato-skip': z.string().min(1),
} as const;

declare module 'fastify' {
  interface FastifySchema {
    'x-workato-action'?: ActionExtension;
    'x-workato-trigger'?: TriggerExtension;
    'x-workato-pick-list'?: PickListExtension;
    'x-workato-webhooks'?: WebhooksExtension;
    'x-workato-connection-test'?: true;
    'x-workato-token'?: true;
    'x-workato-skip'?: string;
  }
}
