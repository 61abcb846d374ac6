import { describe, expect, it } from 'vitest';
import { CompiledMapping, DEFAULT_MAPPING, ZSourceMapping } from '../../api/src/sources/mapping.ts';

const context = { objectId: 'msg-1', time: '2026-11-24T09:00:00.000Z', source: 'shop' };

describe('source mappings', () => {
  it('make a contact, events and Tajo-only fields of a payload', async () => {
    const mapping = new CompiledMapping({
      externalId: 'customer.id',
      contact: '{"email": customer.email, "phone": customer.phone, "attributes": {"PLAN": plan, "ORDERS": $count(orders)}}',
      events: 'orders.{"name": "order_completed", "eventId": id, "occurredAt": at, "contact": {"email": $$.customer.email}, "properties": {"total": total}}',
      tajoOnly: '{"notes": notes, "receivedFrom": $source, "message": $objectId, "at": $time}',
    });
    const result = await mapping.apply(
      {
        customer: { id: 42, email: 'a@example.com', phone: null },
        plan: 'pro',
        notes: 'vip',
        orders: [
          { id: 'o1', at: '2026-11-01T10:00:00Z', total: 10 },
          { id: 'o2', at: '2026-11-02T10:00:00Z', total: 20 },
        ],
      },
      context,
    );
    expect(result).toEqual({
      ok: true,
      record: {
        sourceId: '42',
        // A null field is left out, as if the payload never had it.
        contact: { email: 'a@example.com', attributes: { PLAN: 'pro', ORDERS: 2 } },
        events: [
          { name: 'order_completed', eventId: 'o1', occurredAt: '2026-11-01T10:00:00Z', contact: { email: 'a@example.com' }, properties: { total: 10 } },
          { name: 'order_completed', eventId: 'o2', occurredAt: '2026-11-02T10:00:00Z', contact: { email: 'a@example.com' }, properties: { total: 20 } },
        ],
        objects: [],
        tajoOnly: { notes: 'vip', receivedFrom: 'shop', message: 'msg-1', at: '2026-11-24T09:00:00.000Z' },
      },
    });
  });

  it('give one event as a list of one, and none when the expression matches nothing', async () => {
    const mapping = new CompiledMapping({ externalId: 'id', events: 'order ? {"name": "order_placed", "eventId": order.id, "contact": {"externalId": "shop:" & id}}' });
    expect(await mapping.apply({ id: 'c1', order: { id: 'o9' } }, context)).toMatchObject({ ok: true, record: { events: [{ name: 'order_placed', eventId: 'o9' }], contact: null } });
    expect(await mapping.apply({ id: 'c1' }, context)).toMatchObject({ ok: true, record: { events: [], contact: null } });
  });

  it('name the expression that failed and why', async () => {
    const mapping = new CompiledMapping({ externalId: 'id', contact: '$number(age)' });
    expect(await mapping.apply({ id: 1, age: 'x' }, context)).toMatchObject({ ok: false, field: 'contact', reason: expect.stringContaining('the contact expression failed') });
    expect(await mapping.apply({ id: 1, age: '3' }, context)).toEqual({ ok: false, field: 'contact', reason: 'the contact expression gave a number, not an object' });
    const ids = new CompiledMapping({ externalId: 'ids' });
    expect(await ids.apply({ ids: [1, 2] }, context)).toEqual({ ok: false, field: 'externalId', reason: 'the externalId expression gave an array, not a string or number' });
    const events = new CompiledMapping({ externalId: 'id', events: '[1, 2]' });
    expect(await events.apply({ id: 1 }, context)).toMatchObject({ ok: false, field: 'events' });
  });

  it('make object records of a payload: one, a list, or none, each with its type apart from the record', async () => {
    const mapping = new CompiledMapping({
      externalId: 'id',
      objects: 'cars.{"type": "vehicle", "externalId": vin, "attributes": {"model": model}, "associations": [{"objectType": "contact", "externalId": $source & ":" & $$.id}]}',
    });
    expect(await mapping.apply({ id: 'o1', cars: [{ vin: 'V1', model: 'A' }, { vin: 'V2' }] }, context)).toMatchObject({
      ok: true,
      record: {
        contact: null,
        objects: [
          { type: 'vehicle', record: { externalId: 'V1', attributes: { model: 'A' }, associations: [{ objectType: 'contact', externalId: 'shop:o1' }] } },
          // A field whose expression matched nothing is left out.
          { type: 'vehicle', record: { externalId: 'V2', attributes: {}, associations: [{ objectType: 'contact', externalId: 'shop:o1' }] } },
        ],
      },
    });
    expect(await mapping.apply({ id: 'o1', cars: { vin: 'V3' } }, context)).toMatchObject({ ok: true, record: { objects: [{ type: 'vehicle', record: { externalId: 'V3' } }] } });
    expect(await mapping.apply({ id: 'o1' }, context)).toMatchObject({ ok: true, record: { objects: [] } });
    const untyped = new CompiledMapping({ externalId: 'id', objects: '{"externalId": id}' });
    expect(await untyped.apply({ id: 1 }, context)).toEqual({ ok: false, field: 'objects', reason: 'the objects expression gave something other than objects with a type' });
    expect(await new CompiledMapping({ externalId: 'id', objects: '"vehicle"' }).apply({ id: 1 }, context)).toMatchObject({ ok: false, field: 'objects' });
  });

  it('stop a runaway expression instead of stalling a job', async () => {
    const mapping = new CompiledMapping({ externalId: 'id', contact: '($f := function($n) { $n = 0 ? 0 : $f($n - 1) + 0 }; {"email": $string($f(100000000))})' });
    expect(await mapping.apply({ id: 1 }, context)).toMatchObject({ ok: false, field: 'contact', reason: expect.stringContaining('nested deeper than') });
    // Concurrent evaluations keep their own budgets: a normal one beside it is unaffected.
    const normal = new CompiledMapping({ externalId: 'id', contact: '{"email": email}' });
    const [runaway, fine] = await Promise.all([mapping.apply({ id: 1 }, context), normal.apply({ id: 2, email: 'd@example.com' }, context)]);
    expect(runaway.ok).toBe(false);
    expect(fine).toMatchObject({ ok: true, record: { contact: { email: 'd@example.com' } } });
  });

  it('refuse expressions that do not compile, with where', () => {
    const parsed = ZSourceMapping.safeParse({ externalId: 'id', contact: '{"email": email' });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['contact'], message: expect.stringContaining('not a valid JSONata expression') });
    expect(ZSourceMapping.safeParse({ externalId: 'id', extra: 'x' }).success).toBe(false);
    expect(ZSourceMapping.safeParse(DEFAULT_MAPPING).success).toBe(true);
  });

  it('by default read the payload\'s own contact fields, with the message ID when it has no id', async () => {
    const mapping = new CompiledMapping(DEFAULT_MAPPING);
    expect(await mapping.apply({ email: 'b@example.com', first_name: 'Bo' }, context)).toMatchObject({ ok: true, record: { sourceId: 'msg-1', contact: { email: 'b@example.com', firstName: 'Bo' } } });
    expect(await mapping.apply({ id: 7, email: 'c@example.com', firstName: 'Cy' }, context)).toMatchObject({ ok: true, record: { sourceId: '7', contact: { firstName: 'Cy' } } });
  });
});
