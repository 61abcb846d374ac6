import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkatoSimulator, type WorkatoSimulator } from '../../api/src/simulators/workato/server.ts';
import { WorkatoError } from '../../api/src/workato/client.ts';
import { WorkatoMcpHttpClient } from '../../api/src/workato/mcp-client.ts';
import type { SimulatedRow } from '../../api/src/simulators/workato/resources.ts';

const TOKEN = 'wrk-mcp-test-secret';
let workato: WorkatoSimulator;
let rows: SimulatedRow[];
const clients: WorkatoMcpHttpClient[] = [];
beforeAll(async () => {
  workato = await startWorkatoSimulator({ tokens: [TOKEN] });
  rows = workato.setLookupTable('contacts', [{ email: 'ana@example.com' }, { email: 'bo@example.com' }, { email: 'cy@example.com' }]);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await workato.close();
});

const mcp = (options: { serverUrl?: string; token?: string } = {}) => {
  const client = new WorkatoMcpHttpClient({ serverUrl: options.serverUrl ?? workato.mcpUrl, timeoutMs: 5_000, ...(options.token !== undefined ? { token: options.token } : {}) });
  clients.push(client);
  return client;
};

describe('WorkatoMcpHttpClient against the simulated Workato MCP server', () => {
  it('lists the tools and fetches a record as structured content, with a Bearer token', async () => {
    const client = mcp({ token: TOKEN });
    expect((await client.listTools()).sort()).toEqual(['get_record', 'list_records']);
    expect(await client.callTool('get_record', { table_id: 'contacts', id: rows[1]!.id })).toEqual({
      id: rows[1]!.id,
      data: { email: 'bo@example.com' },
      created_at: rows[1]!.createdAt,
      updated_at: rows[1]!.updatedAt,
    });
    expect(await client.callTool('list_records', { table_id: 'contacts', per_page: 2 })).toMatchObject({ records: [{ id: rows[0]!.id }, { id: rows[1]!.id }], next_page: 2 });
  });

  it('authenticates with the token in the query string too', async () => {
    const client = mcp({ serverUrl: `${workato.mcpUrl}?token=${TOKEN}` });
    expect(await client.callTool('get_record', { table_id: 'contacts', id: rows[0]!.id })).toMatchObject({ data: { email: 'ana@example.com' } });
  });

  it('answers a record the table lacks with not_found', async () => {
    const failure = await mcp({ token: TOKEN }).callTool('get_record', { table_id: 'contacts', id: '424242' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WorkatoError);
    expect(failure).toMatchObject({ category: 'not_found', message: expect.stringContaining('Record 424242 not found') });
  });

  it('fails a tool the server lacks', async () => {
    const lacking = await startWorkatoSimulator({ tokens: [TOKEN], mcpTools: ['list_records'] });
    try {
      const client = mcp({ serverUrl: lacking.mcpUrl, token: TOKEN });
      expect(await client.listTools()).toEqual(['list_records']);
      const failure = await client.callTool('get_record', { table_id: 'contacts', id: '1' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(WorkatoError);
      expect((failure as WorkatoError).category).toBe('not_found');
      expect((failure as Error).message).toContain('get_record');
    } finally {
      await lacking.close();
    }
  });

  it('maps a bad token to authentication, with the query-string token redacted from the message', async () => {
    const failure = await mcp({ serverUrl: `${workato.mcpUrl}?token=leaked-secret-value` }).listTools().catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: 'authentication', status: 401 });
    expect((failure as Error).message).toContain('/mcp?token=REDACTED');
    expect((failure as Error).message).not.toContain('leaked-secret-value');
    const header = await mcp({ token: 'wrong-bearer-secret' }).callTool('get_record', { table_id: 'contacts', id: '1' }).catch((error: unknown) => error);
    expect(header).toMatchObject({ category: 'authentication' });
    expect((header as Error).message).not.toContain('wrong-bearer-secret');
  });

  it('maps an unreachable server to vendor_unavailable', async () => {
    const closed = await startWorkatoSimulator({ tokens: [TOKEN] });
    const url = `${closed.mcpUrl}?token=${TOKEN}`;
    await closed.close();
    const failure = await mcp({ serverUrl: url }).listTools().catch((error: unknown) => error);
    expect(failure).toMatchObject({ category: 'vendor_unavailable' });
    expect((failure as Error).message).not.toContain(TOKEN);
  });
});
