import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { backoffDelay, type RetryPolicy } from '../brevo/client.ts';
import { readRateLimitHeaders } from '../brevo/rate-limit.ts';
import type {
  ConsumeRequest,
  EventStreamMessage,
  PageRequest,
  RowPage,
  RowResource,
  WorkatoClient,
  WorkatoDataCenter,
  WorkatoEndpoints,
  WorkatoFailureCategory,
  WorkatoIdentity,
  WorkatoRow,
} from './types.ts';

/** Workato's documented hosts per data center (Developer API, Event Streams public API, data tables records). */
export const WORKATO_ENDPOINTS: Record<WorkatoDataCenter, WorkatoEndpoints> = {
  us: { developerApi: 'https://www.workato.com', eventStreams: 'https://event-streams.workato.com', dataTables: 'https://data-tables.workato.com' },
  eu: { developerApi: 'https://app.eu.workato.com', eventStreams: 'https://event-streams.eu.workato.com', dataTables: 'https://data-tables.eu.workato.com' },
  jp: { developerApi: 'https://app.jp.workato.com', eventStreams: 'https://event-streams.jp.workato.com', dataTables: 'https://data-tables.jp.workato.com' },
  sg: { developerApi: 'https://app.sg.workato.com', eventStreams: 'https://event-streams.sg.workato.com', dataTables: 'https://data-tables.sg.workato.com' },
  au: { developerApi: 'https://app.au.workato.com', eventStreams: 'https://event-streams.au.workato.com', dataTables: 'https://data-tables.au.workato.com' },
  trial: { developerApi: 'https://app.trial.workato.com', eventStreams: 'https://event-streams.trial.workato.com', dataTables: 'https://data-tables.trial.workato.com' },
};

/** The data center's base URLs, or `override` for all three (the simulator serves them on one origin). */
export function endpointsFor(dataCenter: WorkatoDataCenter, override?: string): WorkatoEndpoints {
  if (!override) return WORKATO_ENDPOINTS[dataCenter];
  const base = override.replace(/\/+$/, '');
  return { developerApi: base, eventStreams: base, dataTables: base };
}

/** Workato's documented page and batch limits (the simulator enforces the same). */
export const WORKATO_LIMITS = {
  lookupTableRows: { default: 500, max: 1000 },
  recipes: { default: 100, max: 100 },
  /** Not documented for the v1 query; the simulator uses the same values. */
  dataTableRecords: { default: 100, max: 200 },
  consumeBatch: { default: 50, max: 50 },
  consumeTimeoutSecs: { max: 60 },
  publishBatch: { max: 100 },
} as const;

/** A Workato request that failed for good: refused, or out of retries. Its message never holds the token. */
export class WorkatoError extends Error {
  readonly category: WorkatoFailureCategory;
  readonly status: number | null;
  readonly retryAfterMs?: number;

  constructor(category: WorkatoFailureCategory, message: string, details: { status?: number | null; retryAfterMs?: number | undefined } = {}) {
    super(message);
    this.name = 'WorkatoError';
    this.category = category;
    this.status = details.status ?? null;
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * A URL fit for logs: every query parameter value (Workato MCP server URLs carry their token
 * there) and any userinfo replaced with REDACTED.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@?#]*@/, '//REDACTED@').replace(/([?&][^=&#]*)=[^&#]*/g, '$1=REDACTED');
  }
  if (parsed.username) parsed.username = 'REDACTED';
  if (parsed.password) parsed.password = 'REDACTED';
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, 'REDACTED');
  return parsed.toString();
}

export type WorkatoApiFamily = 'developer_api' | 'event_streams' | 'data_tables';

/** Rate-limit headers, when Workato sends any (it documents quotas, not headers; these are the usual names). */
export interface WorkatoRateLimit {
  limit?: number;
  remaining?: number;
  resetSeconds?: number;
}

export interface WorkatoResponseInfo {
  family: WorkatoApiFamily;
  /** Method and route template, e.g. `GET /api/lookup_tables/:id/rows` (IDs left out, for metrics). */
  endpoint: string;
  status: number;
  rateLimit?: WorkatoRateLimit;
  retryAfterMs?: number;
}

export interface WorkatoClientOptions {
  endpoints: WorkatoEndpoints;
  token: string;
  /** Per attempt; Workato's Developer API itself gives up after 40 s. */
  timeoutMs?: number;
  retry?: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  /** Told of every HTTP answer (for metrics, logs and tests). */
  onResponse?: (info: WorkatoResponseInfo) => void;
}

const DEFAULT_TIMEOUT_MS = 45_000;
const DEFAULT_RETRY = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

interface Call {
  family: WorkatoApiFamily;
  method: 'GET' | 'POST';
  /** Route template, for onResponse. */
  endpoint: string;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

const ZRow = z.looseObject({ id: z.union([z.string(), z.number()]) });
const ZLookupRow = z.looseObject({ id: z.union([z.string(), z.number()]), data: z.record(z.string(), z.unknown()).nullish(), created_at: z.string().nullish(), updated_at: z.string().nullish() });
const ZLookupRows = z.array(ZLookupRow);
const ZItems = z.looseObject({ items: z.array(ZRow) });
const ZRecord = z.looseObject({ $record_id: z.union([z.string(), z.number()]) });
const ZQueryAnswer = z.looseObject({ data: z.array(ZRecord), continuation_token: z.string().nullish() });
const ZMessages = z.looseObject({
  messages: z.array(z.object({ message_id: z.string(), payload: z.record(z.string(), z.unknown()), time: z.string() })),
});
const ZPublished = z.looseObject({ message_ids: z.array(z.string()), is_partial_error: z.boolean().nullish() });
const ZUser = z.looseObject({ id: z.union([z.string(), z.number()]), name: z.string().nullish(), email: z.string().nullish() });

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** A lookup table row: its fields are under `data`. */
function lookupRow(row: z.infer<typeof ZLookupRow>): WorkatoRow {
  return { id: String(row.id), data: row.data ?? {}, createdAt: row.created_at ?? undefined, updatedAt: row.updated_at ?? undefined };
}

/** A recipe (or any object whose own fields are the row). */
function objectRow(item: z.infer<typeof ZRow>): WorkatoRow {
  return { id: String(item.id), data: { ...item }, createdAt: text(item.created_at), updatedAt: text(item.updated_at) };
}

/** A job: started when created, last changed when it completed. */
function jobRow(item: z.infer<typeof ZRow>): WorkatoRow {
  const started = text(item.started_at);
  return { id: String(item.id), data: { ...item }, createdAt: started, updatedAt: text(item.completed_at) ?? started };
}

/** A data table record: `$record_id`, `$created_at` and `$updated_at` are Workato's own columns, the rest are the table's. */
function recordRow(record: z.infer<typeof ZRecord>): WorkatoRow {
  const { $record_id: id, $created_at: createdAt, $updated_at: updatedAt, ...data } = record;
  return { id: String(id), data, createdAt: text(createdAt), updatedAt: text(updatedAt) };
}

function pageNumber(cursor: string | null): number {
  if (cursor === null) return 1;
  const page = Number(cursor);
  if (!Number.isInteger(page) || page < 1) throw new WorkatoError('validation', `A Workato page cursor is a page number from 1, not "${cursor}"`);
  return page;
}

const clamp = (value: number, max: number) => Math.max(1, Math.min(max, Math.floor(value)));

function categoryOf(status: number): WorkatoFailureCategory {
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'vendor_unavailable';
  return 'validation';
}

function describeRefusal(status: number, operation: string, vendorMessage: string | undefined): string {
  const detail = vendorMessage ? `: ${vendorMessage}` : '';
  switch (categoryOf(status)) {
    case 'authentication':
      return `Workato rejected the API token (HTTP 401) for ${operation}${detail}`;
    case 'permission':
      return `Workato refused ${operation} (HTTP 403): the API client's role does not allow it, or the resource is in another data center${detail}`;
    case 'not_found':
      return `Workato has nothing at ${operation} (HTTP 404)${detail}`;
    case 'rate_limited':
      return `Workato rate-limited ${operation} (HTTP 429)${detail}`;
    case 'vendor_unavailable':
      return `Workato failed ${operation} (HTTP ${status})${detail}`;
    default:
      return `Workato refused ${operation} as invalid (HTTP ${status})${detail}`;
  }
}

function vendorMessageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown; errors?: unknown };
    const message = parsed.message ?? parsed.error ?? parsed.errors;
    if (message === undefined) return undefined;
    return (typeof message === 'string' ? message : JSON.stringify(message)).slice(0, 300);
  } catch {
    return body.trim().slice(0, 300) || undefined;
  }
}

function rateLimitOf(headers: Headers): WorkatoRateLimit | undefined {
  const number = (name: string) => {
    const value = Number(headers.get(name) ?? '');
    return headers.get(name) !== null && Number.isFinite(value) ? value : undefined;
  };
  const limit = number('x-ratelimit-limit');
  const remaining = number('x-ratelimit-remaining');
  const resetSeconds = number('x-ratelimit-reset');
  if (limit === undefined && remaining === undefined && resetSeconds === undefined) return undefined;
  return { ...(limit !== undefined ? { limit } : {}), ...(remaining !== undefined ? { remaining } : {}), ...(resetSeconds !== undefined ? { resetSeconds } : {}) };
}

/**
 * Workato's Developer API, Event Streams public API and data tables records, over fetch with one
 * API-client token. Every call here reads, so each is retried on 429, 5xx, timeouts and dropped
 * connections: exponential backoff with full jitter, capped, and never sooner than Retry-After.
 */
export class WorkatoHttpClient implements WorkatoClient {
  readonly #endpoints: WorkatoEndpoints;
  readonly #token: string;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #onResponse: WorkatoClientOptions['onResponse'];

  constructor(options: WorkatoClientOptions) {
    this.#endpoints = {
      developerApi: options.endpoints.developerApi.replace(/\/+$/, ''),
      eventStreams: options.endpoints.eventStreams.replace(/\/+$/, ''),
      dataTables: options.endpoints.dataTables.replace(/\/+$/, ''),
    };
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const retry = options.retry ?? DEFAULT_RETRY;
    this.#retry = { maxAttempts: Math.max(1, retry.attempts), baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs };
    this.#onResponse = options.onResponse;
  }

  async whoAmI(signal?: AbortSignal): Promise<WorkatoIdentity> {
    const user = await this.#json(ZUser, { family: 'developer_api', method: 'GET', endpoint: 'GET /api/users/me', path: '/api/users/me', signal });
    return { id: String(user.id), name: user.name ?? user.email ?? String(user.id) };
  }

  async consume(topicId: string, request: ConsumeRequest, signal?: AbortSignal): Promise<EventStreamMessage[]> {
    const { afterMessageId, sinceTime, batchSize, timeoutSecs } = request;
    if (afterMessageId !== undefined && sinceTime !== undefined) {
      throw new WorkatoError('validation', `Consuming Workato topic ${topicId}: afterMessageId and sinceTime exclude each other`);
    }
    if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > WORKATO_LIMITS.consumeBatch.max)) {
      throw new WorkatoError('validation', `Consuming Workato topic ${topicId}: batchSize must be 1 to ${WORKATO_LIMITS.consumeBatch.max}, not ${batchSize}`);
    }
    if (timeoutSecs !== undefined && (!Number.isInteger(timeoutSecs) || timeoutSecs < 0 || timeoutSecs > WORKATO_LIMITS.consumeTimeoutSecs.max)) {
      throw new WorkatoError('validation', `Consuming Workato topic ${topicId}: timeoutSecs must be 0 to ${WORKATO_LIMITS.consumeTimeoutSecs.max}, not ${timeoutSecs}`);
    }
    const body = {
      ...(afterMessageId !== undefined ? { after_message_id: afterMessageId } : {}),
      ...(sinceTime !== undefined ? { since_time: sinceTime } : {}),
      ...(batchSize !== undefined ? { batch_size: batchSize } : {}),
      ...(timeoutSecs !== undefined ? { timeout_secs: timeoutSecs } : {}),
    };
    const answer = await this.#json(ZMessages, {
      family: 'event_streams',
      method: 'POST',
      endpoint: 'POST /api/v1/topics/:topic_id/consume',
      path: `/api/v1/topics/${encodeURIComponent(topicId)}/consume`,
      body,
      // A long poll legitimately holds the answer for timeout_secs: wait that long and then some.
      timeoutMs: (timeoutSecs ?? 0) * 1000 + this.#timeoutMs,
      signal,
    });
    return answer.messages.map((message) => ({ messageId: message.message_id, payload: message.payload, time: message.time }));
  }

  async listRows(resource: RowResource, page: PageRequest, signal?: AbortSignal): Promise<RowPage> {
    switch (resource.kind) {
      case 'lookup_table': {
        const number = pageNumber(page.cursor);
        const perPage = clamp(page.pageSize, WORKATO_LIMITS.lookupTableRows.max);
        const rows = await this.#json(ZLookupRows, {
          family: 'developer_api',
          method: 'GET',
          endpoint: 'GET /api/lookup_tables/:lookup_table_id/rows',
          path: `/api/lookup_tables/${encodeURIComponent(resource.tableId)}/rows`,
          query: { page: number, per_page: perPage },
          signal,
        });
        return { rows: rows.map(lookupRow), nextCursor: rows.length === perPage ? String(number + 1) : null };
      }
      case 'recipes': {
        const number = pageNumber(page.cursor);
        const perPage = clamp(page.pageSize, WORKATO_LIMITS.recipes.max);
        const answer = await this.#json(ZItems, {
          family: 'developer_api',
          method: 'GET',
          endpoint: 'GET /api/recipes',
          path: '/api/recipes',
          query: { page: number, per_page: perPage },
          signal,
        });
        return { rows: answer.items.map(objectRow), nextCursor: answer.items.length === perPage ? String(number + 1) : null };
      }
      case 'jobs': {
        // Workato pages jobs by offset_job_id (newest first, each page the jobs before that one) and
        // takes no page size, so a page is full only as far as it knows: stop at the first empty one.
        const answer = await this.#json(ZItems, {
          family: 'developer_api',
          method: 'GET',
          endpoint: 'GET /api/recipes/:recipe_id/jobs',
          path: `/api/recipes/${encodeURIComponent(resource.recipeId)}/jobs`,
          query: { offset_job_id: page.cursor ?? undefined },
          signal,
        });
        const last = answer.items.at(-1);
        return { rows: answer.items.map(jobRow), nextCursor: last ? String(last.id) : null };
      }
      case 'data_table': {
        const answer = await this.#queryRecords(resource.tableId, {
          limit: clamp(page.pageSize, WORKATO_LIMITS.dataTableRecords.max),
          ...(page.cursor !== null ? { continuation_token: page.cursor } : {}),
        }, signal);
        return { rows: answer.data.map(recordRow), nextCursor: answer.continuation_token ?? null };
      }
    }
  }

  async getRow(resource: RowResource, id: string, signal?: AbortSignal): Promise<WorkatoRow | null> {
    try {
      switch (resource.kind) {
        case 'lookup_table':
          return lookupRow(
            await this.#json(ZLookupRow, {
              family: 'developer_api',
              method: 'GET',
              endpoint: 'GET /api/lookup_tables/:lookup_table_id/rows/:row_id',
              path: `/api/lookup_tables/${encodeURIComponent(resource.tableId)}/rows/${encodeURIComponent(id)}`,
              signal,
            }),
          );
        case 'recipes':
          return objectRow(await this.#json(ZRow, { family: 'developer_api', method: 'GET', endpoint: 'GET /api/recipes/:id', path: `/api/recipes/${encodeURIComponent(id)}`, signal }));
        case 'jobs':
          return jobRow(
            await this.#json(ZRow, {
              family: 'developer_api',
              method: 'GET',
              endpoint: 'GET /api/recipes/:recipe_id/jobs/:job_handle',
              path: `/api/recipes/${encodeURIComponent(resource.recipeId)}/jobs/${encodeURIComponent(id)}`,
              signal,
            }),
          );
        case 'data_table': {
          // The records API has no get-by-ID; a query on Workato's own record ID column is the way.
          const answer = await this.#queryRecords(resource.tableId, { limit: 1, where: { $record_id: { $eq: id } } }, signal);
          const record = answer.data[0];
          return record ? recordRow(record) : null;
        }
      }
    } catch (error) {
      // A data table query answers a missing record with no rows; its 404 means the table itself is missing.
      if (error instanceof WorkatoError && error.category === 'not_found' && resource.kind !== 'data_table') return null;
      throw error;
    }
  }

  /**
   * Publishes payloads to a topic, in batches of Workato's maximum, and answers their message IDs
   * in order. Tajo only reads topics; the demo feeds one with this, as a recipe would.
   */
  async publish(topicId: string, payloads: Record<string, unknown>[], signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < payloads.length; i += WORKATO_LIMITS.publishBatch.max) {
      const batch = payloads.slice(i, i + WORKATO_LIMITS.publishBatch.max);
      const answer = await this.#json(ZPublished, {
        family: 'event_streams',
        method: 'POST',
        endpoint: 'POST /api/v1/batch/topics/:topic_id/publish',
        path: `/api/v1/batch/topics/${encodeURIComponent(topicId)}/publish`,
        body: { payloads: batch },
        signal,
      });
      if (answer.is_partial_error || answer.message_ids.length !== batch.length) {
        throw new WorkatoError('vendor_unavailable', `Workato published ${answer.message_ids.length} of ${batch.length} messages to topic ${topicId}`, { status: 200 });
      }
      ids.push(...answer.message_ids);
    }
    return ids;
  }

  /** Adds a row to a lookup table (the demo's stand-in for a recipe that keeps one). */
  async addLookupRow(tableId: string, data: Record<string, unknown>, signal?: AbortSignal): Promise<WorkatoRow> {
    const row = await this.#json(ZLookupRow, {
      family: 'developer_api',
      method: 'POST',
      endpoint: 'POST /api/lookup_tables/:lookup_table_id/rows',
      path: `/api/lookup_tables/${encodeURIComponent(tableId)}/rows`,
      body: { data },
      signal,
    });
    return lookupRow(row);
  }

  #queryRecords(tableId: string, body: Record<string, unknown>, signal: AbortSignal | undefined) {
    return this.#json(ZQueryAnswer, {
      family: 'data_tables',
      method: 'POST',
      endpoint: 'POST /api/v1/tables/:data_table_id/query',
      path: `/api/v1/tables/${encodeURIComponent(tableId)}/query`,
      body,
      signal,
    });
  }

  async #json<T extends z.ZodType>(schema: T, call: Call): Promise<z.infer<T>> {
    const body = await this.#send(call);
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new WorkatoError('vendor_unavailable', `Workato answered ${call.method} ${call.path} with an unexpected body (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`, {
      status: 200,
    });
  }

  /** One call with its retries; resolves with the parsed JSON body of a 2xx answer. */
  async #send(call: Call): Promise<unknown> {
    const base = call.family === 'developer_api' ? this.#endpoints.developerApi : call.family === 'event_streams' ? this.#endpoints.eventStreams : this.#endpoints.dataTables;
    const url = new URL(base + call.path);
    for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const operation = `${call.method} ${call.path}`;
    const timeoutMs = call.timeoutMs ?? this.#timeoutMs;

    for (let attempt = 0; ; attempt += 1) {
      const attempts = attempt + 1;
      let failure: WorkatoError;
      try {
        const signal = call.signal ? AbortSignal.any([call.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
        const response = await fetch(url, {
          method: call.method,
          headers: {
            authorization: `Bearer ${this.#token}`,
            accept: 'application/json',
            ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
          signal,
        });
        // Read the body under the same deadline: a connection dropped mid-answer fails here.
        const body = await response.text();
        const retryAfterSeconds = readRateLimitHeaders(response.headers).retryAfterSeconds;
        const retryAfterMs = retryAfterSeconds === undefined ? undefined : Math.ceil(retryAfterSeconds * 1000);
        const rateLimit = rateLimitOf(response.headers);
        this.#onResponse?.({
          family: call.family,
          endpoint: call.endpoint,
          status: response.status,
          ...(rateLimit ? { rateLimit } : {}),
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        });
        if (response.ok) return body === '' ? null : (JSON.parse(body) as unknown);
        const category = categoryOf(response.status);
        const retryable = category === 'rate_limited' || category === 'vendor_unavailable';
        const message = describeRefusal(response.status, operation, vendorMessageOf(body));
        failure = new WorkatoError(category, this.#scrub(retryable ? `${message} (after ${attempts} attempt${attempts === 1 ? '' : 's'})` : message), {
          status: response.status,
          retryAfterMs,
        });
        if (!retryable) throw failure;
      } catch (error) {
        if (call.signal?.aborted) throw call.signal.reason;
        if (error instanceof WorkatoError) throw error;
        if (error instanceof SyntaxError) {
          throw new WorkatoError('vendor_unavailable', `Workato answered ${operation} with a body that is not JSON`, { status: 200 });
        }
        const timedOut = error instanceof Error && error.name === 'TimeoutError';
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
        failure = new WorkatoError(
          'vendor_unavailable',
          this.#scrub(
            timedOut
              ? `Workato did not answer ${operation} within ${timeoutMs} ms (after ${attempts} attempt${attempts === 1 ? '' : 's'})`
              : `Workato could not be reached for ${operation}: ${cause} (after ${attempts} attempt${attempts === 1 ? '' : 's'})`,
          ),
        );
      }
      if (attempts >= this.#retry.maxAttempts) throw failure;
      await sleep(Math.max(failure.retryAfterMs ?? 0, backoffDelay(attempt, this.#retry)), undefined, call.signal ? { signal: call.signal } : undefined);
    }
  }

  /** A last guard: whatever Workato echoed back, the token never reaches a message (a too-short one would only mangle words). */
  #scrub(message: string): string {
    return this.#token.length >= 8 ? message.replaceAll(this.#token, 'REDACTED') : message;
  }
}
