import { z } from 'zod';
import type { SecretBox } from '../security/secret-box.ts';
import { SCOPES, type Scope } from './scopes.ts';

/** How long an access token from POST /v1/oauth/token works. */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 3600;

const PREFIX = 'tajo_at_';

/** What an access token says: the API key it stands for, and the scopes it carries (the key's, or fewer). */
export interface AccessTokenGrant {
  keyId: string;
  workspaceId: string;
  scopes: Scope[];
  /** Epoch milliseconds. */
  expiresAt: number;
}

const ZGrant = z.object({
  keyId: z.uuid(),
  workspaceId: z.uuid(),
  scopes: z.array(z.enum(SCOPES)).min(1),
  expiresAt: z.number().int(),
});

/**
 * An access token is sealed, not signed: API keys are base64url and never hold a '.', while a
 * sealed grant always does, so the two cannot be confused even by a key that starts with `tajo_at_`.
 */
export function isAccessToken(credential: string): boolean {
  return credential.startsWith(PREFIX) && credential.includes('.');
}

/**
 * Stateless access tokens: the grant sealed with AES-256-GCM under TAJO_ENCRYPTION_KEY, which the
 * API and worker processes share. Nobody without that key can read, forge or alter one, so they
 * need no table; revoking the API key ends them, because every use checks the key (AuthService).
 */
export class AccessTokens {
  constructor(private readonly box: SecretBox) {}

  /**
   * A token for ACCESS_TOKEN_LIFETIME_SECONDS from `now`. It may outlive its key's own expiry on
   * paper; it stops working with the key all the same.
   */
  issue(grant: Omit<AccessTokenGrant, 'expiresAt'>, now = Date.now()): string {
    const sealed: AccessTokenGrant = { ...grant, expiresAt: now + ACCESS_TOKEN_LIFETIME_SECONDS * 1000 };
    return PREFIX + this.box.seal(JSON.stringify(sealed));
  }

  /** The grant of a token that is genuine and unexpired; null for anything else. */
  open(token: string, now = Date.now()): AccessTokenGrant | null {
    let sealed: unknown;
    try {
      sealed = JSON.parse(this.box.open(token.slice(PREFIX.length)));
    } catch {
      return null;
    }
    // The box seals vendor credentials too: only a grant's shape is a grant.
    const parsed = ZGrant.safeParse(sealed);
    return parsed.success && parsed.data.expiresAt > now ? parsed.data : null;
  }
}
