import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.ts';
import type { Prisma, Source as SourceRow } from '../generated/prisma/client.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { endpointsFor, WorkatoHttpClient, type WorkatoClientOptions, type WorkatoResponseInfo } from '../workato/client.ts';
import { WorkatoMcpHttpClient } from '../workato/mcp-client.ts';
import type { WorkatoClient, WorkatoDataCenter, WorkatoMcpClient } from '../workato/types.ts';

export interface WorkatoConnectionOptions {
  /** One origin for every Workato host (the simulator); the source's data center otherwise. */
  baseUrl?: string | undefined;
  /** Retry and timeout settings (tests shorten them). */
  client?: Pick<WorkatoClientOptions, 'retry' | 'timeoutMs' | 'onResponse'>;
}

/** Opens a source's credentials and builds the Workato clients it reads through. */
export class WorkatoConnections {
  constructor(
    private readonly db: Db,
    private readonly secrets: SecretBox,
    private readonly log: FastifyBaseLogger | undefined,
    private readonly options: WorkatoConnectionOptions = {},
    /** The logger is a run's, bound to its workspace and source already. */
    private readonly bound = false,
  ) {}

  /** The same connections for one run of a source's work (a sync job's, a hint refetch's), logging through its logger. */
  forRun(log: FastifyBaseLogger): WorkatoConnections {
    return new WorkatoConnections(this.db, this.secrets, log, this.options, true);
  }

  client(source: Pick<SourceRow, 'id' | 'workspaceId' | 'dataCenter' | 'tokenCiphertext'>): WorkatoClient {
    return new WorkatoHttpClient({
      ...this.options.client,
      endpoints: endpointsFor(source.dataCenter as WorkatoDataCenter, this.options.baseUrl),
      token: source.tokenCiphertext ? this.secrets.open(source.tokenCiphertext) : '',
      onResponse: (info) => {
        this.options.client?.onResponse?.(info);
        if (info.status === 429) this.#rateLimited(source, info);
      },
    });
  }

  mcp(source: Pick<SourceRow, 'mcpUrlCiphertext' | 'tokenCiphertext'>): WorkatoMcpClient {
    if (!source.mcpUrlCiphertext) throw new Error('an MCP source without a server URL');
    return new WorkatoMcpHttpClient({
      serverUrl: this.secrets.open(source.mcpUrlCiphertext),
      ...(source.tokenCiphertext ? { token: this.secrets.open(source.tokenCiphertext) } : {}),
      ...(this.options.client?.timeoutMs ? { timeoutMs: this.options.client.timeoutMs } : {}),
    });
  }

  /**
   * Records Workato's 429 on the source (when, which endpoint, how long it asked to wait, its
   * rate-limit headers): the client has already backed off; this is for operators and alerts.
   * A draft source (a smoke test before it is saved) has no row yet.
   */
  #rateLimited(source: Pick<SourceRow, 'id' | 'workspaceId'>, info: WorkatoResponseInfo) {
    const rateLimit = { endpoint: info.endpoint, family: info.family, retryAfterMs: info.retryAfterMs ?? null, ...info.rateLimit };
    const log = this.bound ? this.log : this.log?.child({ workspaceId: source.workspaceId, sourceId: source.id });
    log?.warn({ category: 'rate_limited', ...rateLimit }, 'Workato answered 429; backing off');
    const sourceId = source.id;
    if (!sourceId) return;
    this.db.source
      .updateMany({ where: { id: sourceId }, data: { rateLimitedAt: new Date(), rateLimit: rateLimit as Prisma.InputJsonObject } })
      .catch((error: unknown) => log?.warn({ err: error, category: 'internal' }, 'recording a Workato 429 failed'));
  }
}
