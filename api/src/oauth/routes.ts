import formBody from '@fastify/formbody';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../errors/problem.ts';
import { problemResponse, success } from '../http/schemas.ts';
import { oauthError, oauthProblemMembers } from './errors.ts';
import type { ClientCredentials } from './service.ts';
import { ZAccessToken, ZOAuthProblem, ZTokenRequest } from './schemas.ts';

const oauthProblem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ZOAuthProblem } } });

/** RFC 6749 §2.3.1: Basic credentials are form-encoded before base64. Undefined when malformed. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The client's credentials from `Authorization: Basic`, if it uses that scheme. */
function basicCredentials(authorization: string | undefined): ClientCredentials | undefined {
  if (!authorization?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [clientId, clientSecret] = colon > 0 ? [decoded.slice(0, colon), decoded.slice(colon + 1)].map(formDecode) : [];
  if (!clientId || !clientSecret) throw oauthError('invalid_client', 'The Basic credentials are not client_id:client_secret.');
  return { clientId, clientSecret };
}

/** The client's credentials, by HTTP Basic or in the body: one way per request (RFC 6749 §2.3). */
function clientCredentials(authorization: string | undefined, clientId: string | undefined, clientSecret: string | undefined): ClientCredentials {
  const basic = basicCredentials(authorization);
  if (basic) {
    // Some clients repeat client_id in the body beside Basic; that much is harmless.
    if (clientSecret !== undefined || (clientId !== undefined && clientId !== basic.clientId)) {
      throw oauthError('invalid_request', 'Send the client credentials once: as HTTP Basic credentials or in the body, not both.');
    }
    return basic;
  }
  if (clientId && clientSecret) return { clientId, clientSecret };
  if (clientId || clientSecret) throw oauthError('invalid_request', 'client_id and client_secret go together.');
  throw oauthError('invalid_client', "Authenticate with client_id and client_secret (an API key's ID and the key itself), as HTTP Basic credentials or in the body.");
}

/** The client_id a refused request named, if any can be read from it. */
function clientIdOf(body: unknown, authorization: string | undefined): string | undefined {
  const fromBody = (body as { client_id?: unknown } | undefined)?.client_id;
  if (typeof fromBody === 'string') return fromBody;
  try {
    return basicCredentials(authorization)?.clientId;
  } catch {
    return undefined;
  }
}

/**
 * The OAuth2 token endpoint. Outside the API-key hook: it authenticates its client (an API key)
 * itself. OAuth clients send forms, so this plugin (and only it) parses them.
 */
export const oauthRoutes: FastifyPluginAsyncZod = async (app) => {
  const { oauth, tokenRefreshFailures } = app.services;
  await app.register(formBody);

  app.addHook('onError', async (request, _reply, error) => {
    const reason = error instanceof AppError ? (error.extensions?.error ?? error.category) : error.statusCode && error.statusCode < 500 ? 'invalid_request' : 'internal';
    try {
      await tokenRefreshFailures.record(reason, clientIdOf(request.body, request.headers.authorization));
    } catch (failure) {
      request.log.warn({ err: failure, category: 'internal' }, 'recording a refused token request failed');
    }
  });

  app.post('/oauth/token', {
    config: { problemExtensions: oauthProblemMembers },
    schema: {
      operationId: 'issueAccessToken',
      'x-workato-token': true,
      summary: 'Issue an access token',
      description:
        "OAuth2 client credentials (RFC 6749 §4.4): the client is an API key, `client_id` its ID and `client_secret` the key itself, as HTTP Basic credentials (preferred) or in the body. The token works like the key, with the key's scopes or those asked for, for an hour, and stops working when the key is revoked or expires. Errors carry OAuth's `error` and `error_description` beside the problem members.",
      tags: ['Authentication'],
      consumes: ['application/x-www-form-urlencoded', 'application/json'],
      security: [{ oauthClient: [] }, {}],
      body: ZTokenRequest,
      response: {
        200: success(ZAccessToken, 'The access token. Never cached (Cache-Control: no-store).'),
        400: oauthProblem('invalid_request (missing or malformed parameters), unsupported_grant_type, or invalid_scope (a scope the key does not hold).'),
        401: oauthProblem('invalid_client: the API key is unknown, expired or revoked, or client_id is not its ID.'),
        429: problemResponse(429),
        500: problemResponse(500),
      },
    },
    handler: async (request, reply) => {
      const { grant_type: grantType, client_id: clientId, client_secret: clientSecret, scope } = request.body;
      if (grantType !== 'client_credentials') throw oauthError('unsupported_grant_type', 'Only the client_credentials grant is supported.');
      const credentials = clientCredentials(request.headers.authorization, clientId, clientSecret);
      const issued = await oauth.issueToken(credentials, scope);
      // RFC 6749 §5.1: a response with a token must not be cached.
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(issued);
    },
  });
};
