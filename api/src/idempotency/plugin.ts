import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors/problem.ts';
import { PROBLEM_CONTENT_TYPE } from '../errors/handler.ts';
import { requestFingerprint, type IdempotencyService } from './service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    idempotencyClaim?: { key: string; token: Date };
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

/**
 * Registers Idempotency-Key handling for the mutating routes of the calling scope. It runs after
 * authentication and validation (preHandler), so a request that fails validation saves nothing.
 */
export function supportIdempotencyKeys(app: FastifyInstance, service: IdempotencyService) {
  /** Claims the key; resolves true when the stored response was sent instead (a replay). */
  const claimKey = async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const header = request.headers['idempotency-key']!;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > MAX_KEY_LENGTH) {
      throw new AppError('validation', `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`, {
        errors: [{ field: 'headers.idempotency-key', reason: `must be 1 to ${MAX_KEY_LENGTH} characters` }],
      });
    }
    const fingerprint = requestFingerprint(request.method, request.routeOptions.url ?? '', request.url, request.body);
    const claim = await service.claim(request.auth.workspaceId, key, fingerprint);
    if (claim.kind === 'replay') {
      const type = claim.response.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json; charset=utf-8';
      reply
        .code(claim.response.status)
        .header('idempotent-replayed', 'true')
        .type(type)
        .serializer((payload: unknown) => payload as string)
        .send(claim.response.body);
      return true;
    }
    request.idempotencyClaim = { key, token: claim.token };
    return false;
  };
  // Callback style so the common case (no key) costs no promise.
  app.addHook('preHandler', (request, reply, done) => {
    if (!MUTATING.has(request.method) || request.headers['idempotency-key'] === undefined) return done();
    // After an early reply (a replay) the chain must stop: done() is not called.
    claimKey(request, reply).then((replayed) => (replayed ? undefined : done()), done);
  });

  const settle = async (request: FastifyRequest, claim: { key: string; token: Date }, status: number, payload: unknown) => {
    if (isRemembered(status) && typeof payload === 'string') {
      const body = storable(payload, request.routeOptions.config.notReplayed);
      await service.complete(request.auth.workspaceId, claim.key, claim.token, { status, body });
    } else {
      await service.release(request.auth.workspaceId, claim.key, claim.token);
    }
  };
  app.addHook('onSend', (request, reply, payload, done) => {
    const claim = request.idempotencyClaim;
    if (!claim) return done(null, payload);
    request.idempotencyClaim = undefined;
    settle(request, claim, reply.statusCode, payload).then(() => done(null, payload), done);
  });
}
