import type { Db } from '../db/client.ts';
import type { Config } from '../config/config.ts';
import { SOURCE_RECORD_ENTITY } from '../sources/ingest.ts';
import { ACTIVATION_QUEUE } from '../jobs/activation-workers.ts';

export const ALERT_NAMES = ['token_refresh_failures', 'webhook_signature_failures', 'sync_cursor_stalled', 'brevo_rejection_rate', 'dead_letter_growth', 'activation_stalled'] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

export interface Alert {
  name: AlertName;
  severity: 'warning' | 'critical';
  firing: boolean;
  /** When the firing condition's oldest counted occurrence happened; null when it does not fire. */
  since: string | null;
  value: number;
  threshold: number;
  detail: string;
}

export type AlertThresholds = Pick<
  Config,
  'ALERT_TOKEN_REFRESH_FAILURES' | 'ALERT_SIGNATURE_FAILURES' | 'ALERT_BREVO_REJECTION_RATE' | 'ALERT_DEAD_LETTER_GROWTH' | 'ALERT_ACTIVATION_STALL_MINUTES'
>;

/** Brevo's refusals; rate limits and outages are Brevo being busy or down, not rejecting records. */
const REJECTION_CATEGORIES = ['validation', 'mapping', 'authentication', 'permission'];
/** Fewer attempts than this in the window say nothing sustained about Brevo's rejection rate. */
const MIN_ACTIVATION_ATTEMPTS = 20;

interface Occurrences {
  count: number;
  oldest: Date | null;
}

/**
 * Alert conditions, evaluated from the database on each request (and each scrape), so they fire
 * and clear with the data whichever process did the work, and keep no state of their own. A
 * workspace sees its own conditions; the Prometheus gauge sees every workspace's.
 */
export class AlertService {
  constructor(
    private readonly db: Db,
    private readonly thresholds: AlertThresholds,
  ) {}

  /** Every condition, for one workspace, or for all of them (null). */
  async evaluate(workspaceId: string | null): Promise<Alert[]> {
    const t = this.thresholds;
    const [tokens, signatures, stalls, rejections, activations, deadLetters, stalledActivation] = await Promise.all([
      this.#occurrences(`SELECT count(*)::int AS count, min(created_at) AS oldest FROM token_refresh_failures WHERE created_at > now() - interval '10 minutes' AND ($1::uuid IS NULL OR workspace_id = $1::uuid)`, workspaceId),
      this.#occurrences(
        `SELECT count(*)::int AS count, min(created_at) AS oldest FROM webhook_hint_rejections
         WHERE reason IN ('signature', 'stale') AND created_at > now() - interval '10 minutes' AND ($1::uuid IS NULL OR workspace_id = $1::uuid)`,
        workspaceId,
      ),
      this.#occurrences(`SELECT count(*)::int AS count, min(stalled_since) AS oldest FROM sync_jobs WHERE status = 'running' AND stalled_since IS NOT NULL AND ($1::uuid IS NULL OR workspace_id = $1::uuid)`, workspaceId),
      // A refusal repeated on an open letter is a refusal in the window too: counted by when it was last seen.
      this.#occurrences(
        `SELECT count(*)::int AS count, min(last_seen_at) AS oldest FROM dead_letters
         WHERE entity_type <> $2 AND category = ANY($3::text[]) AND last_seen_at > now() - interval '15 minutes' AND ($1::uuid IS NULL OR workspace_id = $1::uuid)`,
        workspaceId,
        [SOURCE_RECORD_ENTITY, REJECTION_CATEGORIES],
      ),
      this.#occurrences(
        `SELECT ((SELECT count(*) FROM brevo_contact_states WHERE activated_at > now() - interval '15 minutes' AND ($1::uuid IS NULL OR workspace_id = $1::uuid))
               + (SELECT count(*) FROM brevo_event_states WHERE status = 'accepted' AND settled_at > now() - interval '15 minutes' AND ($1::uuid IS NULL OR workspace_id = $1::uuid)))::int AS count,
                NULL::timestamptz AS oldest`,
        workspaceId,
      ),
      this.#occurrences(`SELECT count(*)::int AS count, min(created_at) AS oldest FROM dead_letters WHERE status = 'open' AND created_at > now() - interval '1 hour' AND ($1::uuid IS NULL OR workspace_id = $1::uuid)`, workspaceId),
      this.#stalledActivation(workspaceId, t.ALERT_ACTIVATION_STALL_MINUTES),
    ]);

    const attempts = rejections.count + activations.count;
    const rate = attempts === 0 ? 0 : rejections.count / attempts;
    const rateFires = attempts >= MIN_ACTIVATION_ATTEMPTS && rate >= t.ALERT_BREVO_REJECTION_RATE;
    return [
      counted('token_refresh_failures', 'critical', tokens, t.ALERT_TOKEN_REFRESH_FAILURES, `${tokens.count} token requests refused in the last 10 minutes (a revoked, expired or rotated API key in a connection?).`),
      counted('webhook_signature_failures', 'warning', signatures, t.ALERT_SIGNATURE_FAILURES, `${signatures.count} webhook hints refused for a bad signature or a stale timestamp in the last 10 minutes.`),
      counted('sync_cursor_stalled', 'critical', stalls, 1, `${stalls.count} running sync jobs whose cursor is stalled.`),
      {
        name: 'brevo_rejection_rate',
        severity: 'critical',
        firing: rateFires,
        since: rateFires ? iso(rejections.oldest) : null,
        value: Math.round(rate * 1000) / 1000,
        threshold: t.ALERT_BREVO_REJECTION_RATE,
        detail: `Brevo refused ${rejections.count} of ${attempts} activations in the last 15 minutes (the rate counts from ${MIN_ACTIVATION_ATTEMPTS} activations).`,
      },
      counted('dead_letter_growth', 'warning', deadLetters, t.ALERT_DEAD_LETTER_GROWTH, `${deadLetters.count} dead letters created in the last hour are still open.`),
      counted(
        'activation_stalled',
        'critical',
        stalledActivation,
        1,
        `${stalledActivation.count} activation queue(s) (a workspace's contacts, events, lists...) with work waiting over ${t.ALERT_ACTIVATION_STALL_MINUTES} minutes and none carried out meanwhile (a Brevo rate limit spent until its reset, Brevo down, or no worker running): GET /v1/brevo/activation shows each family's budget and until when it is spent.`,
      ),
    ];
  }

  /**
   * Activation queues (a workspace's entity type: contacts, events, a list's members...) whose
   * work has waited longer than `minutes` (across deferrals: queuedAt) while none of their jobs
   * carried anything out meanwhile. None where the job engine never ran (the first worker makes its schema).
   */
  async #stalledActivation(workspaceId: string | null, minutes: number): Promise<Occurrences> {
    const { rows } = await this.db.sql.query<{ engine: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS engine");
    if (!rows[0]!.engine) return { count: 0, oldest: null };
    return this.#occurrences(
      `SELECT count(*)::int AS count, min(oldest) AS oldest FROM (
         SELECT w.data->>'workspaceId' AS workspace_id, w.data->>'entityType' AS entity_type, min((w.data->>'queuedAt')::timestamptz) AS oldest
         FROM pgboss.job w
         WHERE w.name = $2 AND w.state IN ('created', 'retry', 'active') AND ($1::uuid IS NULL OR w.data->>'workspaceId' = $1::text)
         GROUP BY 1, 2
         HAVING min((w.data->>'queuedAt')::timestamptz) < now() - make_interval(mins => $3)
       ) waiting
       WHERE NOT EXISTS (
         SELECT 1 FROM pgboss.job d
         WHERE d.name = $2 AND d.state = 'completed' AND d.completed_on > now() - make_interval(mins => $3)
           AND d.data->>'workspaceId' = waiting.workspace_id AND d.data->>'entityType' = waiting.entity_type
           AND coalesce((d.output->>'activated')::int, 0) + coalesce((d.output->>'deleted')::int, 0) + coalesce((d.output->>'deadLettered')::int, 0) > 0
       )`,
      workspaceId,
      [ACTIVATION_QUEUE, minutes],
    );
  }

  async #occurrences(sql: string, workspaceId: string | null, more: unknown[] = []): Promise<Occurrences> {
    const { rows } = await this.db.sql.query<Occurrences>(sql, [workspaceId, ...more]);
    return rows[0]!;
  }
}

/** A condition that fires once its count reaches the threshold. */
function counted(name: AlertName, severity: Alert['severity'], occurrences: Occurrences, threshold: number, detail: string): Alert {
  const firing = occurrences.count >= threshold;
  return { name, severity, firing, since: firing ? iso(occurrences.oldest) : null, value: occurrences.count, threshold, detail };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
