import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { AppError } from '../errors/problem.ts';

export interface StoredResponse {
  status: number;
  body: string;
}

export type Claim = { kind: 'claimed' } | { kind: 'replay'; response: StoredResponse };

/**
 * How long a claim committed while still in flight blocks duplicates before it counts as
 * abandoned. Only the previous release committed claims apart from their answers; this keeps its
 * rule for the claims it may have left, while it still runs beside this one (a rolling deployment).
 */
const IN_FLIGHT_TIMEOUT_MS = 60_000;

export function requestFingerprint(method: string, route: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route} ${url}\n`)
    .update(body === undefined ? '' : JSON.stringify(body))
    .digest('hex');
}

/**
 * Idempotency-Key with Stripe's semantics: per workspace, the first response is replayed for the
 * TTL; the same key with another request is refused (422); failures that did not execute are not
 * remembered. Claiming and completing run in the request's unit of work (see the plugin), so the
 * stored answer commits with the writes it answers, or neither does; a duplicate arriving while
 * the first is in flight waits for its commit on the key's unique index, then replays its answer.
 */
export class IdempotencyService {
  constructor(
    private readonly db: Db,
    private readonly ttlHours: number,
  ) {}

  /** Claims the key for this request, in the caller's transaction; waits while another transaction holds it. */
  async claim(workspaceId: string, key: string, requestHash: string, now = new Date()): Promise<Claim> {
    const expiresAt = new Date(now.getTime() + this.ttlHours * 3600_000);
    const staleBefore = new Date(now.getTime() - IN_FLIGHT_TIMEOUT_MS);
    // One statement: insert, or take over an expired record or an abandoned claim; otherwise leave it.
    const claimed = await this.db.$executeRaw`
      INSERT INTO idempotency_keys (workspace_id, key, request_hash, state, created_at, expires_at)
      VALUES (${workspaceId}::uuid, ${key}, ${requestHash}, 'in_flight', ${now}, ${expiresAt})
      ON CONFLICT (workspace_id, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, state = 'in_flight', response_status = NULL,
            response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_keys.expires_at <= ${now}
           OR (idempotency_keys.state = 'in_flight' AND idempotency_keys.created_at < ${staleBefore}
               AND idempotency_keys.request_hash = EXCLUDED.request_hash)`;
    if (claimed === 1) return { kind: 'claimed' };

    const existing = await this.db.idempotencyKey.findUnique({ where: { workspaceId_key: { workspaceId, key } } });
    if (!existing) return this.claim(workspaceId, key, requestHash, now); // completed record expired and was purged meanwhile
    if (existing.requestHash !== requestHash) {
      throw new AppError('conflict', 'This Idempotency-Key was already used with a different request; use a new key for a new request.', {
        status: 422,
        errors: [{ field: 'headers.idempotency-key', reason: 'already used with a different request' }],
      });
    }
    if (existing.state !== 'completed' || existing.responseStatus === null || existing.responseBody === null) {
      throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
        headers: { 'retry-after': '1' },
      });
    }
    return { kind: 'replay', response: { status: existing.responseStatus, body: existing.responseBody } };
  }

  /** Stores the answer of the request that claimed the key, in the same transaction as the claim. */
  async complete(workspaceId: string, key: string, response: StoredResponse) {
    await this.db.idempotencyKey.updateMany({
      where: { workspaceId, key, state: 'in_flight' },
      data: { state: 'completed', responseStatus: response.status, responseBody: response.body },
    });
  }

  async purgeExpired(now = new Date()) {
    const { count } = await this.db.idempotencyKey.deleteMany({ where: { expiresAt: { lte: now } } });
    return count;
  }

  /** GDPR erasure: stored responses may quote the erased record. Runs in the caller's transaction when given one. */
  async forgetResponsesMentioning(workspaceId: string, text: string, client: Pick<Db, '$executeRaw'> = this.db) {
    await client.$executeRaw`
      DELETE FROM idempotency_keys WHERE workspace_id = ${workspaceId}::uuid AND strpos(response_body, ${text}) > 0`;
  }
}
