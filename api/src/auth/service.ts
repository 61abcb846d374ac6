import type { Db } from '../db/client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { hashApiKey } from '../api-keys/secrets.ts';
import type { CountryCode } from 'libphonenumber-js';
import { isAccessToken, type AccessTokenGrant, type AccessTokens } from './access-tokens.ts';

export interface AuthContext {
  workspaceId: string;
  keyId: string;
  scopes: string[];
  /** Workspace settings every write needs; carried here so a request reads them once. */
  settings: WorkspaceSettings;
}

export interface WorkspaceSettings {
  sourceName: string;
  defaultPhoneRegion: CountryCode;
}

interface CachedKey {
  context: AuthContext;
  expiresAt: number | null;
  cachedUntil: number;
}

/** Where an access token's key is cached: by what it was looked up by. */
const tokenCacheKey = (grant: AccessTokenGrant) => `token:${grant.workspaceId}/${grant.keyId}`;

/** An access token's context: its key's, narrowed to the token's scopes (a key's scopes never change). */
const asGranted = <C extends AuthContext | null | undefined>(context: C, grant: AccessTokenGrant): C | AuthContext =>
  context && { ...context, scopes: grant.scopes };

/**
 * Resolves credentials (API keys, and access tokens issued for them) to workspaces. Valid keys are
 * cached briefly so a busy recipe costs no extra query per request; revocation, rotation and
 * settings changes clear the cache of this process, and other processes notice within CACHE_MS.
 * An access token is only as good as its key: every use checks the key, through the same cache.
 */
export class AuthService {
  static readonly CACHE_MS = 5_000;
  /** By hash of the secret for API keys, by tokenCacheKey() for the keys of access tokens. */
  readonly #cache = new Map<string, CachedKey>();

  constructor(
    private readonly db: Db,
    private readonly tokens: AccessTokens,
  ) {}

  /** The credential's context from the cache (null: known invalid), or undefined when a lookup is needed. */
  fromCache(credential: string, now = Date.now()): AuthContext | null | undefined {
    if (!isAccessToken(credential)) return this.#cached(hashApiKey(credential), now);
    const grant = this.tokens.open(credential, now);
    return grant && asGranted(this.#cached(tokenCacheKey(grant), now), grant);
  }

  async authenticate(credential: string, now = Date.now()): Promise<AuthContext | null> {
    if (!isAccessToken(credential)) {
      const hash = hashApiKey(credential);
      return this.#lookup(hash, { hash }, now);
    }
    const grant = this.tokens.open(credential, now);
    return grant && asGranted(await this.#lookup(tokenCacheKey(grant), { id: grant.keyId, workspaceId: grant.workspaceId }, now), grant);
  }

  async #lookup(cacheKey: string, where: Prisma.ApiKeyWhereUniqueInput, now: number): Promise<AuthContext | null> {
    const cached = this.#cached(cacheKey, now);
    if (cached !== undefined) return cached;
    const key = await this.db.apiKey.findUnique({
      where,
      include: { workspace: { select: { sourceName: true, defaultPhoneRegion: true } } },
    });
    if (!key || key.revokedAt) {
      this.#cache.delete(cacheKey);
      return null;
    }
    const context: AuthContext = {
      workspaceId: key.workspaceId,
      keyId: key.id,
      scopes: key.scopes,
      settings: {
        sourceName: key.workspace.sourceName,
        defaultPhoneRegion: key.workspace.defaultPhoneRegion as CountryCode,
      },
    };
    const expiresAt = key.expiresAt?.getTime() ?? null;
    this.#cache.set(cacheKey, { context, expiresAt, cachedUntil: now + AuthService.CACHE_MS });
    return expiresAt !== null && expiresAt <= now ? null : context;
  }

  #cached(cacheKey: string, now: number): AuthContext | null | undefined {
    const cached = this.#cache.get(cacheKey);
    if (!cached || cached.cachedUntil <= now) return undefined;
    return cached.expiresAt !== null && cached.expiresAt <= now ? null : cached.context;
  }

  /** Forget cached keys of a workspace after its keys or settings change. */
  invalidateWorkspace(workspaceId: string) {
    for (const [cacheKey, entry] of this.#cache) {
      if (entry.context.workspaceId === workspaceId) this.#cache.delete(cacheKey);
    }
  }
}
