import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createTestApp, createWorkspace, type TestApp, type TestWorkspace } from '../support/app.ts';

interface WrittenContact {
  result: string;
  contact: { id: string; externalId: string; email: string | null; phone: string | null; firstName: string | null; locale: string | null; version: number };
}

let t: TestApp;
let ws: TestWorkspace;
let endpoint: URL;
const clients: Client[] = [];

beforeAll(async () => {
  t = await createTestApp();
  ws = await createWorkspace(t.app, { defaultPhoneRegion: 'GB', sourceName: 'workato' });
  endpoint = new URL('/mcp', await t.app.listen({ host: '127.0.0.1', port: 0 }));
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await t.close();
});

/** An MCP client as an agent would run it: the SDK's, over real HTTP, with the API key as a header. */
async function connect(headers: Record<string, string>) {
  const client = new Client({ name: 'tajo-test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(endpoint, { requestInit: { headers } }));
  clients.push(client);
  return client;
}

const text = (result: CallToolResult) => result.content.map((item) => (item.type === 'text' ? item.text : '')).join('\n');

async function call(client: Client, name: string, args: Record<string, unknown>) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

describe('MCP endpoint', () => {
  it('lists the recipe actions as tools, each limited to what the key may do', async () => {
    const write = await connect({ 'x-api-key': ws.writeKey });
    const names = (await write.listTools()).tools.map((tool) => tool.name);
    for (const name of [
      'upsert_contact',
      'search_contacts',
      'batch_upsert_contacts',
      'update_contact',
      'track_event',
      'add_list_members',
      'retry_dead_letter',
      'upsert_object_record',
      'batch_upsert_object_records',
      'search_object_records',
      'get_object_record',
      'associate_object_record',
      'dissociate_object_record',
    ]) {
      expect(names).toContain(name);
    }
    // A pick list, the connection test and admin operations are not recipe actions; erasure is an admin action.
    for (const name of ['list_event_names', 'get_workspace', 'create_api_key', 'connect_brevo', 'erase_contact']) expect(names).not.toContain(name);

    const admin = await connect({ authorization: `Bearer ${ws.adminKey}` });
    expect((await admin.listTools()).tools.map((tool) => tool.name)).toContain('erase_contact');

    const upsert = (await write.listTools()).tools.find((tool) => tool.name === 'upsert_contact')!;
    expect(upsert.title).toBe('Upsert a contact');
    expect(upsert.description).toContain("'write' scope");
    expect(upsert.annotations?.readOnlyHint).toBe(false);
  });

  it('upserts a messy contact normalized, honours idempotencyKey, and finds it with search_contacts', async () => {
    const client = await connect({ 'x-api-key': ws.writeKey });
    const messy = { sourceId: 'mcp-1', email: '  Ada.Lovelace@Example.COM ', phone: '020 7946 0018', firstName: ' Ada ', locale: 'en_gb' };

    const created = await call(client, 'upsert_contact', { ...messy, idempotencyKey: 'mcp-upsert-1' });
    expect(created.isError).toBeFalsy();
    const written = created.structuredContent as unknown as WrittenContact;
    expect(written.result).toBe('created');
    expect(written.contact).toMatchObject({ externalId: 'workato:mcp-1', email: 'ada.lovelace@example.com', phone: '+442079460018', firstName: 'Ada', locale: 'en-GB' });
    expect(JSON.parse(text(created))).toEqual(written);

    // The same key replays the first answer; without it, the identical record is merely unchanged.
    const replayed = await call(client, 'upsert_contact', { ...messy, idempotencyKey: 'mcp-upsert-1' });
    expect((replayed.structuredContent as unknown as WrittenContact).result).toBe('created');
    const again = await call(client, 'upsert_contact', messy);
    expect((again.structuredContent as unknown as WrittenContact).result).toBe('unchanged');
    // Older than what Tajo holds: stale, naming the field it kept (the tool's output schema has the result).
    const older = await call(client, 'upsert_contact', { sourceId: 'mcp-1', firstName: 'Older', sourceUpdatedAt: '2001-01-01T00:00:00Z' });
    expect(older.isError).toBeFalsy();
    expect(older.structuredContent).toMatchObject({ result: 'stale', skipped: ['firstName'], contact: { firstName: 'Ada', version: 1 } });

    const search = await call(client, 'search_contacts', { email: 'ADA.LOVELACE@example.com', limit: 10 });
    expect(search.isError).toBeFalsy();
    const page = search.structuredContent as { data: { id: string }[] };
    expect(page.data.map((contact) => contact.id)).toEqual([written.contact.id]);

    // A path parameter and body fields side by side.
    const updated = await call(client, 'update_contact', { id: written.contact.id, lastName: 'Lovelace' });
    expect(updated.structuredContent).toMatchObject({ result: 'updated', contact: { id: written.contact.id, version: 2 } });
  });

  it('batch upserts with per-record results, the bad record rejected with its field', async () => {
    const client = await connect({ 'x-api-key': ws.writeKey });
    const result = await call(client, 'batch_upsert_contacts', { records: [{ sourceId: 'mcp-b1', email: 'Max@Bücher.DE' }, { sourceId: 'mcp-b2', email: 'not-an-email' }] });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ counts: { created: 1, rejected: 1 } });
    expect(JSON.stringify(result.structuredContent)).toContain('email');
  });

  it('gives a read-scoped key no write tools, and refuses a write call naming the scope, writing nothing', async () => {
    const client = await connect({ 'x-api-key': ws.readKey });
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('search_contacts');
    expect(names).toContain('get_contact');
    for (const name of ['upsert_contact', 'batch_upsert_contacts', 'track_event', 'add_list_members', 'retry_dead_letter']) expect(names).not.toContain(name);

    const refused = await call(client, 'upsert_contact', { sourceId: 'mcp-read-1', email: 'reader@example.com' });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("'write' scope");
    expect(await t.db.contact.count({ where: { workspaceId: ws.id, externalId: 'workato:mcp-read-1' } })).toBe(0);
  });

  it('answers API errors as tool errors an agent can act on', async () => {
    const client = await connect({ 'x-api-key': ws.writeKey });
    const invalid = await call(client, 'upsert_contact', { sourceId: 'mcp-bad', email: 'not-an-email' });
    expect(invalid.isError).toBe(true);
    expect(text(invalid)).toMatch(/body\.email: not an email address/);
    expect(invalid.structuredContent).toBeUndefined();

    const missing = await call(client, 'get_contact', { id: '00000000-0000-4000-8000-000000000000' });
    expect([missing.isError, text(missing)]).toEqual([true, expect.stringContaining('not found')]);

    expect(text(await call(client, 'get_contact', {}))).toBe('get_contact needs id.');
    expect(text(await call(client, 'retry_dead_letter', { id: '00000000-0000-4000-8000-000000000000', force: true }))).toBe('retry_dead_letter takes no argument named force.');
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/Unknown tool/);
  });

  it('refuses requests without a valid API key before any MCP handling', async () => {
    // Stateless: a bare tools/list needs no initialize or session first (the README's curl example).
    const post = (headers: Record<string, string>) =>
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });

    for (const headers of [{}, { 'x-api-key': 'tajo_not_a_key' }] as Record<string, string>[]) {
      const response = await post(headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { type: string }).type).toBe('authentication');
    }
    await expect(connect({})).rejects.toThrow(/401/);

    const accepted = await post({ 'x-api-key': ws.readKey });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('x-request-id')).toBeTruthy();
    const listed = (await accepted.json()) as { result: { tools: { name: string }[] } };
    expect(listed.result.tools.map((tool) => tool.name)).toContain('search_contacts');
  });

  it('is stateless: no stream to open with GET, no session to end with DELETE', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(endpoint, { method, headers: { 'x-api-key': ws.readKey, accept: 'text/event-stream' } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});
