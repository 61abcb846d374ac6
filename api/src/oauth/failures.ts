import type { Db } from '../db/client.ts';
import type { Metrics } from '../metrics/registry.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refused token requests (a connector whose key was revoked or rotated fails each refresh):
 * counted for Prometheus, and kept in the database for a day so the repeated-failures alert sees
 * every API process's, by the workspace of the key named as client_id.
 */
export class TokenRefreshFailures {
  constructor(
    private readonly db: Db,
    private readonly metrics: Metrics,
  ) {}

  async record(reason: string, clientId: string | undefined) {
    this.metrics.tokenRefreshFailures.inc({ reason });
    const keyId = clientId && UUID.test(clientId) ? clientId : null;
    // Pruned as it grows, so a flood of bad requests keeps at most a day's rows.
    await this.db.$executeRaw`
      WITH pruned AS (DELETE FROM token_refresh_failures WHERE created_at < now() - interval '1 day')
      INSERT INTO token_refresh_failures (workspace_id, reason)
      VALUES ((SELECT workspace_id FROM api_keys WHERE id = ${keyId}::uuid), ${reason})`;
  }
}
