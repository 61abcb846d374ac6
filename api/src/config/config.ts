import { z } from 'zod';

/** Environment variables the API reads, validated once at boot. */
export const ZConfig = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** A real PostgreSQL; when absent the API starts embedded PostgreSQL (PGlite) under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  /** Loopback port of the embedded database; 0 picks a free one. */
  EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body accepted, in bytes (a batch of 1,000 contacts fits easily in the default). */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /** The URL clients use to reach the API, for docs and printed links. Defaults to http://HOST:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  /** Hours an Idempotency-Key's first response is replayed. */
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().min(24).default(24),
  /**
   * Key for vendor credentials at rest and for access tokens: 32 bytes as 64 hex characters or
   * base64. Default: generated into DATA_DIR. Every API and worker process needs the same one.
   */
  TAJO_ENCRYPTION_KEY: z.string().optional(),
  /** Brevo's API base URL for new connections; the demo points it at the local simulator. */
  BREVO_BASE_URL: z.string().url().default('https://api.brevo.com/v3'),
  /**
   * One origin for every Workato host (Developer API, Event Streams, data tables): the demo and
   * tests point it at the Workato simulator. Unset, each source uses its data center's hosts.
   */
  WORKATO_BASE_URL: z.string().url().optional(),
  /** Activation and webhook delivery workers in the API process, or off when separate `npm run worker` processes carry them. */
  ACTIVATION_WORKERS: z.enum(['in-process', 'off']).default('in-process'),
  /** Port of a worker process's own /metrics and /health (on HOST); 0 picks a free one. 9464 is Prometheus's exporter port. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Webhook callbacks on loopback or private networks (local development, the demo, tests); refused otherwise. */
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
  /** Refused token requests in 10 minutes that fire the token-refresh alert. */
  ALERT_TOKEN_REFRESH_FAILURES: z.coerce.number().int().min(1).default(5),
  /** Webhook hints refused for a bad signature or a stale timestamp in 10 minutes that fire the signature alert. */
  ALERT_SIGNATURE_FAILURES: z.coerce.number().int().min(1).default(10),
  /** Share of Brevo activations refused (dead letters against activations, over 15 minutes) that fires the rejection alert. */
  ALERT_BREVO_REJECTION_RATE: z.coerce.number().gt(0).max(1).default(0.2),
  /** Open dead letters created in an hour that fire the dead-letter growth alert. */
  ALERT_DEAD_LETTER_GROWTH: z.coerce.number().int().min(1).default(100),
  /** Minutes activation work may wait, with no activation done for its workspace meanwhile, before the stall alert fires. */
  ALERT_ACTIVATION_STALL_MINUTES: z.coerce.number().int().min(1).default(10),
});

export type Config = z.infer<typeof ZConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ZConfig.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
