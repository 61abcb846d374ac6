import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors/problem.ts';
import { grants, type Scope } from './scopes.ts';
import type { AuthContext, AuthService } from './service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope an operation needs. Routes under an authenticated prefix must declare one. */
    scope?: Scope;
  }
  interface FastifyRequest {
    auth: AuthContext;
  }
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

const unauthenticated = (detail: string) =>
  new AppError('authentication', detail, { headers: { 'www-authenticate': 'Bearer realm="tajo"' } });

/** The problem a request with this key context would meet, if any. */
function refusal(context: AuthContext | null, needed: Scope): AppError | undefined {
  if (!context) return unauthenticated('The API key is unknown, expired or revoked.');
  if (!grants(context.scopes, needed)) {
    return new AppError('permission', `This operation needs the '${needed}' scope; the key has: ${context.scopes.join(', ') || 'none'}.`);
  }
  return undefined;
}

/** Authenticates every route registered in the calling scope and enforces its declared scope. */
export function requireApiKey(app: FastifyInstance, auth: AuthService) {
  app.decorateRequest('auth', null as unknown as AuthContext);
  const admit = (request: FastifyRequest, context: AuthContext | null, needed: Scope) => {
    const refused = refusal(context, needed);
    if (refused || !context) return refused;
    request.auth = context;
    // Bind in place: the request logger is already per-request, and child() per request is not free.
    (request.log as Logger).setBindings({ workspaceId: context.workspaceId, keyId: context.keyId });
    return undefined;
  };
  // Callback style: a cached key (the usual case) is admitted without a promise.
  app.addHook('onRequest', (request, _reply, done) => {
    // Unknown routes fall through to the 404 handler; a known route without a scope is a bug, so fail closed.
    if (!request.routeOptions.url) return done();
    const needed = request.routeOptions.config.scope;
    if (!needed) return done(new AppError('internal', 'This operation has no declared scope.'));
    const secret = presentedKey(request);
    if (!secret) return done(unauthenticated('Send your API key in the X-API-Key header (or as a Bearer token).'));
    const cached = auth.fromCache(secret);
    if (cached !== undefined) return done(admit(request, cached, needed));
    auth.authenticate(secret).then((context) => done(admit(request, context, needed)), done);
  });
}
