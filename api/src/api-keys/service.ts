import type { Db } from '../db/client.ts';
import type { AuthService } from '../auth/service.ts';
import { AppError, notFound } from '../errors/problem.ts';
import { generateApiKey } from './secrets.ts';
import type { Scope } from '../auth/scopes.ts';

export interface NewKey {
  name: string;
  scopes: Scope[];
  expiresAt?: string | undefined;
}

export class ApiKeyService {
  constructor(
    private readonly db: Db,
    private readonly auth: AuthService,
  ) {}

  async list(workspaceId: string) {
    return this.db.apiKey.findMany({ where: { workspaceId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  async get(workspaceId: string, id: string) {
    const key = await this.db.apiKey.findFirst({ where: { id, workspaceId } });
    if (!key) throw notFound('The API key');
    return key;
  }

  async create(workspaceId: string, input: NewKey, rotatedFromId?: string) {
    const generated = generateApiKey();
    const apiKey = await this.db.apiKey.create({
      data: {
        workspaceId,
        name: input.name,
        prefix: generated.prefix,
        hash: generated.hash,
        scopes: input.scopes,
        rotatedFromId: rotatedFromId ?? null,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      },
    });
    return { apiKey, secret: generated.secret };
  }

  /** A new key with the same name and scopes; the old one keeps working until revoked (or the grace period ends). */
  async rotate(workspaceId: string, id: string, oldKeyExpiresInSeconds?: number) {
    const old = await this.get(workspaceId, id);
    if (old.revokedAt) throw new AppError('conflict', 'A revoked key cannot be rotated; create a new key instead.');
    // Rotating an expired key with a grace period would bring it back to life.
    if (old.expiresAt && old.expiresAt.getTime() <= Date.now()) {
      throw new AppError('conflict', 'An expired key cannot be rotated; create a new key instead.');
    }
    const created = await this.create(workspaceId, { name: old.name, scopes: old.scopes as Scope[] }, old.id);
    if (oldKeyExpiresInSeconds !== undefined) {
      const expiresAt = new Date(Date.now() + oldKeyExpiresInSeconds * 1000);
      await this.db.apiKey.update({ where: { id: old.id }, data: { expiresAt } });
      this.auth.invalidateWorkspace(workspaceId);
    }
    return created;
  }

  async revoke(workspaceId: string, id: string) {
    const key = await this.get(workspaceId, id);
    const revoked = key.revokedAt ? key : await this.db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    this.auth.invalidateWorkspace(workspaceId);
    return revoked;
  }
}
