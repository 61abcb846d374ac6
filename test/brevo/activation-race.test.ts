import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey } from '../support/app.ts';
import { GENERAL_TIER_CONTACTS, startActivationHarness, type ActivationHarness } from '../support/activation.ts';
import { waitFor } from '../support/worker.ts';
import { CONTACTS_SENT, requeueChangedSince } from '../../api/src/brevo/activation.ts';

// A contact changed while its older version is inside a Brevo import: the change goes out on its
// own at once, then the import lands the older version in Brevo. Tajo must send the newer again.
let h: ActivationHarness;

beforeAll(async () => {
  // Imports take 1.5 s, so the change's own job finishes while the import is still running.
  h = await startActivationHarness({ importDelayMs: 1_500, limits: GENERAL_TIER_CONTACTS });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('a contact that changes while an older version of it is on its way to Brevo', () => {
  it('ends in Brevo at its newest version, recorded so, with nothing left pending', async () => {
    const { t, brevo } = h;
    const ws = await createWorkspace(t.app);
    await h.connect(ws, GENERAL_TIER_CONTACTS);
    const records = Array.from({ length: 60 }, (_, i) => ({ externalId: `race:${i}`, email: `race${i}@example.com`, firstName: 'First' }));
    const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/batch', headers: withKey(ws.writeKey), payload: { records } });
    expect(written.json<{ counts: { created: number } }>().counts.created).toBe(60);
    await waitFor(() => brevo.state.count((r) => r.method === 'POST' && r.route === '/v3/contacts/import') >= 1, 30_000, 'the import to start');

    const changed = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId: 'race:0', email: 'race0@example.com', firstName: 'Second' } });
    expect(changed.statusCode, changed.body).toBeLessThan(300);
    await h.settle();

    expect(brevo.state.byExtId('race:0')).toMatchObject({ attributes: { FIRSTNAME: 'Second' } });
    const contact = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'race:0' } });
    expect(contact.version).toBe(2);
    expect(await t.db.brevoContactState.findUnique({ where: { contactId: contact.id } })).toMatchObject({ version: 2 });
    const status = await t.app.inject({ method: 'GET', url: '/v1/brevo/activation', headers: withKey(ws.readKey) });
    expect(status.json()).toMatchObject({ contacts: 60, inBrevo: 60, pending: 0, refused: 0 });
  }, 60_000);

  it('queued again, goes out even when its state says Brevo has its version (the newer job recorded its state last)', async () => {
    const { t, brevo } = h;
    const ws = await createWorkspace(t.app);
    await h.connect(ws);
    for (const firstName of ['Old', 'New']) {
      const written = await t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId: 'resend:1', email: 'resend1@example.com', firstName } });
      expect(written.statusCode, written.body).toBeLessThan(300);
    }
    await h.settle();
    const contact = await t.db.contact.findFirstOrThrow({ where: { workspaceId: ws.id, externalId: 'resend:1' } });
    expect(await t.db.brevoContactState.findUnique({ where: { contactId: contact.id } })).toMatchObject({ version: 2 });
    // What the job that sent version 1 finds when its request landed last: Brevo holds version 1.
    brevo.state.byExtId('resend:1')!.attributes.FIRSTNAME = 'Old';
    await requeueChangedSince(t.db.sql, CONTACTS_SENT, ws.id, [{ id: contact.id, version: 1 }]);
    await h.settle();
    expect(brevo.state.byExtId('resend:1')).toMatchObject({ attributes: { FIRSTNAME: 'New' } });
  }, 60_000);
});
