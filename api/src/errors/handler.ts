import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, problemTitle, type FieldError, type Problem, type ProblemCategory, type ProblemExtensions } from './problem.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Extension members for this route's problems that bring none of their own: failures the route
     * does not raise itself (body parsing, schema validation) in a protocol's own terms.
     */
    problemExtensions?: (problem: Problem) => ProblemExtensions | undefined;
  }
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  category: ProblemCategory,
  status: number,
  detail: string,
  errors?: FieldError[],
  extensions?: ProblemExtensions,
) {
  const problem: Problem = {
    type: category,
    title: problemTitle(category),
    status,
    detail,
    instance: request.url,
    requestId: request.id,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
  const members = extensions ?? request.routeOptions.config.problemExtensions?.(problem);
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).send(members ? { ...problem, ...members } : problem);
}

function validationErrors(error: FastifyError & { validation: { instancePath: string; message?: string }[] }, context?: string): FieldError[] {
  const where = context ?? 'body';
  return error.validation.map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
    return { field: path ? `${where}.${path}` : where, reason: issue.message ?? 'is invalid' };
  });
}

// Fastify's own client errors (body parsing, content type, size) mapped onto our categories.
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, detail: 'The request body is larger than this API accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, detail: 'Send the body as application/json.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, detail: 'The JSON body is empty.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, detail: 'Content-Length does not match the body.' },
};

/** The one place that decides what a client sees when something fails. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error, category: error.category }, error.message);
      else request.log.info({ category: error.category, status: error.status }, error.message);
      reply.headers(error.headers);
      return sendProblem(request, reply, error.category, error.status, error.message, error.errors, error.extensions);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = validationErrors(error, error.validationContext);
      request.log.info({ category: 'validation', errors }, 'request failed validation');
      return sendProblem(request, reply, 'validation', 400, 'The request does not match the schema; see errors.', errors);
    }
    const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined;
    if (known) {
      request.log.info({ category: 'validation', code: error.code }, known.detail);
      return sendProblem(request, reply, 'validation', known.status, known.detail);
    }
    if (error.statusCode === 429) {
      request.log.info({ category: 'rate_limited' }, 'request rate-limited');
      return sendProblem(request, reply, 'rate_limited', 429, 'Too many requests; retry after the time in Retry-After.');
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500 && !isResponseSerializationError(error)) {
      request.log.info({ category: 'validation', code: error.code }, error.message);
      return sendProblem(request, reply, 'validation', error.statusCode, error.message);
    }
    // Anything else is our fault: log everything, show nothing internal.
    request.log.error({ err: error, category: 'internal' }, 'unhandled error');
    return sendProblem(request, reply, 'internal', 500, 'Something went wrong on our side; the request ID identifies it in our logs.');
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, 'not_found', 404, `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
}
