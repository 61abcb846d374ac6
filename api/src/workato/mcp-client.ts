import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { redactUrl, WorkatoError } from './client.ts';
import type { WorkatoMcpClient } from './types.ts';

export interface WorkatoMcpClientOptions {
  /** The MCP server's URL; Workato's carry their token in the query string. */
  serverUrl: string;
  /** Sent as `Authorization: Bearer` when given. */
  token?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A Workato MCP server over Streamable HTTP. Connects at the first call (and again after a failed
 * connection); every failure is a WorkatoError whose message names the server by its redacted URL.
 */
export class WorkatoMcpHttpClient implements WorkatoMcpClient {
  readonly #options: WorkatoMcpClientOptions;
  readonly #timeoutMs: number;
  readonly #redactedUrl: string;
  #connection: Promise<Client> | undefined;

  constructor(options: WorkatoMcpClientOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#redactedUrl = redactUrl(options.serverUrl);
  }

  #connect(): Promise<Client> {
    this.#connection ??= (async () => {
      const client = new Client({ name: 'tajo', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(this.#options.serverUrl), {
        ...(this.#options.token ? { requestInit: { headers: { authorization: `Bearer ${this.#options.token}` } } } : {}),
      });
      await client.connect(transport, { timeout: this.#timeoutMs });
      return client;
    })().catch((error: unknown) => {
      this.#connection = undefined;
      throw this.#failure('connecting to', error);
    });
    return this.#connection;
  }

  async listTools(signal?: AbortSignal): Promise<string[]> {
    const client = await this.#connect();
    const names: string[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: this.#timeoutMs, ...(signal ? { signal } : {}) });
        names.push(...page.tools.map((tool) => tool.name));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    } catch (error) {
      throw this.#failure('listing the tools of', error);
    }
    return names;
  }

  async callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const client = await this.#connect();
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await client.callTool({ name, arguments: args }, undefined, { timeout: this.#timeoutMs, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw this.#failure(`calling tool ${name} on`, error);
    }
    const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
    const text = content.find((part) => part.type === 'text')?.text;
    if (result.isError) {
      const reason = text ?? 'no reason given';
      throw new WorkatoError(/not found/i.test(reason) ? 'not_found' : 'validation', `Workato MCP tool ${name} failed on ${this.#redactedUrl}: ${reason}`);
    }
    if (result.structuredContent !== undefined) return result.structuredContent;
    if (text === undefined) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.close();
  }

  #failure(action: string, error: unknown): WorkatoError {
    if (error instanceof WorkatoError) return error;
    const where = `${action} the Workato MCP server ${this.#redactedUrl}`;
    if (error instanceof StreamableHTTPError && error.code === 401) {
      return new WorkatoError('authentication', `The Workato MCP server rejected the token (HTTP 401) when ${where}`, { status: 401 });
    }
    if (error instanceof StreamableHTTPError && error.code === 403) {
      return new WorkatoError('permission', `The Workato MCP server refused access (HTTP 403) when ${where}`, { status: 403 });
    }
    if (error instanceof StreamableHTTPError && error.code === 404) {
      return new WorkatoError('not_found', `There is no Workato MCP server (HTTP 404) when ${where}`, { status: 404 });
    }
    if (error instanceof McpError && error.code === ErrorCode.InvalidParams) {
      return new WorkatoError(/not found/i.test(error.message) ? 'not_found' : 'validation', `Failed ${where}: ${error.message}`);
    }
    const status = error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0 ? error.code : null;
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    // A message built by the SDK may quote the URL it was given: keep only the redacted one.
    const safe = reason.replaceAll(this.#options.serverUrl, this.#redactedUrl);
    return new WorkatoError('vendor_unavailable', `Failed ${where}: ${this.#scrub(safe)}`, { status });
  }

  /** Removes the token and query values from a message; values too short to be secrets would only mangle words. */
  #scrub(message: string): string {
    let scrubbed = message;
    for (const secret of [this.#options.token, ...new URL(this.#options.serverUrl).searchParams.values()]) {
      if (secret && secret.length >= 8) scrubbed = scrubbed.replaceAll(secret, 'REDACTED');
    }
    return scrubbed;
  }
}
