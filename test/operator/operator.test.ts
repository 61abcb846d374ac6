/**
 * The operator page end to end, in headless Chromium (Debian's, driven by playwright-core): it asks
 * for a key, lists a dead letter under its category with its reason, follows a backfill's progress
 * and throughput live, shows alerts, and its Retry button re-activates the contact.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, withKey, type TestWorkspace } from '../support/app.ts';
import { createSource, startJob, startSyncHarness, waitForJob, WORKATO_TOKEN, type SyncHarness } from '../support/sources.ts';

const CHROMIUM = '/usr/bin/chromium';
// A developer without Chromium may skip this; CI installs it, and there it must run.
const runnable = existsSync(CHROMIUM) || process.env.CI === 'true';

describe.skipIf(!runnable)('the operator page', () => {
  let h: SyncHarness;
  let ws: TestWorkspace;
  let browser: Browser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    h = await startSyncHarness();
    ws = await createWorkspace(h.t.app);
    await h.connect(ws);
    await h.t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(h.t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false,
      // Chromium's own background traffic would leave the machine (and is refused here); the
      // resolver rule keeps every name but the test server's unresolvable.
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    page = await browser.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';

  it('shows jobs, throughput, alerts and dead letters by category, and Retry re-activates the contact', async () => {
    // Two contacts with one phone: Brevo keeps SMS unique and refuses the second for good. Its ID
    // carries markup, which the page must show as text.
    const refusedId = 'op:2<b id="injected">bold</b>';
    for (const [externalId, email] of [['op:1', 'op1@example.com'], [refusedId, 'op2@example.com']]) {
      const response = await h.t.app.inject({ method: 'POST', url: '/v1/contacts/upsert', headers: withKey(ws.writeKey), payload: { externalId, email, phone: '+14155550777' } });
      expect(response.statusCode, response.body).toBeLessThan(300);
      // One at a time, so that the second is the one refused.
      await h.settle();
    }
    const letters = (await h.t.app.inject({ method: 'GET', url: '/v1/dead-letters?status=open', headers: withKey(ws.readKey) })).json<{ data: { id: string; category: string; reason: string; sourceObjectId: string }[] }>().data;
    expect(letters).toEqual([expect.objectContaining({ category: 'mapping', sourceObjectId: refusedId })]);
    const letter = letters[0]!;
    expect(h.brevo.state.byExtId(refusedId)).toBeUndefined();

    await page.goto(`${origin}/operator`);
    // A key the API refuses sends the operator back to the form, saying so.
    await page.getByLabel('API key').fill('tajo_not_a_key');
    await page.getByRole('button', { name: 'Use key' }).click();
    await expect.poll(() => text('#status')).toContain('The API refused the key');
    expect(await page.locator('#dashboard').isHidden()).toBe(true);

    await page.getByLabel('API key').fill(ws.writeKey);
    await page.getByRole('button', { name: 'Use key' }).click();
    // A string, evaluated in the page: the test's TypeScript knows no DOM.
    expect(await page.evaluate("sessionStorage.getItem('tajo.operator.apiKey')")).toBe(ws.writeKey);

    // The dead letter under its category, with its reason and its ID as literal text.
    const mapping = page.getByRole('table', { name: 'mapping', exact: true });
    const row = mapping.getByRole('row').filter({ hasText: 'op:2' });
    await row.waitFor();
    const [reason, sourceObjectId, entity] = await row.locator('td').allTextContents();
    expect(reason).toBe(letter.reason);
    expect(reason).toContain('SMS is already associated with another Contact');
    expect(sourceObjectId).toBe(refusedId);
    expect(entity).toBe('contact');
    expect(await page.locator('#injected').count()).toBe(0);

    // A backfill started while the page watches: its progress and its throughput appear live.
    h.workato.setLookupTable('801', Array.from({ length: 200 }, (_, i) => ({ customer_id: i, email: `member${i}@example.com` })));
    // Slow pages spread the 200 rows over several polls.
    h.workato.setFaults({ latencyMs: [300, 300] });
    const source = await createSource(h.t.app, ws, {
      kind: 'developer_api',
      name: 'members',
      token: WORKATO_TOKEN,
      developerApi: { resource: { kind: 'lookup_table', tableId: '801' }, pageSize: 20, pollIntervalSeconds: 10 },
      mapping: { externalId: '$string(customer_id)', contact: '{"email": email}' },
      backfillEnabled: true,
    });
    await page.getByRole('table', { name: 'Sources', exact: true }).getByRole('row').filter({ hasText: 'members' }).waitFor();
    const job = await startJob(h.t.app, ws, source.id, { kind: 'backfill' });
    await waitForJob(h.t.app, ws, job.id, (seen) => seen.status === 'completed');
    h.workato.setFaults({});
    const jobRow = page.getByRole('table', { name: 'Sync jobs', exact: true }).getByRole('row').filter({ hasText: 'members' });
    await expect.poll(async () => (await jobRow.locator('td').allTextContents()).slice(0, 11), { timeout: 10_000 }).toEqual(
      ['members', 'backfill', 'completed', '200', '200', '0', '0', '0', 'all pages read', 'no', '—'],
    );
    // Records per second from successive polls: the backfill's rows made a peak above zero.
    await page.locator('#throughput-chart polyline').waitFor({ state: 'attached' });
    const summary = await text('#throughput-summary');
    expect(summary).toMatch(/^Records seen: [\d.]+ per second in the last interval; peak [\d.]+ per second over the last 2 minutes\.$/);
    expect(Number(/peak ([\d.]+)/.exec(summary)![1])).toBeGreaterThan(0);

    // Alerts: listed when the API has them, said to be unavailable when it answers 404.
    const alerts = await h.t.app.inject({ method: 'GET', url: '/v1/alerts', headers: withKey(ws.readKey) });
    if (alerts.statusCode === 404) await page.getByText('Alerts not available.').waitFor();
    else await expect.poll(() => text('#alerts')).not.toBe('');

    // Brevo activation: the contacts' counts, and each family's rate budget across every process.
    await expect.poll(() => text('#brevo')).toContain('1 of 2 contacts in Brevo at their current version; 0 on their way; 1 refused');
    const families = await page.locator('#brevo tbody tr').evaluateAll((rows) => rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(families.map(([family, limit, , spentUntil]) => [family, limit, spentUntil])).toEqual([
      ['contacts', '1000 a second', '—'],
      ['events', '1000 a second', '—'],
      ['other', '1000 a second', '—'],
    ]);

    // Someone removes the phone from the other contact in Brevo: the refused one now fits.
    delete h.brevo.state.byExtId('op:1')!.attributes.SMS;
    await row.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => text('#status')).toBe(`Retried the dead letter of ${refusedId}: it is now retried.`);
    await page.getByText('No open dead letter.').waitFor();

    await h.settle();
    expect(h.brevo.state.byExtId(refusedId)).toMatchObject({ attributes: { SMS: '+14155550777' } });
    const retried = await h.t.app.inject({ method: 'GET', url: `/v1/dead-letters/${letter.id}`, headers: withKey(ws.readKey) });
    expect(retried.json()).toMatchObject({ status: 'retried' });
  }, 120_000);
});
