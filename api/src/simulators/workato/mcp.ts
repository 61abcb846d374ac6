import type { FastifyInstance } from 'fastify';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ResourceStore, SimulatedRow } from './resources.ts';
import { WorkatoSimulatorError } from './errors.ts';

/** The record-fetch tools the simulated Workato MCP server can expose. */
export const MCP_TOOLS = ['get_record', 'list_records'] as const;
export type McpToolName = (typeof MCP_TOOLS)[number];

const LIST_PAGE = { default: 100, max: 100 };

const recordOf = (row: SimulatedRow) => ({ id: row.id, data: row.data, created_at: row.createdAt, updated_at: row.updatedAt });

function result(structured: Record<string, unknown>): CallToolResult {
  return { structuredContent: structured, content: [{ type: 'text', text: JSON.stringify(structured) }] };
}

const failure = (text: string): CallToolResult => ({ isError: true, content: [{ type: 'text', text }] });

function toolServer(store: ResourceStore, tools: readonly McpToolName[]): McpServer {
  const server = new McpServer({ name: 'workato-simulator', version: '1.0.0' });
  if (tools.includes('get_record')) {
    server.registerTool(
      'get_record',
      { description: 'One record of a lookup table or data table, by ID.', inputSchema: { table_id: z.string(), id: z.string() } },
      async ({ table_id: tableId, id }) => {
        const table = store.table(tableId);
        if (!table) return failure(`Table ${tableId} not found`);
        const row = table.get(id);
        return row ? result(recordOf(row)) : failure(`Record ${id} not found in table ${tableId}`);
      },
    );
  }
  if (tools.includes('list_records')) {
    server.registerTool(
      'list_records',
      {
        description: 'One page of the records of a lookup table or data table.',
        inputSchema: { table_id: z.string(), page: z.number().int().min(1).optional(), per_page: z.number().int().min(1).max(LIST_PAGE.max).optional() },
      },
      async ({ table_id: tableId, page = 1, per_page: perPage = LIST_PAGE.default }) => {
        const table = store.table(tableId);
        if (!table) return failure(`Table ${tableId} not found`);
        const rows = [...table.values()];
        const start = (page - 1) * perPage;
        return result({ records: rows.slice(start, start + perPage).map(recordOf), page, next_page: start + perPage < rows.length ? page + 1 : null });
      },
    );
  }
  return server;
}

/**
 * A Workato MCP server at /mcp over Streamable HTTP, stateless: each POST gets its own server and
 * transport. Authentication (Bearer header or `token` query parameter) is the simulator's hook.
 */
export function registerMcpRoutes(app: FastifyInstance, store: ResourceStore, tools: readonly McpToolName[]) {
  app.post('/mcp', async (request, reply) => {
    const server = toolServer(store, tools);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    // The transport writes the answer itself.
    reply.hijack();
    reply.raw.on('close', () => {
      server.close().catch(() => undefined);
    });
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });

  // Stateless: no server-to-client stream to open, no session to end.
  app.route({
    method: ['GET', 'DELETE'],
    url: '/mcp',
    handler: async (_request, reply) => {
      reply.header('allow', 'POST');
      throw new WorkatoSimulatorError(405, 'This MCP server is stateless: POST each JSON-RPC message');
    },
  });
}
