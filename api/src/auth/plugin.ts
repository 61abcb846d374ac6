import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors/problem.ts';
import { isAccessToken } from './access-tokens.ts';
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

function presentedCredential(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim();
  return undefined;
}

const unauthenticated = (detail: string, challenge = 'Bearer realm="tajo"') =>
  new AppError('authentication', detail, { headers: { 'www-authenticate': challenge } });

/** The problem a request with this credential's context would meet, if any. */
function refusal(credential: string, context: AuthContext | null, needed: Scope): AppError | undefined {
  if (!context) {
    return isAccessToken(credential)
      ? unauthenticated('The access token is invalid or expired; request a new one.', 'Bearer realm="tajo", error="invalid_token"')
      : unauthenticated('The API key is unknown, expired or revoked.');
  }
  if (!grants(context.scopes, needed)) {
    const holder = isAccessToken(credential) ? 'access token' : 'key';
    return new AppError('permission', `This operation needs the '${needed}' scope; the ${holder} has: ${context.scopes.join(', ') || 'none'}.`);
  }
  return undefined;
}

/**
 * Authenticates every route registered in the calling scope, by API key or by an access token
 * from POST /v1/oauth/token, and enforces its declared scope.
 */
export function requireApiKey(app: FastifyInstance, auth: AuthService) {
  app.decorateRequest('auth', null as unknown as AuthContext);
  const admit = (request: FastifyRequest, credential: string, context: AuthContext | null, needed: Scope) => {
    const refused = refusal(credential, context, needed);
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
    const credential = presentedCredential(request);
    if (!credential) return done(unauthenticated('Send your API key in the X-API-Key header (or as a Bearer token).'));
    const cached = auth.fromCache(credential);
    if (cached !== undefined) return done(admit(request, credential, cached, needed));
    auth.authenticate(credential).then((context) => done(admit(request, credential, context, needed)), done);
  });
}
