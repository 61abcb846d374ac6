import { ACCESS_TOKEN_LIFETIME_SECONDS, isAccessToken, type AccessTokens } from '../auth/access-tokens.ts';
import { grants, SCOPES, type Scope } from '../auth/scopes.ts';
import type { AuthService } from '../auth/service.ts';
import { oauthError } from './errors.ts';

export interface ClientCredentials {
  /** The API key's ID. */
  clientId: string;
  /** The API key itself. */
  clientSecret: string;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const isScope = (name: string): name is Scope => (SCOPES as readonly string[]).includes(name);

/** The scopes asked for (space-separated, RFC 6749 §3.3), each one the key grants; all the key's when none are. */
function grantedScopes(held: string[], requested: string | undefined): Scope[] {
  const asked = [...new Set(requested?.split(' ').filter(Boolean))];
  if (asked.length === 0) return held.filter(isScope);
  const refused = asked.filter((name) => !isScope(name) || !grants(held, name));
  if (refused.length > 0) {
    throw oauthError('invalid_scope', `The API key cannot grant ${refused.map((name) => `'${name}'`).join(', ')}: it holds ${held.join(', ')} (scopes are read < write < admin).`);
  }
  return asked as Scope[];
}

/** OAuth2 client credentials (RFC 6749 §4.4): an API key, as the client, exchanged for an access token. */
export class OAuthService {
  constructor(
    private readonly auth: AuthService,
    private readonly tokens: AccessTokens,
  ) {}

  async issueToken({ clientId, clientSecret }: ClientCredentials, scope: string | undefined, now = Date.now()): Promise<IssuedToken> {
    // An access token is no client secret: trading one for the next would keep it alive for ever.
    const context = isAccessToken(clientSecret) ? null : await this.auth.authenticate(clientSecret, now);
    if (!context || context.keyId !== clientId) {
      throw oauthError('invalid_client', 'The client is not valid: the API key is unknown, expired or revoked, or client_id is not its ID.');
    }
    const scopes = grantedScopes(context.scopes, scope);
    const token = this.tokens.issue({ keyId: context.keyId, workspaceId: context.workspaceId, scopes }, now);
    return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, scope: scopes.join(' ') };
  }
}
