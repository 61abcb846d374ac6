import { AppError, type Problem, type ProblemCategory, type ProblemExtensions } from '../errors/problem.ts';

/** The RFC 6749 §5.2 error codes the client-credentials grant can answer. */
export const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope'] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

const CATEGORY: Record<OAuthErrorCode, ProblemCategory> = {
  invalid_request: 'validation',
  invalid_client: 'authentication',
  unsupported_grant_type: 'validation',
  invalid_scope: 'validation',
};

/** RFC 6749 §5.2 asks for a challenge matching the client's scheme; Basic is the one the endpoint takes. */
const CLIENT_CHALLENGE = 'Basic realm="tajo"';

const members = (error: OAuthErrorCode, description: string) => ({ error, error_description: description });

/** A problem that also speaks OAuth: its `error` and `error_description` members, beside type and detail. */
export function oauthError(error: OAuthErrorCode, detail: string): AppError {
  return new AppError(CATEGORY[error], detail, {
    extensions: members(error, detail),
    ...(error === 'invalid_client' ? { headers: { 'www-authenticate': CLIENT_CHALLENGE } } : {}),
  });
}

/** The token endpoint's bad requests it does not raise itself (unparsable body, schema) are invalid_request. */
export function oauthProblemMembers(problem: Problem): ProblemExtensions | undefined {
  return problem.type === 'validation' ? members('invalid_request', problem.detail) : undefined;
}
