import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Never logged: credentials in headers and secrets in bodies (OAuth's token request and answer included). */
const REDACT = {
  paths: [
    'req.headers.authorization',
    'req.headers["x-api-key"]',
    'req.headers.cookie',
    // Brevo's API key travels in this header.
    '*.headers["api-key"]',
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

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;
const EMAIL = /([\p{L}\p{N}_%+-])[\p{L}\p{N}._%+-]*@((?:[\p{L}\p{N}-]+\.)+\p{L}{2,})/gu;
// Starts and ends on a boundary that is not a word or a hyphen: never inside a UUID, an ID or a timestamp.
const PHONE = /(?<![\w.+-])\+?\(?\d[\d ().-]{5,}\d(?![\w-])/g;
const NOT_PHONE = /^\d{4}-\d{2}-\d{2}|^\d{1,3}(?:\.\d{1,3}){3}$/;
// Epoch times in seconds or milliseconds (10 or 13 digits from 1): a bare run of digits that is not a phone.
const EPOCH = /^1(?:\d{9}|\d{12})$/;

function maskPhone(match: string): string {
  const digits = match.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15 || NOT_PHONE.test(match)) return match;
  // Counts and IDs are bare digits too: a bare run is taken for a phone only from 10 digits.
  if (digits === match && (digits.length < 10 || EPOCH.test(digits))) return match;
  return `${match.startsWith('+') ? '+' : ''}***${digits.slice(-2)}`;
}

function maskString(value: string): string {
  return value.replace(EMAIL, '$1***@$2').replace(PHONE, maskPhone);
}

/**
 * Emails and phone numbers never reach a log line in clear, wherever they hide: a vendor's error
 * message, a record identifier, a URL. Masked on the finished line, so the message, bindings and
 * serialized errors are all covered; only JSON string values are touched (numbers are never
 * personal data here), each decoded first so escapes survive. `j***@example.com` and `+***78`
 * leave enough to tell lines apart.
 */
export function maskPersonalData(line: string): string {
  return line.replace(JSON_STRING, (literal) => {
    if (!literal.includes('@') && !/\d[\d ().-]{5,}\d/.test(literal)) return literal;
    const value = JSON.parse(literal) as string;
    const masked = maskString(value);
    return masked === value ? literal : JSON.stringify(masked);
  });
}

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact: REDACT, serializers, hooks: { streamWrite: maskPersonalData } };
}
