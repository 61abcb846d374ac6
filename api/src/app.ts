import Fastify, { LogController, type FastifyBaseLogger, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config/config.ts';
import type { Db } from './db/client.ts';
import { registerErrorHandling } from './errors/handler.ts';
import { registerOpenApi } from './openapi/plugin.ts';
import { AuthService } from './auth/service.ts';
import { requireApiKey } from './auth/plugin.ts';
import { AccessTokens } from './auth/access-tokens.ts';
import { OAuthService } from './oauth/service.ts';
import { oauthRoutes } from './oauth/routes.ts';
import { WorkspaceService } from './workspaces/service.ts';
import { ApiKeyService } from './api-keys/service.ts';
import { IdempotencyService } from './idempotency/service.ts';
import { supportIdempotencyKeys } from './idempotency/plugin.ts';
import { ContactService } from './contacts/service.ts';
import { CoalescingWriter } from './contacts/writer.ts';
import { workspaceRoutes } from './workspaces/routes.ts';
import { apiKeyRoutes } from './api-keys/routes.ts';
import { contactRoutes } from './contacts/routes.ts';
import { ListService } from './lists/service.ts';
import { listRoutes } from './lists/routes.ts';
import { ObjectService } from './objects/service.ts';
import { objectRoutes } from './objects/routes.ts';
import { MessageService } from './messages/service.ts';
import { messageRoutes } from './messages/routes.ts';
import { CampaignDraftService } from './campaigns/service.ts';
import { campaignRoutes } from './campaigns/routes.ts';
import { healthRoutes, type ReadinessCheck } from './health/routes.ts';
import { loggerOptions } from './logging.ts';
import type { SecretBox } from './security/secret-box.ts';
import { BrevoAccounts } from './brevo/accounts.ts';
import { BrevoCatalog } from './brevo/catalog.ts';
import type { BrevoClientOptions } from './brevo/client.ts';
import { brevoRoutes } from './brevo/routes.ts';
import { BrevoBackfill } from './brevo/backfill.ts';
import { DeadLetterService } from './dead-letters/service.ts';
import { deadLetterRoutes } from './dead-letters/routes.ts';
import { EventService } from './events/service.ts';
import { eventRoutes } from './events/routes.ts';
import { WebhookService } from './webhooks/service.ts';
import { CallbackPolicy } from './webhooks/callback-policy.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { mcpRoutes } from './mcp/routes.ts';
import { SourceService } from './sources/service.ts';
import { WorkatoConnections, type WorkatoConnectionOptions } from './sources/connections.ts';
import { SourceIngest } from './sources/ingest.ts';
import { sourceRoutes } from './sources/routes.ts';
import { SyncJobService } from './sync/service.ts';
import { syncJobRoutes } from './sync/routes.ts';
import { HintService } from './hints/service.ts';
import { hintRoutes } from './hints/routes.ts';
import { operatorRoutes } from './operator/routes.ts';
import { Metrics } from './metrics/registry.ts';
import { registerHttpMetrics } from './metrics/plugin.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { TokenRefreshFailures } from './oauth/failures.ts';
import { AlertService, type AlertThresholds } from './alerts/service.ts';
import { alertRoutes } from './alerts/routes.ts';

export interface Services {
  auth: AuthService;
  oauth: OAuthService;
  workspaces: WorkspaceService;
  apiKeys: ApiKeyService;
  idempotency: IdempotencyService;
  contacts: ContactService;
  events: EventService;
  lists: ListService;
  /** Object types and their records (custom data). */
  objects: ObjectService;
  messages: MessageService;
  campaignDrafts: CampaignDraftService;
  brevoAccounts: BrevoAccounts;
  /** Brevo folders and lists by deterministic name, ensured once per account. */
  brevoCatalog: BrevoCatalog;
  brevoBackfill: BrevoBackfill;
  deadLetters: DeadLetterService;
  webhooks: WebhookService;
  /** Workato clients for sources, with their credentials opened. */
  workato: WorkatoConnections;
  sources: SourceService;
  /** Maps and writes what sources deliver (sync pages, hint refetches). */
  sourceIngest: SourceIngest;
  syncJobs: SyncJobService;
  hints: HintService;
  /** This process's Prometheus registry and counters. */
  metrics: Metrics;
  tokenRefreshFailures: TokenRefreshFailures;
  alerts: AlertService;
  config: { brevoBaseUrl: string };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface ServiceOptions {
  config: Pick<Config, 'IDEMPOTENCY_TTL_HOURS' | 'BREVO_BASE_URL' | 'WEBHOOK_ALLOW_PRIVATE_NETWORKS' | 'WORKATO_BASE_URL'> & AlertThresholds;
  /** Seals vendor credentials at rest, and access tokens. */
  secrets: SecretBox;
  /** Brevo client settings (tests shorten retries and timeouts). */
  brevo?: Pick<BrevoClientOptions, 'retry' | 'timeoutSeconds' | 'onResponse'>;
  /** Workato client settings (tests shorten retries and timeouts). */
  workato?: WorkatoConnectionOptions['client'];
  /** For what services notice outside a request (Workato's 429s). */
  log?: FastifyBaseLogger;
  /** The process's metrics, shared with its workers; a registry of the services' own otherwise. */
  metrics?: Metrics;
}

export function createServices(db: Db, { config, secrets, brevo, workato: workatoClient, log, metrics = new Metrics() }: ServiceOptions): Services {
  const tokens = new AccessTokens(secrets);
  const auth = new AuthService(db, tokens);
  const idempotency = new IdempotencyService(db, config.IDEMPOTENCY_TTL_HOURS);
  const writer = new CoalescingWriter(db.sql);
  const contacts = new ContactService(db, idempotency, writer, metrics);
  const events = new EventService(db, metrics);
  const objects = new ObjectService(db, idempotency);
  const deadLetters = new DeadLetterService(db, metrics);
  const workato = new WorkatoConnections(db, secrets, log, {
    baseUrl: config.WORKATO_BASE_URL,
    client: {
      ...workatoClient,
      onResponse: (info) => {
        workatoClient?.onResponse?.(info);
        metrics.workatoResponse(info);
      },
    },
  });
  return {
    auth,
    oauth: new OAuthService(auth, tokens),
    idempotency,
    workspaces: new WorkspaceService(db, auth),
    apiKeys: new ApiKeyService(db, auth),
    contacts,
    events,
    lists: new ListService(db),
    objects,
    messages: new MessageService(db),
    campaignDrafts: new CampaignDraftService(db),
    brevoAccounts: new BrevoAccounts(db, secrets, {
      ...brevo,
      onResponse: (event) => {
        brevo?.onResponse?.(event);
        metrics.brevoResponse(event);
      },
    }),
    brevoCatalog: new BrevoCatalog(db),
    brevoBackfill: new BrevoBackfill(db),
    deadLetters,
    webhooks: new WebhookService(db, secrets, new CallbackPolicy(config.WEBHOOK_ALLOW_PRIVATE_NETWORKS)),
    workato,
    sources: new SourceService(db, secrets, workato, objects),
    sourceIngest: new SourceIngest(db, contacts, objects, events, deadLetters, metrics),
    syncJobs: new SyncJobService(db),
    hints: new HintService(db, secrets),
    metrics,
    tokenRefreshFailures: new TokenRefreshFailures(db, metrics),
    alerts: new AlertService(db, config),
    config: { brevoBaseUrl: config.BREVO_BASE_URL },
  };
}

export interface AppOptions extends Omit<ServiceOptions, 'config'> {
  config: Pick<Config, 'BODY_LIMIT_BYTES' | 'IDEMPOTENCY_TTL_HOURS' | 'LOG_LEVEL' | 'BREVO_BASE_URL' | 'WEBHOOK_ALLOW_PRIVATE_NETWORKS' | 'WORKATO_BASE_URL'> & AlertThresholds;
  db: Db;
  /** What /ready checks besides the database (migrations, job engine...). */
  readiness?: ReadinessCheck[];
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds the API: external plugins, then the app's services, then routes. */
export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(options.config.LOG_LEVEL),
    bodyLimit: options.config.BODY_LIMIT_BYTES,
    // Honour a caller's request ID when it is sane, so a recipe's job and our logs line up.
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  // Callback-style hooks on the hot path: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  await registerOpenApi(app);

  const services = createServices(options.db, { ...options, log: options.log ?? app.log });
  app.decorate('services', services);
  registerHttpMetrics(app, services.metrics);

  await app.register(healthRoutes, { db: options.db, checks: options.readiness ?? [] });
  // Outside the API-key hook: a browser cannot send the key on navigation; the page asks for it.
  await app.register(operatorRoutes);
  // Outside the API-key hook, like the probes: Prometheus scrapes without a key.
  await app.register(metricsRoutes, { db: options.db });
  // Outside the API-key hook: the token endpoint authenticates its client itself.
  await app.register(oauthRoutes, { prefix: '/v1' });
  // Outside the API-key hook too: Workato signs its hints with the source's secret.
  await app.register(hintRoutes, { prefix: '/v1' });
  await app.register(
    async (v1) => {
      requireApiKey(v1, services.auth);
      supportIdempotencyKeys(v1, services.idempotency, options.db.sql);
      await v1.register(workspaceRoutes);
      await v1.register(apiKeyRoutes);
      await v1.register(contactRoutes);
      await v1.register(eventRoutes);
      await v1.register(listRoutes);
      await v1.register(objectRoutes);
      await v1.register(messageRoutes);
      await v1.register(campaignRoutes);
      await v1.register(brevoRoutes);
      await v1.register(deadLetterRoutes);
      await v1.register(webhookRoutes);
      await v1.register(sourceRoutes);
      await v1.register(syncJobRoutes);
      await v1.register(alertRoutes);
    },
    { prefix: '/v1' },
  );
  await app.register(async (mcp) => {
    requireApiKey(mcp, services.auth);
    await mcp.register(mcpRoutes);
  });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
