import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { EventStreamMessage } from '../../workato/types.ts';
import { WorkatoSimulatorError } from './errors.ts';
import { registerEventStreamRoutes, TopicStore } from './event-streams.ts';
import { registerMcpRoutes, MCP_TOOLS, type McpToolName } from './mcp.ts';
import { registerResourceRoutes, ResourceStore, type SimulatedRow, type TableKind } from './resources.ts';
import { sendWebhook, type WebhookDelivery } from './webhooks.ts';

/**
 * A stateful stand-in for Workato, for tests, benchmarks and the zero-setup demo, on 127.0.0.1. One
 * origin serves the Developer API (users, lookup tables, recipes, jobs), the data tables records
 * API, the Event Streams public API and an MCP server, so a client pointed at it talks HTTP exactly
 * as to Workato. It checks Bearer tokens, limits requests per token and minute, injects faults
 * (random shares, or deterministically the next N requests to a path) and counts every request.
 */

export type WorkatoFamily = 'developer_api' | 'event_streams' | 'data_tables' | 'mcp';

export interface WorkatoFaults {
  /** Share of requests answered 401 whatever their token. */
  unauthorized: number;
  /** Share answered 429 with Retry-After (before any work). */
  rateLimited: number;
  /** Share answered 500/502/503 (before any work). */
  serverError: number;
  /** Extra latency, uniformly drawn from [min, max] ms. */
  latencyMs: [number, number];
  /** Share of requests whose connection is dropped without an answer. */
  dropConnection: number;
}

const NO_FAULTS: WorkatoFaults = { unauthorized: 0, rateLimited: 0, serverError: 0, latencyMs: [0, 0], dropConnection: 0 };

export interface RequestRecord {
  method: string;
  /** Route template, e.g. /api/lookup_tables/:lookup_table_id/rows. */
  route: string;
  /** Path without the query string. */
  path: string;
  status: number;
  family: WorkatoFamily;
}

export interface WorkatoSimulatorOptions {
  /** API-client tokens Workato accepts. */
  tokens: string[];
  /** Requests per token and minute; over it, 429 with Retry-After. Unlimited when left out. */
  rateLimitPerMinute?: number;
  /** Topics that exist from the start (over HTTP, a topic must exist; in-process publish creates it). */
  topics?: string[];
  /** The MCP server's tools (default: all); leave one out to test a server lacking it. */
  mcpTools?: McpToolName[];
  /** Source of randomness for the fault shares (default Math.random), to replay a run. */
  random?: () => number;
}

export interface WorkatoSimulator {
  /** http://127.0.0.1:PORT: the base of every API here (use it as all three endpoints). */
  url: string;
  /** The MCP server's URL. */
  mcpUrl: string;
  close(): Promise<void>;

  createTopic(topicId: string): void;
  /** Publishes in-process (creating the topic if need be); long polls waiting on it answer at once. */
  publish(topicId: string, payloads: Record<string, unknown>[]): EventStreamMessage[];
  messages(topicId: string): EventStreamMessage[];
  /** Consume requests answered for the topic, and the messages they returned in all. */
  consumeStats(topicId: string): { consumeCalls: number; messagesReturned: number };

  /** Replaces a lookup table's rows; each element is a row's `data`. */
  setLookupTable(tableId: string, rows: Record<string, unknown>[]): SimulatedRow[];
  /** Replaces a data table's records; each element is a record's fields. */
  setDataTable(tableId: string, records: Record<string, unknown>[]): SimulatedRow[];
  /** Changes a row's fields (its updated_at moves) or adds the row. */
  upsertRow(kind: TableKind, tableId: string, row: { id?: string; data: Record<string, unknown> }): SimulatedRow;
  setRecipes(recipes: Record<string, unknown>[]): void;
  /** A recipe's jobs, newest first (Workato's order). */
  setJobs(recipeId: string, jobs: Record<string, unknown>[]): void;
  resources: ResourceStore;

  addToken(token: string): void;
  revokeToken(token: string): void;

  faults: WorkatoFaults;
  setFaults(faults: Partial<WorkatoFaults>): void;
  /** Answers the next `count` requests whose path starts with `pathPrefix` with `status`, or drops their connection. */
  failNext(pathPrefix: string, status: number | 'drop', count?: number, options?: { retryAfterSeconds?: number }): void;

  sendWebhook(targetUrl: string, delivery: WebhookDelivery): Promise<number>;

  requests: RequestRecord[];
  count(filter?: (record: RequestRecord) => boolean): number;
}

interface PlannedFailure {
  pathPrefix: string;
  status: number | 'drop';
  remaining: number;
  retryAfterSeconds?: number | undefined;
}

function familyOf(path: string): WorkatoFamily {
  if (path.startsWith('/api/v1/topics/') || path.startsWith('/api/v1/batch/topics/')) return 'event_streams';
  if (path.startsWith('/api/v1/tables/')) return 'data_tables';
  if (path === '/mcp' || path.startsWith('/mcp/')) return 'mcp';
  return 'developer_api';
}

const pathOf = (url: string) => url.split('?')[0]!;

function tokenOf(request: FastifyRequest, path: string): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (match) return match[1]!.trim();
  // Workato MCP server URLs carry their token in the query string.
  if (familyOf(path) === 'mcp') {
    const token = (request.query as Record<string, unknown>).token;
    return typeof token === 'string' ? token : undefined;
  }
  return undefined;
}

const tooManyRequests = (reply: FastifyReply, retryAfterSeconds: number) => {
  reply.header('retry-after', String(retryAfterSeconds));
  return new WorkatoSimulatorError(429, 'Too many requests');
};

function failWith(status: number, reply: FastifyReply, retryAfterSeconds?: number): WorkatoSimulatorError {
  if (status === 429) return tooManyRequests(reply, retryAfterSeconds ?? 1);
  if (status === 401) return new WorkatoSimulatorError(401, 'Unauthorized');
  return new WorkatoSimulatorError(status, status >= 500 ? 'Server error' : 'Request failed');
}

export async function startWorkatoSimulator(options: WorkatoSimulatorOptions, port = 0): Promise<WorkatoSimulator> {
  const tokens = new Set(options.tokens);
  const random = options.random ?? Math.random;
  const topics = new TopicStore();
  for (const topic of options.topics ?? []) topics.createTopic(topic);
  const resources = new ResourceStore();
  const requests: RequestRecord[] = [];
  const planned: PlannedFailure[] = [];
  const windows = new Map<string, { start: number; used: number }>();
  let faults: WorkatoFaults = { ...NO_FAULTS };
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024, forceCloseConnections: true });

  const rateLimit = (token: string, reply: FastifyReply) => {
    const limit = options.rateLimitPerMinute;
    if (limit === undefined) return;
    const now = Date.now();
    let window = windows.get(token);
    if (!window || now - window.start >= 60_000) windows.set(token, (window = { start: now, used: 0 }));
    window.used += 1;
    if (window.used > limit) throw tooManyRequests(reply, Math.max(1, Math.ceil((window.start + 60_000 - now) / 1000)));
  };

  app.addHook('preHandler', async (request, reply) => {
    const path = pathOf(request.url);
    const route = request.routeOptions.url ?? path;
    reply.raw.once('finish', () => requests.push({ method: request.method, route, path, status: reply.raw.statusCode, family: familyOf(path) }));
    const [min, max] = faults.latencyMs;
    if (max > 0) await new Promise((resolve) => setTimeout(resolve, min + random() * (max - min)));
    const plan = planned.find((candidate) => candidate.remaining > 0 && path.startsWith(candidate.pathPrefix));
    if (plan) plan.remaining -= 1;
    if (plan?.status === 'drop' || (!plan && random() < faults.dropConnection)) {
      request.raw.socket.destroy();
      return reply;
    }
    if (plan) throw failWith(plan.status as number, reply, plan.retryAfterSeconds);
    const token = tokenOf(request, path);
    if (token === undefined || !tokens.has(token) || random() < faults.unauthorized) throw new WorkatoSimulatorError(401, 'Unauthorized');
    if (random() < faults.rateLimited) throw tooManyRequests(reply, 1);
    if (random() < faults.serverError) throw failWith([500, 502, 503][Math.floor(random() * 3)]!, reply);
    rateLimit(token, reply);
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (error instanceof WorkatoSimulatorError) {
      return reply.code(error.status).send(error.status >= 500 ? { message: error.message, id: randomUUID() } : { message: error.message });
    }
    // Fastify's own refusals (unparseable JSON, body too large) answer in Workato's shape too.
    return reply.code(error.statusCode && error.statusCode < 500 ? error.statusCode : 500).send({ message: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ message: `${request.method} ${pathOf(request.url)} is not served by the simulator` }));
  app.addHook('onClose', async () => topics.wakeAll());

  registerResourceRoutes(app, resources);
  registerEventStreamRoutes(app, topics);
  registerMcpRoutes(app, resources, options.mcpTools ?? MCP_TOOLS);

  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    mcpUrl: `${url}/mcp`,
    close: () => app.close(),
    createTopic: (topicId) => void topics.createTopic(topicId),
    publish: (topicId, payloads) => topics.publish(topicId, payloads),
    messages: (topicId) => topics.messages(topicId),
    consumeStats: (topicId) => topics.stats(topicId),
    setLookupTable: (tableId, rows) => resources.setTable('lookup_table', tableId, rows),
    setDataTable: (tableId, records) => resources.setTable('data_table', tableId, records),
    upsertRow: (kind, tableId, row) => resources.upsertRow(kind, tableId, row),
    setRecipes: (recipes) => resources.setRecipes(recipes),
    setJobs: (recipeId, jobs) => resources.setJobs(recipeId, jobs),
    resources,
    addToken: (token) => void tokens.add(token),
    revokeToken: (token) => void tokens.delete(token),
    get faults() {
      return faults;
    },
    setFaults(next) {
      faults = { ...NO_FAULTS, ...next };
    },
    failNext(pathPrefix, status, count = 1, failOptions = {}) {
      planned.push({ pathPrefix, status, remaining: count, retryAfterSeconds: failOptions.retryAfterSeconds });
    },
    sendWebhook: (targetUrl, delivery) => sendWebhook(targetUrl, delivery),
    requests,
    count: (filter = () => true) => requests.filter(filter).length,
  };
}
