import { Webhook } from 'standardwebhooks';
import type { Db } from '../db/client.ts';
import { AppError, notFound } from '../errors/problem.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { HINT_REJECTIONS, ZHint, type HintRejection } from './schemas.ts';

/** Standard Webhooks' tolerance: a hint signed longer ago (or further ahead) than this is refused as a replay. */
export const HINT_TOLERANCE_SECONDS = 5 * 60;
/** Outbox rows that ask for a hint's record to be refetched. */
export const WEBHOOK_HINT_ENTITY = 'webhook_hint';

export interface HintRequest {
  sourceId: string;
  headers: { 'webhook-id'?: string | undefined; 'webhook-timestamp'?: string | undefined; 'webhook-signature'?: string | undefined };
  rawBody: string;
}

/**
 * Webhook hints from Workato: verified (Standard Webhooks HMAC-SHA256 over id, timestamp and raw
 * body, with any of the source's unexpired secrets), deduplicated by webhook-id, and answered at
 * once; the refetch of the canonical record is queued with the hint, in the same transaction.
 * Every refusal is counted by reason, for alerting.
 */
export class HintService {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
  ) {}

  async receive({ sourceId, headers, rawBody }: HintRequest) {
    const source = await this.db.source.findUnique({ where: { id: sourceId }, include: { secrets: { where: { OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } } } });
    if (!source) throw notFound('The source');
    const webhookId = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signature = headers['webhook-signature'];
    if (!webhookId || !timestamp || !signature) {
      await this.reject(source, 'signature', webhookId);
      throw new AppError('authentication', 'The hint is not signed: send webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks).');
    }
    const seconds = Number(timestamp);
    if (!Number.isInteger(seconds) || Math.abs(Date.now() / 1000 - seconds) > HINT_TOLERANCE_SECONDS) {
      await this.reject(source, 'stale', webhookId);
      throw new AppError('authentication', `The hint's webhook-timestamp is more than ${HINT_TOLERANCE_SECONDS / 60} minutes from now: refused as a possible replay. Check the sender's clock.`);
    }
    const verified = source.secrets.some((secret) => {
      try {
        new Webhook(this.secrets.open(secret.secretCiphertext)).verify(rawBody, { 'webhook-id': webhookId, 'webhook-timestamp': timestamp, 'webhook-signature': signature });
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) {
      await this.reject(source, 'signature', webhookId);
      throw new AppError('authentication', "The hint's signature matches none of the source's secrets. After a rotation, sign with the new secret.");
    }
    if (!source.hintsEnabled || source.smokeTestStatus !== 'passed') {
      throw new AppError('conflict', "Webhook hints are not enabled for this source (or its smoke test has not passed); enable them with the source's hintsEnabled.");
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const hint = ZHint.safeParse(body);
    if (!hint.success) {
      await this.reject(source, 'malformed', webhookId);
      throw new AppError('validation', 'The hint body must be a JSON object with the recordId of the Workato record that changed.', {
        errors: hint.error.issues.map((issue) => ({ field: ['body', ...issue.path].join('.'), reason: issue.message })),
      });
    }
    return this.db.$transaction(async (tx) => {
      const [created] = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO webhook_hints (workspace_id, source_id, webhook_id, object_id)
        VALUES (${source.workspaceId}::uuid, ${source.id}::uuid, ${webhookId}, ${String(hint.data.recordId)})
        ON CONFLICT (source_id, webhook_id) DO NOTHING RETURNING id::text`;
      if (!created) {
        const existing = await tx.webhookHint.findUniqueOrThrow({ where: { sourceId_webhookId: { sourceId: source.id, webhookId } } });
        await tx.webhookHintRejection.create({ data: { workspaceId: source.workspaceId, sourceId: source.id, reason: 'duplicate', webhookId } });
        return { status: 'duplicate' as const, hintId: existing.id };
      }
      await tx.activationOutbox.create({ data: { workspaceId: source.workspaceId, entityType: WEBHOOK_HINT_ENTITY, entityId: created.id, operation: 'refetch', entityVersion: 1 } });
      return { status: 'queued' as const, hintId: created.id };
    });
  }

  async stats(workspaceId: string, sourceId: string) {
    const source = await this.db.source.findFirst({ where: { id: sourceId, workspaceId }, select: { id: true } });
    if (!source) throw notFound('The source');
    const [byStatus, byReason] = await Promise.all([
      this.db.webhookHint.groupBy({ by: ['status'], where: { sourceId }, _count: { _all: true } }),
      this.db.webhookHintRejection.groupBy({ by: ['reason'], where: { sourceId }, _count: { _all: true } }),
    ]);
    const status = (name: string) => byStatus.find((row) => row.status === name)?._count._all ?? 0;
    const rejected = Object.fromEntries(HINT_REJECTIONS.map((reason) => [reason, byReason.find((row) => row.reason === reason)?._count._all ?? 0])) as Record<HintRejection, number>;
    return {
      accepted: byStatus.reduce((sum, row) => sum + row._count._all, 0),
      refetched: status('fetched'),
      notFound: status('not_found'),
      failed: status('failed'),
      queued: status('queued'),
      rejected,
    };
  }

  private async reject(source: { id: string; workspaceId: string }, reason: HintRejection, webhookId: string | undefined) {
    await this.db.webhookHintRejection.create({ data: { workspaceId: source.workspaceId, sourceId: source.id, reason, webhookId: webhookId?.slice(0, 255) ?? null } });
  }
}
