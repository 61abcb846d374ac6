import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Never logged: credentials in headers and secrets in bodies (OAuth's token request and answer included). */
const REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers["x-api-key"]',
    'req.headers.cookie',
    '*.secret',
    '*.apiKey',
    '*.password',
    '*.token',
    '*.client_secret',
    '*.access_token',
    // A Workato MCP server URL can carry its token in the query string.
    '*.serverUrl',
    'req.headers["webhook-signature"]',
  ],
  censor: '[redacted]',
};

/**
 * Log lines carry no stack traces (they can quote data and code paths) and no query strings
 * (lookups put emails there); the error's type, code and message identify it with the request ID.
 */
const serializers = {
  err: (error: Error & { code?: string }) => ({ type: error.name, code: error.code, message: error.message }),
  req: (request: FastifyRequest) => ({ method: request.method, path: request.url.split('?')[0], remoteAddress: request.ip }),
};

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: REDACT, serializers };
}
