import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { grants } from '../auth/scopes.ts';
import { AppError } from '../errors/problem.ts';
import type { OpenApiDocument } from '../operations/catalog.ts';
import { buildTools, toolError, toolRequest, toolResult, type McpTool } from './tools.ts';

/** The caller's own credentials, passed on as received so each tool call is authenticated as over REST. */
function credentials(request: FastifyRequest): Record<string, string> {
  const { 'x-api-key': apiKey, authorization } = request.headers;
  return {
    ...(typeof apiKey === 'string' ? { 'x-api-key': apiKey } : {}),
    ...(authorization ? { authorization } : {}),
  };
}

/** An MCP server for one HTTP request, acting with the caller's key. */
function toolServer(app: FastifyInstance, request: FastifyRequest, tools: Map<string, McpTool>, version: string): Server {
  const { scopes } = request.auth;
  const server = new Server({ name: 'tajo', title: 'Tajo API', version }, { capabilities: { tools: {} } });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...tools.values()].filter((tool) => grants(scopes, tool.operation.scope)).map((tool) => tool.definition),
  }));

  server.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
    const tool = tools.get(params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
    const needed = tool.operation.scope;
    // The API would answer 403 too; refusing here keeps an unlisted tool from running at all.
    if (!grants(scopes, needed)) {
      return toolError(`${tool.definition.name} needs an API key with the '${needed}' scope; this key has: ${scopes.join(', ') || 'none'}.`);
    }
    const prepared = toolRequest(tool, params.arguments ?? {});
    if ('error' in prepared) return toolError(prepared.error);
    // In-process through the API's own route: authentication, scopes, validation, normalization and
    // idempotency apply exactly as over REST. The MCP request's ID ties the two in the logs.
    const response = await app.inject({
      ...prepared.request,
      headers: { ...prepared.request.headers, ...credentials(request), 'x-request-id': request.id },
    });
    return toolResult(response);
  });
  return server;
}

/**
 * The API's operations as MCP tools over Streamable HTTP, at /mcp. Stateless: each POST gets its own
 * server and transport, so any API process can answer any request and nothing outlives a request.
 * Register it in a scope that authenticates API keys (requireApiKey): every route needs a valid key,
 * and the key's scopes decide which tools it sees and may call.
 */
export const mcpRoutes: FastifyPluginAsync = async (app) => {
  // Built at the first MCP request, from the same spec the connector is generated from: rendering
  // the spec is start-up work every API process (and test app) would pay for nothing otherwise.
  let catalog: { tools: Map<string, McpTool>; version: string } | undefined;
  const toolCatalog = () => {
    if (!catalog) {
      const document = app.swagger();
      catalog = { tools: buildTools(document as unknown as OpenApiDocument), version: document.info.version };
    }
    return catalog;
  };

  app.post('/mcp', {
    config: { scope: 'read' },
    // The tools are the API's operations already; the transport endpoint itself is not one.
    schema: { hide: true },
    handler: async (request, reply) => {
      const { tools, version } = toolCatalog();
      const server = toolServer(app, request, tools, version);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      // The transport writes the response itself; Fastify's reply headers would be lost, so set ours on the raw one.
      reply.hijack();
      reply.raw.setHeader('x-request-id', request.id);
      reply.raw.on('close', () => {
        server.close().catch((error: unknown) => request.log.error({ err: error, category: 'internal' }, 'closing the MCP server failed'));
      });
      // Origin is not checked (DNS rebinding protection): every request needs an API key, which a
      // browser never sends on its own, so a rebound page cannot act for anyone.
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  });

  // Stateless Streamable HTTP offers no server-to-client stream (GET) and no session to end (DELETE).
  app.route({
    method: ['GET', 'DELETE'],
    url: '/mcp',
    config: { scope: 'read' },
    schema: { hide: true },
    handler: async () => {
      throw new AppError('validation', 'This MCP endpoint is stateless: send each JSON-RPC message as a POST; there is no stream to open or session to end.', {
        status: 405,
        headers: { allow: 'POST' },
      });
    },
  });
};
