import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../api/src/events/normalize.ts';
import { batchesOf } from '../../api/src/events/activation.ts';

const ctx = { defaultRegion: 'US' as const, receivedAt: '2026-11-23T12:00:00.000Z' };
const base = { name: 'order_created', occurredAt: '2026-11-23T10:00:00+01:00', contact: { email: 'A@Example.com' } };

const rejected = (input: unknown) => {
  const result = normalizeEvent(input, ctx);
  return result.ok ? [] : result.rejections.map((rejection) => rejection.field);
};

describe('event normalization', () => {
  it('derives the same ID for the same event however it is written, and another for any other content', () => {
    const one = normalizeEvent(base, ctx);
    const same = normalizeEvent({ ...base, occurredAt: 1795424400, contact: { email: ' a@example.COM ' } }, ctx);
    const other = normalizeEvent({ ...base, properties: { total: 1 } }, ctx);
    expect(one.ok && same.ok && other.ok).toBe(true);
    if (!one.ok || !same.ok || !other.ok) return;
    expect(one.event).toMatchObject({ occurredAt: '2026-11-23T09:00:00.000Z', contact: { email: 'a@example.com' } });
    expect(same.event.eventId).toBe(one.event.eventId);
    expect(same.contentHash).toBe(one.contentHash);
    expect(other.event.eventId).not.toBe(one.event.eventId);
  });

  it('takes the time of receipt when an identified event has no time, without changing its content hash', () => {
    const result = normalizeEvent({ eventId: 'e1', name: 'x', contact: { externalId: 'c' } }, ctx);
    const later = normalizeEvent({ eventId: 'e1', name: 'x', contact: { externalId: 'c' } }, { ...ctx, receivedAt: '2027-01-01T00:00:00.000Z' });
    expect(result.ok && result.event.occurredAt).toBe(ctx.receivedAt);
    expect(result.ok && later.ok && result.contentHash === later.contentHash).toBe(true);
  });

  it("refuses what Brevo refuses: lists of non-objects, properties over 50 KB, bad names, text PostgreSQL cannot store", () => {
    expect(rejected({ ...base, properties: { tags: ['a', 'b'], lines: [{ sku: 'A1' }] } })).toEqual(['properties.tags']);
    expect(rejected({ ...base, properties: { blob: 'x'.repeat(9_000), more: 'y'.repeat(9_000), again: 'z'.repeat(9_000), last: 'w'.repeat(9_000), end: 'v'.repeat(9_000), over: 'u'.repeat(9_000) } })).toEqual(['properties']);
    expect(rejected({ ...base, contactProperties: { firstName: 'A', FIRSTNAME: 'B', '9X': 1 } })).toEqual(['contactProperties.FIRSTNAME', 'contactProperties.9X']);
    expect(rejected({ ...base, properties: { note: 'a\u0000b' } })).toEqual(['properties.note']);
    expect(rejected({ ...base, contact: { phone: 'call me' } })).toEqual(['contact.phone']);
    expect(rejected(null)).toEqual(['']);
  });
});

describe('batches of events', () => {
  it("keep order and stay within Brevo's count and size limits", () => {
    const sizes = [100, 100, 100, 300, 50, 50];
    const batches = batchesOf(sizes, (size) => size, 3, 402);
    expect(batches).toEqual([[100, 100, 100], [300, 50], [50]]);
    expect(batchesOf([600], (size) => size, 3, 402)).toEqual([[600]]);
    expect(batchesOf([], (size: number) => size)).toEqual([]);
  });
});
