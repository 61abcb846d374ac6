import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, createWorkspace, withKey, type TestApp, type TestWorkspace } from '../support/app.ts';

// The record contract: an upsert merges into what Tajo holds, older data never wins, consent only moves forward.
describe('the record contract for contacts', () => {
  let t: TestApp;
  let ws: TestWorkspace;
  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: withKey(ws.writeKey), ...(payload ? { payload } : {}) });
  const upsert = async (record: object) => {
    const response = await call('POST', '/v1/contacts/upsert', record);
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  };
  const batch = async (records: object[]) => {
    const response = await call('POST', '/v1/contacts/batch', { records });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const work = (contactId: string) => t.db.activationOutbox.count({ where: { entityId: contactId } });
  const versions = (contactId: string) => t.db.contactVersion.count({ where: { contactId } });

  beforeAll(async () => {
    t = await createTestApp();
    ws = await createWorkspace(t.app, { sourceName: 'crm' });
  });
  afterAll(() => t.close());

  describe('an upsert merges', () => {
    it('keeps an opt-out that a later upsert does not mention', async () => {
      await upsert({ sourceId: 'optout-1', email: 'optout@example.com', consent: { email: { status: 'unsubscribed', timestamp: '2026-03-01T00:00:00Z' } } });
      const later = await upsert({ sourceId: 'optout-1', email: 'optout@example.com', firstName: 'Later' });
      expect(later.result).toBe('updated');
      expect(later.contact).toMatchObject({ firstName: 'Later', version: 2 });
      expect(later.contact.consent).toEqual({ email: { status: 'opted_out', source: 'crm', timestamp: '2026-03-01T00:00:00.000Z' } });
    });

    it('in a batch too: consent null, and email and phone left out, keep what is stored', async () => {
      await batch([{ sourceId: 'b-1', email: 'b1@example.com', phone: '+44 20 7946 0018', consent: { sms: { status: 'opted_out' } }, attributes: { PLAN: 'pro' } }]);
      const { results } = await batch([{ sourceId: 'b-1', consent: null, lastName: 'Batch', attributes: { SEATS: 3 } }]);
      expect(results[0]).toMatchObject({ status: 'updated' });
      const contact = (await call('GET', `/v1/contacts/${results[0].id}`)).json();
      expect(contact).toMatchObject({ email: 'b1@example.com', phone: '+442079460018', lastName: 'Batch', attributes: { PLAN: 'pro', SEATS: 3 } });
      expect(contact.consent.sms.status).toBe('opted_out');
    });

    it('null clears a field, an attribute, or every attribute; consent null clears nothing', async () => {
      const { contact } = await upsert({ sourceId: 'clr-1', email: 'clr@example.com', firstName: 'Ada', attributes: { A: 1, B: 2 }, consent: { email: { status: 'opted_in' } } });
      const one = await upsert({ sourceId: 'clr-1', firstName: null, attributes: { A: null } });
      expect(one.contact).toMatchObject({ id: contact.id, firstName: null, attributes: { B: 2 } });
      const all = await upsert({ sourceId: 'clr-1', attributes: null, consent: null });
      expect(all.contact.attributes).toEqual({});
      expect(all.contact.consent.email.status).toBe('opted_in');
    });

    it('refuses a blank email or phone, naming the field, instead of clearing it', async () => {
      await upsert({ sourceId: 'blank-1', email: 'keep@example.com' });
      const response = await call('POST', '/v1/contacts/upsert', { sourceId: 'blank-1', email: '' });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().errors).toEqual([{ field: 'body.email', reason: 'blank: leave the field out to keep the stored value, or send null to clear it' }]);
      const { results } = await batch([{ sourceId: 'blank-1', phone: '   ' }]);
      expect(results[0]).toMatchObject({ status: 'rejected', errors: [{ field: 'phone' }] });
      expect((await upsert({ sourceId: 'blank-1' })).contact.email).toBe('keep@example.com');
    });
  });

  describe('older data never wins', () => {
    it('an older write answers stale: no version, no outbox row', async () => {
      const { contact } = await upsert({ sourceId: 'old-1', email: 'new@example.com', sourceUpdatedAt: '2026-03-01T00:00:00Z' });
      const [before, queued] = [await versions(contact.id), await work(contact.id)];
      const older = await upsert({ sourceId: 'old-1', email: 'old@example.com', sourceUpdatedAt: '2026-01-01T00:00:00Z' });
      expect(older).toMatchObject({ result: 'stale', skipped: ['email'], contact: { email: 'new@example.com', version: 1 } });
      expect([await versions(contact.id), await work(contact.id)]).toEqual([before, queued]);
    });

    it('an opt-in dated before a stored opt-out does not replace it', async () => {
      await upsert({ sourceId: 'c-1', email: 'c1@example.com', consent: { email: { status: 'opted_out', timestamp: '2026-03-01T00:00:00Z' } } });
      const optIn = await upsert({ sourceId: 'c-1', consent: { email: { status: 'opted_in', timestamp: '2026-01-01T00:00:00Z' } } });
      expect(optIn).toMatchObject({ result: 'stale', skipped: ['consent.email'] });
      expect(optIn.contact.consent.email.status).toBe('opted_out');
      // Without its own timestamp, a channel takes the write's source time.
      const later = await upsert({ sourceId: 'c-1', sourceUpdatedAt: '2026-04-01T00:00:00Z', consent: { email: { status: 'opted_in' } } });
      expect(later.contact.consent.email.status).toBe('opted_in');
    });

    it('a partly older write updates what is newer and names what it skipped', async () => {
      await upsert({ sourceId: 'p-1', email: 'p1@example.com', sourceUpdatedAt: '2026-01-01T00:00:00Z' });
      await upsert({ sourceId: 'p-1', firstName: 'Newer', sourceUpdatedAt: '2026-03-01T00:00:00Z' });
      const partly = await upsert({ sourceId: 'p-1', firstName: 'Older', lastName: 'Given', sourceUpdatedAt: '2026-02-01T00:00:00Z' });
      expect(partly).toMatchObject({ result: 'updated', skipped: ['firstName'], contact: { firstName: 'Newer', lastName: 'Given', sourceUpdatedAt: '2026-03-01T00:00:00.000Z' } });
      const { results } = await batch([{ sourceId: 'p-1', firstName: 'Oldest', sourceUpdatedAt: '2025-01-01T00:00:00Z' }]);
      expect(results[0]).toMatchObject({ status: 'stale', skipped: ['firstName'] });
    });

    it('a re-send of what is held, at the same or a later time, is unchanged and queues nothing', async () => {
      const { contact } = await upsert({ sourceId: 'same-1', email: 's@example.com', sourceUpdatedAt: '2026-01-01T00:00:00Z' });
      const queued = await work(contact.id);
      expect((await upsert({ sourceId: 'same-1', email: 's@example.com', sourceUpdatedAt: '2026-01-01T00:00:00Z' })).result).toBe('unchanged');
      expect((await upsert({ sourceId: 'same-1', email: 's@example.com' })).result).toBe('unchanged');
      // The later re-send moved the email's time forward: an older value stays out.
      expect((await upsert({ sourceId: 'same-1', email: 'x@example.com', sourceUpdatedAt: '2026-06-01T00:00:00Z' })).result).toBe('stale');
      expect(await work(contact.id)).toBe(queued);
    });

    it('a partial update (PATCH) follows the same ordering', async () => {
      const { contact } = await upsert({ sourceId: 'patch-1', email: 'patch@example.com', firstName: 'Kept', sourceUpdatedAt: '2026-03-01T00:00:00Z' });
      const patched = await call('PATCH', `/v1/contacts/${contact.id}`, { firstName: 'Older', sourceUpdatedAt: '2026-01-01T00:00:00Z' });
      expect(patched.json()).toMatchObject({ result: 'stale', skipped: ['firstName'], contact: { firstName: 'Kept', version: 1 } });
    });
  });
});
