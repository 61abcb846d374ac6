import type { Source as SourceRow } from '../generated/prisma/client.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { endpointsFor, WorkatoHttpClient, type WorkatoClientOptions } from '../workato/client.ts';
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
    private readonly secrets: SecretBox,
    private readonly options: WorkatoConnectionOptions = {},
  ) {}

  client(source: Pick<SourceRow, 'dataCenter' | 'tokenCiphertext'>): WorkatoClient {
    return new WorkatoHttpClient({
      ...this.options.client,
      endpoints: endpointsFor(source.dataCenter as WorkatoDataCenter, this.options.baseUrl),
      token: source.tokenCiphertext ? this.secrets.open(source.tokenCiphertext) : '',
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
}
