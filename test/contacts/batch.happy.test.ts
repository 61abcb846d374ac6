import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';
import { messyContacts } from '../support/messy-contacts.ts';

interface BatchBody {
  results: { index: number; status: string; id: string | null; externalId: string | null; errors: { field: string; reason: string }[] }[];
  counts: { created: number; updated: number; unchanged: number; rejected: number };
}

describe('batch upsert of 1,000 messy contacts', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const cases = messyContacts(1000);
  const records = cases.map((c) => c.record);
  const outboxCount = () => t.db.activationOutbox.count({ where: { workspaceId: ws.id } });
  const versionCount = () => t.db.contactVersion.count({ where: { workspaceId: ws.id } });
  const send = async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect(response.statusCode).toBe(200);
    return response.json<BatchBody>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app, { defaultPhoneRegion: 'US' });
  });
  afterAll(() => t.close());

  it('gives every record its exact result, and one bad record never fails the batch', async () => {
    const body = await send();
    expect(body.results).toHaveLength(1000);
    const rejected = cases.filter((c) => c.expected.status === 'rejected').length;
    expect(rejected).toBe(50);
    expect(body.counts).toEqual({ created: 950, updated: 0, unchanged: 0, stale: 0, rejected: 50 });
    body.results.forEach((result, index) => {
      const expected = cases[index]!.expected;
      expect(result.index).toBe(index);
      if (expected.status === 'rejected') {
        expect(result).toMatchObject({ status: 'rejected', id: null });
        expect(result.errors.map((e) => e.field)).toEqual([expected.field]);
        expect(result.errors[0]!.reason.length).toBeGreaterThan(5);
      } else {
        expect(result).toMatchObject({ status: 'created', externalId: expected.externalId, errors: [] });
        expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    const stored = await t.db.contact.findMany({ where: { workspaceId: ws.id } });
    expect(stored).toHaveLength(950);
    const byExternalId = new Map(stored.map((row) => [row.externalId, row]));
    for (const { expected } of cases) {
      if (expected.status !== 'created') continue;
      const row = byExternalId.get(expected.externalId)!;
      expect(row.email).toBe(expected.email);
      expect(row.phone).toBe(expected.phone);
      expect(row.sourceUpdatedAt?.toISOString()).toBe(expected.sourceUpdatedAt);
      expect(row.firstName).toMatch(/^Ada \d+$/);
    }
    expect(await outboxCount()).toBe(950);
    expect(await versionCount()).toBe(950);
  });

  it('keeps the original payload of each version for audit', async () => {
    const first = cases.find((c) => c.expected.status === 'created')!;
    const contact = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'crm:C-0' } });
    const version = await t.db.contactVersion.findFirstOrThrow({ where: { contactId: contact.id } });
    expect(version.payload).toEqual(first.record);
    expect((version.normalized as { email: string }).email).toBe('user0@example.com');
  });

  it('re-sending the same batch yields only unchanged and the same rejections, and no new downstream work', async () => {
    const before = { outbox: await outboxCount(), versions: await versionCount() };
    const body = await send();
    expect(body.counts).toEqual({ created: 0, updated: 0, unchanged: 950, stale: 0, rejected: 50 });
    body.results.forEach((result, index) => {
      const expected = cases[index]!.expected;
      if (expected.status === 'rejected') expect(result.errors.map((e) => e.field)).toEqual([expected.field]);
      else expect(result.status).toBe('unchanged');
    });
    expect(await outboxCount()).toBe(before.outbox);
    expect(await versionCount()).toBe(before.versions);
  });

  it('a re-send that differs only in formatting is unchanged too', async () => {
    const reformatted = records.slice(0, 40).map((record, i) => (cases[i]!.expected.status === 'created' ? { ...record, email: String(record.email).toUpperCase().trim() } : record));
    const response = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records: reformatted } });
    const body = response.json<BatchBody>();
    // Upper-casing an IDN domain's Unicode form still normalizes to the same ASCII form.
    expect(body.counts.unchanged + body.counts.rejected).toBe(40);
  });

  it('applies records sharing an external ID in order, each with its own result', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/contacts/batch',
      headers: withKey(ws.writeKey),
      payload: {
        records: [
          { sourceId: 'dup-1', email: 'one@example.com' },
          { sourceId: 'dup-1', email: 'two@example.com' },
          { sourceId: 'dup-1', email: 'two@example.com' },
        ],
      },
    });
    const body = response.json<BatchBody>();
    expect(body.results.map((r) => r.status)).toEqual(['created', 'updated', 'unchanged']);
    const contact = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'api:dup-1' } });
    expect(contact.email).toBe('two@example.com');
    expect(contact.version).toBe(2);
  });
});
