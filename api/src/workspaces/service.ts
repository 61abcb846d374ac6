import type { Db } from '../db/client.ts';
import type { AuthService } from '../auth/service.ts';
import { notFound } from '../errors/problem.ts';
import { generateApiKey } from '../api-keys/secrets.ts';

export interface NewWorkspace {
  name: string;
  sourceName?: string;
  defaultPhoneRegion?: string;
}

export interface SettingsPatch {
  name?: string | undefined;
  sourceName?: string | undefined;
  defaultPhoneRegion?: string | undefined;
}

export class WorkspaceService {
  constructor(
    private readonly db: Db,
    private readonly auth: AuthService,
  ) {}

  /** Creates a workspace and its first admin key; the secret is returned once and never stored. */
  async createWithAdminKey(input: NewWorkspace) {
    const key = generateApiKey();
    const workspace = await this.db.workspace.create({
      data: {
        name: input.name,
        ...(input.sourceName ? { sourceName: input.sourceName } : {}),
        ...(input.defaultPhoneRegion ? { defaultPhoneRegion: input.defaultPhoneRegion } : {}),
        apiKeys: { create: { name: 'bootstrap admin key', prefix: key.prefix, hash: key.hash, scopes: ['admin'] } },
      },
    });
    return { workspace, secret: key.secret };
  }

  async count() {
    return this.db.workspace.count();
  }

  async get(workspaceId: string) {
    const workspace = await this.db.workspace.findUnique({ where: { id: workspaceId } });
    if (!workspace) throw notFound('The workspace');
    return workspace;
  }

  async updateSettings(workspaceId: string, patch: SettingsPatch) {
    const workspace = await this.db.workspace.update({
      where: { id: workspaceId },
      data: {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.sourceName !== undefined ? { sourceName: patch.sourceName } : {}),
        ...(patch.defaultPhoneRegion !== undefined ? { defaultPhoneRegion: patch.defaultPhoneRegion } : {}),
      },
    });
    this.auth.invalidateWorkspace(workspaceId);
    return workspace;
  }
}
