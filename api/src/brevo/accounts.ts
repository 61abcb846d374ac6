import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { AttributeCatalog } from './attributes.ts';
import { ProcessWatcher } from './imports.ts';
import { SdkBrevoApi, type BrevoApi, type BrevoClientOptions } from './client.ts';
import { AccountRateLimiter, GENERAL_TIER_LIMITS, type BudgetStore, type EndpointFamily, type FamilyLimit, type RateLimiterOptions } from './rate-limit.ts';
import { PgBudgetStore } from './rate-budgets.ts';

export interface BrevoConnectionInput {
  apiKey: string;
  baseUrl: string;
  limits?: Partial<Record<EndpointFamily, FamilyLimit>> | undefined;
}

export interface BrevoAccount {
  /** Names the Brevo account (not the workspace: two workspaces may share one), stable across restarts. */
  key: string;
  api: BrevoApi;
  limiter: AccountRateLimiter;
  /** The account's contact attributes, ensured before first use. */
  attributes: AttributeCatalog;
  /** Follows the account's imports to completion. */
  processes: ProcessWatcher;
}

/**
 * Workspaces' Brevo connections: stored encrypted, opened on demand. One client per Brevo account
 * in this process; its rate budgets are the account's, shared with every other process through
 * the database.
 */
export class BrevoAccounts {
  readonly #accounts = new Map<string, { fingerprint: string; account: BrevoAccount }>();
  readonly #budgets: BudgetStore;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly clientOptions: Pick<BrevoClientOptions, 'retry' | 'timeoutSeconds' | 'onResponse'> = {},
    private readonly limiterOptions: RateLimiterOptions = {},
  ) {
    this.#budgets = new PgBudgetStore(db.sql);
  }

  /** A client for a connection that is not stored yet, for the credential smoke test. */
  open(input: BrevoConnectionInput): BrevoAccount {
    const key = createHash('sha256').update(`${input.baseUrl}\u0000${input.apiKey}`).digest('hex').slice(0, 32);
    const limiter = new AccountRateLimiter(this.#budgets, key, { ...GENERAL_TIER_LIMITS, ...input.limits }, this.limiterOptions);
    const api = new SdkBrevoApi({ ...this.clientOptions, apiKey: input.apiKey, baseUrl: input.baseUrl, limiter });
    return { key, api, limiter, attributes: new AttributeCatalog(api), processes: new ProcessWatcher(api) };
  }

  async save(workspaceId: string, input: BrevoConnectionInput, accountEmail: string) {
    const data = {
      apiKeyCiphertext: this.box.seal(input.apiKey),
      apiKeyHint: input.apiKey.slice(-4),
      baseUrl: input.baseUrl,
      limits: input.limits ? (input.limits as Prisma.InputJsonObject) : Prisma.DbNull,
      accountEmail,
      verifiedAt: new Date(),
    };
    const row = await this.db.brevoConnection.upsert({ where: { workspaceId }, create: { workspaceId, ...data }, update: data });
    this.#accounts.delete(workspaceId);
    return row;
  }

  markVerified(workspaceId: string) {
    return this.db.brevoConnection.update({ where: { workspaceId }, data: { verifiedAt: new Date() } });
  }

  describe(workspaceId: string) {
    return this.db.brevoConnection.findUnique({ where: { workspaceId } });
  }

  async remove(workspaceId: string) {
    const { count } = await this.db.brevoConnection.deleteMany({ where: { workspaceId } });
    this.#accounts.delete(workspaceId);
    return count > 0;
  }

  /** The workspace's Brevo account, or null when it has not connected one. */
  async forWorkspace(workspaceId: string): Promise<BrevoAccount | null> {
    const row = await this.db.brevoConnection.findUnique({ where: { workspaceId } });
    if (!row) return null;
    // A changed key, URL or limits replaces the client (and its buckets).
    const fingerprint = createHash('sha256').update(`${row.apiKeyCiphertext}\u0000${row.baseUrl}\u0000${JSON.stringify(row.limits)}`).digest('hex');
    const cached = this.#accounts.get(workspaceId);
    if (cached?.fingerprint === fingerprint) return cached.account;
    const account = this.open({
      apiKey: this.box.open(row.apiKeyCiphertext),
      baseUrl: row.baseUrl,
      limits: (row.limits ?? undefined) as BrevoConnectionInput['limits'],
    });
    this.#accounts.set(workspaceId, { fingerprint, account });
    return account;
  }
}
