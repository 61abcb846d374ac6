import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_BEGIN, RELAY_STATEMENT } from '../../api/src/jobs/activation-workers.ts';
import { startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { createWorkspace, withKey } from '../support/app.ts';
import { defineTypes } from './support.ts';

let h: ActivationHarness;
beforeAll(async () => {
  h = await startActivationHarness();
});
afterAll(() => h.close());

/**
 * A release may write outbox rows of an entity type before its activator is deployed (as object
 * records once did). The relay must leave those rows waiting (not turn them into jobs that fail
 * and are dropped), and the rest of the outbox must flow as before.
 */
describe('outbox rows of an entity type no activator handles yet', () => {
  it('stay in the outbox, unprocessed, while contacts and object records written with them are activated', async () => {
    const ws = await createWorkspace(h.t.app);
    await h.connect(ws);
    await defineTypes(h.t.app, ws);
    h.brevo.state.objects.defineType('subscription', { attributes: { subscription_id: 'text' }, associations: ['contact'] });
    const contact = await h.t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { sourceId: '1', email: 'ada@example.com' } });
    expect(contact.statusCode).toBe(201);
    const record = await h.t.app.inject({
      method: 'POST',
      url: '/v1/objects/subscription/records',
      headers: withKey(ws.writeKey),
      payload: { attributes: { subscription_id: 'SUB-1' }, associations: [{ objectType: 'contact', externalId: 'api:1' }] },
    });
    expect(record.statusCode).toBe(201);
    await h.t.db.activationOutbox.create({ data: { workspaceId: ws.id, entityType: 'future_entity', entityId: record.json<{ record: { id: string } }>().record.id, operation: 'upsert', entityVersion: 1 } });
    await h.settle();
    const rows = await h.t.db.activationOutbox.findMany({ where: { workspaceId: ws.id }, orderBy: { id: 'asc' } });
    expect(rows.map((row) => [row.entityType, row.processedAt === null])).toEqual([
      ['contact', false],
      ['object_record', false],
      ['object_association', false],
      ['future_entity', true],
    ]);
  });
});

describe('the outbox relay', () => {
  /** The relay statement's plan, explained in a transaction set up as the relay's (and rolled back when only planned). */
  async function relayPlan(entityTypes: string[], analyze: boolean): Promise<PlanNode> {
    const client = await h.t.db.sql.connect();
    try {
      await client.query(RELAY_BEGIN);
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON${analyze ? ', ANALYZE' : ''}) ${RELAY_STATEMENT}`, [5_000, entityTypes]);
      await client.query(analyze ? 'COMMIT' : 'ROLLBACK');
      return rows[0]!['QUERY PLAN'][0].Plan;
    } finally {
      client.release();
    }
  }

  // The outbox keeps every processed row. Before the table's first ANALYZE, the relay's second
  // statement (an UPDATE by a list of IDs) read all of them, every relay.
  it('reaches the rows it takes by index, not by reading the whole outbox, before the table has statistics', async () => {
    const ws = await createWorkspace(h.t.app);
    const row = (processedAt: Date | null) => ({ workspaceId: ws.id, entityType: 'contact', entityId: ws.id, operation: 'upsert', entityVersion: 1, processedAt });
    await h.t.db.activationOutbox.createMany({ data: Array.from({ length: 5_000 }, (_, i) => row(i < 4_900 ? new Date() : null)) });
    const scans = planNodes(await relayPlan(['contact'], false)).filter((node) => node['Relation Name'] === 'activation_outbox');
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.map((node) => node['Node Type'])).not.toContain('Seq Scan');
  });

  // Nothing vacuums PGlite (nor this PostgreSQL, autovacuum off): the index entries of relayed rows
  // stay until a scan marks them dead, which bitmap scans never do. The relay handles about ten types.
  it('does not read again the rows earlier relays took, on a database that is never vacuumed', async () => {
    const ws = await createWorkspace(h.t.app);
    // Types the running relay leaves alone: these relays take every row.
    const entityTypes = Array.from({ length: 10 }, (_, i) => `relay_probe_${i}`);
    const rowsRead: number[] = [];
    for (let relay = 0; relay < 8; relay++) {
      await h.t.db.activationOutbox.createMany({ data: Array.from({ length: 1_000 }, () => ({ workspaceId: ws.id, entityType: entityTypes[0]!, entityId: ws.id, operation: 'upsert', entityVersion: 1 })) });
      const nodes = planNodes(await relayPlan(entityTypes, true));
      expect(nodes[0]!['Actual Rows']).toBe(1_000);
      // What each scan of the outbox read: index entries (a bitmap index scan's count), or rows, those its filter dropped included.
      const outboxScans = nodes.filter((node) => /^activation_outbox/.test(node['Relation Name'] ?? node['Index Name'] ?? ''));
      rowsRead.push(Math.max(...outboxScans.map((node) => (node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0))));
    }
    expect(rowsRead).toEqual(rowsRead.map(() => 1_000));
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];
