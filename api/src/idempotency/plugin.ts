import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UnitOfWork, UnitOfWorkPool } from '../db/unit-of-work.ts';
import { AppError } from '../errors/problem.ts';
import { PROBLEM_CONTENT_TYPE } from '../errors/handler.ts';
import { requestFingerprint, type IdempotencyService, type StoredResponse } from './service.ts';

/** A request that claimed its Idempotency-Key: its work and its answer commit in `unit`, together. */
interface KeyedRequest {
  key: string;
  unit: UnitOfWork;
}

declare module 'fastify' {
  interface FastifyRequest {
    keyedRequest?: KeyedRequest;
  }
  interface FastifyContextConfig {
    /** Top-level response fields never stored for replay (secrets shown once). */
    notReplayed?: string[];
  }
}

export const NOT_REPLAYED = '[not replayed: shown only in the first response]';

function storable(payload: string, notReplayed: string[] | undefined): string {
  if (!notReplayed?.length) return payload;
  const body = JSON.parse(payload) as Record<string, unknown>;
  for (const field of notReplayed) if (field in body) body[field] = NOT_REPLAYED;
  return JSON.stringify(body);
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_KEY_LENGTH = 255;

/**
 * Responses that mean the request did not run (or may run differently next time) are not
 * remembered, as with Stripe: a retry with the same key gets a fresh attempt.
 */
function isRemembered(status: number): boolean {
  return status < 500 && ![400, 401, 403, 409, 413, 415, 429].includes(status);
}

function sendReplay(reply: FastifyReply, response: StoredResponse) {
  reply
    .code(response.status)
    .header('idempotent-replayed', 'true')
    .type(response.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8')
    .serializer((payload: unknown) => payload as string)
    .send(response.body);
}

/**
 * Registers Idempotency-Key handling for the mutating routes of the calling scope. It runs after
 * authentication and validation (preHandler), so a request that fails validation saves nothing.
 *
 * A request with a key runs in a unit of work (`db/unit-of-work.ts`): one transaction holds the
 * key's claim, every database access of the handler, and the answer stored for replay, and it
 * commits just before the answer is sent, or rolls back whole when the answer is not remembered.
 * A process that dies before the commit leaves nothing behind, so the retry runs once; after it,
 * the retry replays. A duplicate sent while the first is in flight waits on the key's unique index
 * until that commit, then replays the answer (or, after a rollback, runs itself).
 */
export function supportIdempotencyKeys(app: FastifyInstance, service: IdempotencyService, pool: UnitOfWorkPool) {
  /** Begins the unit and claims the key in it; resolves null when the stored response was sent instead (a replay). */
  const begin = async (request: FastifyRequest, reply: FastifyReply): Promise<UnitOfWork | null> => {
    const header = request.headers['idempotency-key']!;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > MAX_KEY_LENGTH) {
      throw new AppError('validation', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`, {
        errors: [{ field: 'headers.idempotency-key', reason: `must be 1 to ${MAX_KEY_LENGTH} characters` }],
      });
    }
    const fingerprint = requestFingerprint(request.method, request.routeOptions.url ?? '', request.url, request.body);
    const unit = await pool.beginUnitOfWork();
    try {
      const claim = await unit.run(() => service.claim(request.auth.workspaceId, key, fingerprint));
      if (claim.kind === 'replay') {
        await unit.rollback();
        sendReplay(reply, claim.response);
        return null;
      }
    } catch (error) {
      await unit.rollback();
      throw error;
    }
    request.keyedRequest = { key, unit };
    return unit;
  };
  // Callback style so the common case (no key) costs no promise, and no unit of work.
  app.addHook('preHandler', (request, reply, done) => {
    if (!MUTATING.has(request.method) || request.headers['idempotency-key'] === undefined) return done();
    // The handler runs inside the unit: done() calls it synchronously. After a replay the chain
    // must stop: done() is not called.
    begin(request, reply).then((unit) => unit?.run(() => done()), done);
  });

  /** Stores the answer and commits, or rolls everything back when the answer is not remembered. */
  const settle = async (request: FastifyRequest, { key, unit }: KeyedRequest, status: number, payload: unknown) => {
    if (!isRemembered(status) || typeof payload !== 'string') return unit.rollback();
    try {
      const body = storable(payload, request.routeOptions.config.notReplayed);
      await unit.run(() => service.complete(request.auth.workspaceId, key, { status, body }));
    } catch (error) {
      await unit.rollback();
      throw error;
    }
    // A failed commit fails the request (500, not remembered): the client retries, and nothing of the first attempt stands.
    await unit.commit();
  };
  // Every answer goes through reply.send, the error handler's included, so this hook always ends the unit.
  app.addHook('onSend', (request, reply, payload, done) => {
    const keyed = request.keyedRequest;
    if (!keyed) return done(null, payload);
    request.keyedRequest = undefined;
    settle(request, keyed, reply.statusCode, payload).then(() => done(null, payload), done);
  });
}
