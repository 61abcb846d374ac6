import type { Db } from '../db/client.ts';
import { hashApiKey } from '../api-keys/secrets.ts';
import type { CountryCode } from 'libphonenumber-js';

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

/**
 * Resolves API keys to workspaces. Valid keys are cached briefly so a busy recipe costs no
 * extra query per request; revocation, rotation and settings changes clear the cache of this
 * process, and other processes notice within CACHE_MS.
 */
export class AuthService {
  static readonly CACHE_MS = 5_000;
  readonly #cache = new Map<string, CachedKey>();

  constructor(private readonly db: Db) {}

  /** The key's context from the cache (null: known invalid), or undefined when a lookup is needed. */
  fromCache(secret: string, now = Date.now()): AuthContext | null | undefined {
    return this.#cached(hashApiKey(secret), now);
  }

  async authenticate(secret: string, now = Date.now()): Promise<AuthContext | null> {
    const hash = hashApiKey(secret);
    const cached = this.#cached(hash, now);
    if (cached !== undefined) return cached;
    const key = await this.db.apiKey.findUnique({
      where: { hash },
      include: { workspace: { select: { sourceName: true, defaultPhoneRegion: true } } },
    });
    if (!key || key.revokedAt) {
      this.#cache.delete(hash);
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
    this.#cache.set(hash, { context, expiresAt, cachedUntil: now + AuthService.CACHE_MS });
    return expiresAt !== null && expiresAt <= now ? null : context;
  }

  #cached(hash: string, now: number): AuthContext | null | undefined {
    const cached = this.#cache.get(hash);
    if (!cached || cached.cachedUntil <= now) return undefined;
    return cached.expiresAt !== null && cached.expiresAt <= now ? null : cached.context;
  }

  /** Forget cached keys of a workspace after its keys or settings change. */
  invalidateWorkspace(workspaceId: string) {
    for (const [hash, entry] of this.#cache) {
      if (entry.context.workspaceId === workspaceId) this.#cache.delete(hash);
    }
  }
}
