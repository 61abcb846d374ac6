import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActivationReport } from '../jobs/activation.ts';
import type { WorkatoResponseInfo } from '../workato/client.ts';
import type { BrevoClientOptions } from '../brevo/client.ts';

/**
 * What happened to a record: it arrived, became a Tajo record, changed nothing, reached Brevo, or
 * was refused (a new dead letter, or again as its open letter says: counted on that letter).
 */
export type RecordStage = 'received' | 'normalized' | 'unchanged' | 'stale' | 'activated' | 'dead_lettered' | 'dead_lettered_again';

/** A write's per-record outcomes, as contacts and events report them. */
export interface WriteOutcomes {
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  rejected: number;
}

type BrevoResponse = Parameters<NonNullable<BrevoClientOptions['onResponse']>>[0];

/**
 * The process's Prometheus counters, and the gauges the /metrics route fills from the database at
 * each scrape. A registry of its own per instance: tests build many apps in one process.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'tajo_http_requests_total',
    help: 'HTTP requests answered, by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'tajo_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly records = new Counter({
    name: 'tajo_records_total',
    help: 'Records by stage (received, normalized, unchanged, stale, activated, dead_lettered, dead_lettered_again: refused as their open dead letter says already); category is the failure category of dead-lettered ones.',
    labelNames: ['stage', 'category'] as const,
    registers: [this.registry],
  });

  readonly vendorRequests = new Counter({
    name: 'tajo_vendor_requests_total',
    help: 'Answers from Brevo and Workato, by endpoint family and status (timeout and network when there was none).',
    labelNames: ['vendor', 'family', 'status'] as const,
    registers: [this.registry],
  });

  readonly tokenRefreshFailures = new Counter({
    name: 'tajo_token_refresh_failures_total',
    help: 'Token endpoint requests refused, by OAuth error code.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = this.#gauge('tajo_job_queue_depth', 'Jobs waiting (created or retry) per pg-boss queue.', ['queue']);
  readonly queueOldestAge = this.#gauge('tajo_job_queue_oldest_waiting_seconds', 'How long the oldest job due to run has waited, per pg-boss queue.', ['queue']);
  readonly cursorLag = this.#gauge('tajo_sync_cursor_lag_seconds', 'Seconds since a running sync job last moved its cursor (since it started, if never).', ['source_id', 'kind']);
  readonly stalledJobs = this.#gauge('tajo_sync_jobs_stalled', 'Running sync jobs whose cursor is stalled.', []);
  readonly hintRejections = this.#gauge('tajo_webhook_hint_rejections', 'Webhook hints refused, as recorded, by reason.', ['reason']);
  readonly openDeadLetters = this.#gauge('tajo_dead_letters_open', 'Open dead letters by category.', ['category']);
  readonly workatoRemaining = this.#gauge('tajo_workato_rate_limit_remaining', "Requests Workato's rate-limit headers said remained at the source's last 429.", ['source_id']);
  readonly workatoRateLimitedAt = this.#gauge('tajo_workato_rate_limited_timestamp_seconds', 'When Workato last answered a source with 429 (Unix time).', ['source_id']);
  readonly alertFiring = this.#gauge('tajo_alert_firing', 'Whether an alert condition fires (1) or not (0), over every workspace.', ['name']);

  #gauge<L extends string>(name: string, help: string, labelNames: L[]) {
    return new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  }

  count(stage: RecordStage, value: number, category = '') {
    if (value > 0) this.records.inc({ stage, category }, value);
  }

  /** A committed write of contacts or events; refused records are validation failures. */
  countWrite(received: number, outcomes: WriteOutcomes) {
    this.count('received', received);
    this.count('normalized', outcomes.created + outcomes.updated);
    this.count('unchanged', outcomes.unchanged);
    this.count('stale', outcomes.stale);
    this.count('dead_lettered', outcomes.rejected, 'validation');
  }

  /** A finished activation job: a deletion carried to Brevo is an activation too. Its dead letters count where they are written. */
  countActivation(report: ActivationReport) {
    this.count('activated', report.activated + report.deleted);
  }

  brevoResponse = (event: BrevoResponse) => {
    this.vendorRequests.inc({ vendor: 'brevo', family: event.family, status: String(event.status) });
  };

  workatoResponse = (info: WorkatoResponseInfo) => {
    this.vendorRequests.inc({ vendor: 'workato', family: info.family, status: String(info.status) });
  };
}

/** Tallies per-record outcomes by status. */
export function tally(outcomes: readonly { status: string }[]): WriteOutcomes {
  const counts: WriteOutcomes = { created: 0, updated: 0, unchanged: 0, stale: 0, rejected: 0 };
  for (const { status } of outcomes) if (status in counts) counts[status as keyof WriteOutcomes] += 1;
  return counts;
}
