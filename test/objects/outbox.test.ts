import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RELAY_STATEMENT } from '../../api/src/jobs/activation-workers.ts';
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
  // The outbox keeps every processed row. Before the table's first ANALYZE, the relay's second
  // statement (an UPDATE by a list of IDs) read all of them, every relay.
  it('reaches the rows it takes by index, not by reading the whole outbox, before the table has statistics', async () => {
    const ws = await createWorkspace(h.t.app);
    const row = (processedAt: Date | null) => ({ workspaceId: ws.id, entityType: 'contact', entityId: ws.id, operation: 'upsert', entityVersion: 1, processedAt });
    await h.t.db.activationOutbox.createMany({ data: Array.from({ length: 5_000 }, (_, i) => row(i < 4_900 ? new Date() : null)) });
    const { rows } = await h.t.db.sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${RELAY_STATEMENT}`, [5_000, ['contact']]);
    const plan = rows.map((line) => line['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/activation_outbox/);
    expect(plan).not.toMatch(/Seq Scan on activation_outbox/);
  });
});
