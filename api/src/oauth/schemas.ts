import { z } from 'zod';
import { ACCESS_TOKEN_LIFETIME_SECONDS } from '../auth/access-tokens.ts';
import { ZProblem } from '../http/schemas.ts';
import { OAUTH_ERRORS } from './errors.ts';

/** RFC 6749 §4.4.2, with the client's credentials in the body (§2.3.1) as an alternative to Basic. Unknown parameters are ignored, as §3.2 asks. */
export const ZTokenRequest = z
  .object({
    grant_type: z.string().meta({ description: 'Always `client_credentials`.', example: 'client_credentials' }),
    client_id: z.uuid().optional().meta({ description: "The API key's ID, unless sent as HTTP Basic credentials." }),
    client_secret: z.string().min(1).optional().meta({ description: 'The API key itself (tajo_…), unless sent as HTTP Basic credentials.' }),
    scope: z
      .string()
      .optional()
      .meta({ description: "Space-separated scopes the token should carry, each one the key holds (read < write < admin). Default: the key's scopes.", example: 'read' }),
  })
  .meta({
    id: 'TokenRequest',
    description: 'Usually sent as application/x-www-form-urlencoded, as OAuth clients do; JSON works too.',
    example: { grant_type: 'client_credentials', scope: 'write' },
  });

export const ZAccessToken = z
  .object({
    access_token: z.string().meta({ description: 'Send it as `Authorization: Bearer <access_token>`. Opaque: its contents are sealed.' }),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until it expires; then request a new one.' }),
    scope: z.string().meta({ description: 'The scopes it carries, space-separated.' }),
  })
  .meta({
    id: 'AccessToken',
    description: 'An access token (RFC 6749 §5.1). It works while the API key it came from is neither revoked nor expired.',
    example: { access_token: 'tajo_at_Yk3v…', token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, scope: 'write' },
  });

export const ZOAuthProblem = ZProblem.extend({
  error: z.enum(OAUTH_ERRORS).meta({ description: 'The RFC 6749 §5.2 error code, for OAuth clients.' }),
  error_description: z.string().meta({ description: 'The same as `detail`.' }),
}).meta({
  id: 'OAuthProblem',
  description: 'A problem detail that OAuth clients understand too: the RFC 6749 §5.2 members beside the RFC 9457 ones.',
  example: {
    type: 'authentication',
    title: 'Authentication failed',
    status: 401,
    detail: 'The client is not valid: the API key is unknown, expired or revoked, or client_id is not its ID.',
    instance: '/v1/oauth/token',
    requestId: 'req_3f6c0a2e',
    error: 'invalid_client',
    error_description: 'The client is not valid: the API key is unknown, expired or revoked, or client_id is not its ID.',
  },
});
