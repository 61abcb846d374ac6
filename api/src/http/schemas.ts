import { z } from 'zod';
import { PROBLEM_CATEGORIES, problemTitle, type ProblemCategory } from '../errors/problem.ts';

export const ZFieldError = z
  .object({
    field: z.string().meta({ description: 'Where the problem is, as a dotted path (e.g. `body.email`, `records.3.phone`).' }),
    reason: z.string().meta({ description: 'What is wrong and how to fix it.' }),
  })
  .meta({ id: 'FieldError' });

export const ZProblem = z
  .object({
    type: z.enum(PROBLEM_CATEGORIES).meta({ description: 'The failure category, shared with logs and metrics.' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().meta({ description: 'A human-readable explanation of this occurrence.' }),
    instance: z.string().meta({ description: 'The request path.' }),
    requestId: z.string().meta({ description: 'Quote it to support; it identifies the request in the logs.' }),
    errors: z.array(ZFieldError).optional().meta({ description: 'Field-level details, for validation failures.' }),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem detail, sent as application/problem+json for every 4xx and 5xx.',
    example: {
      type: 'validation',
      title: 'Invalid request',
      status: 400,
      detail: 'The request does not match the schema; see errors.',
      instance: '/v1/contacts',
      requestId: 'req_3f6c0a2e',
      errors: [{ field: 'body.email', reason: 'not a valid email address' }],
    },
  });

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid; `errors` names each field.',
  401: 'The API key is missing, unknown, expired or revoked.',
  403: "The API key's scopes do not allow this operation.",
  404: 'Nothing with that identifier exists in this workspace.',
  409: 'Conflicts with the current state.',
  413: 'The request body is too large.',
  422: 'The Idempotency-Key was already used with a different request.',
  429: 'Too many requests.',
  500: 'An unexpected error; the request ID identifies it in the logs.',
};

const CATEGORY_BY_STATUS: Record<number, ProblemCategory> = {
  400: 'validation',
  401: 'authentication',
  403: 'permission',
  404: 'not_found',
  409: 'conflict',
  413: 'validation',
  422: 'conflict',
  429: 'rate_limited',
  500: 'internal',
};

/** The problem+json response of one error status, for an operation's OpenAPI description. */
export const problemResponse = (status: number) => {
  const category = CATEGORY_BY_STATUS[status] ?? 'internal';
  return {
    description: ERROR_DESCRIPTIONS[status] ?? problemTitle(category),
    content: { 'application/problem+json': { schema: ZProblem } },
  };
};

/** A success response with the description a reader of the API reference sees. */
export function success<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** Every authenticated operation can answer these. */
const COMMON_ERRORS = [400, 401, 403, 429, 500] as const;

/** The error responses of an operation, for its OpenAPI description. */
export function errorResponses(...extra: number[]) {
  const statuses = [...new Set([...COMMON_ERRORS, ...extra])].sort((a, b) => a - b);
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(status)]));
}

export const ZLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(200)
  .default(50)
  .meta({ description: 'Page size, 1 to 200.' });

export const ZCursor = z.string().max(512).optional().meta({ description: 'The `nextCursor` of the previous page.' });

export const ZIdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .meta({
      description:
        'Makes a retried request safe: the first response is replayed for 24 hours. Reusing a key with a different request answers 422; while the first is in flight, 409.',
    }),
});

export const ZUuid = z.uuid().meta({ description: 'A Tajo ID.' });

/** Path parameters of routes addressing one record by its Tajo ID (`/…/:id`). */
export const ZIdParams = z.object({ id: ZUuid });

