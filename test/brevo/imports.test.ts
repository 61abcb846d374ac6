import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkBrevoApi } from '../../api/src/brevo/client.ts';
import { confirmImport, sendImport } from '../../api/src/brevo/imports.ts';
import { AccountRateLimiter, MemoryBudgetStore } from '../../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { BREVO_KEY, GENEROUS_LIMITS } from '../support/activation.ts';

// Brevo carries an import out in the background; Tajo reads what landed back on the contacts family.
// Reading too early costs requests, too late costs lag on every row and holds the next import.
const IMPORT_DELAY_MS = 600;
let brevo: BrevoSimulator;
let api: SdkBrevoApi;
let limiter: AccountRateLimiter;
let listId: number;

beforeAll(async () => {
  brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], importDelayMs: IMPORT_DELAY_MS });
  limiter = new AccountRateLimiter(new MemoryBudgetStore(), 'imports-test', GENEROUS_LIMITS);
  api = new SdkBrevoApi({ apiKey: BREVO_KEY, baseUrl: brevo.baseUrl, limiter, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  listId = await api.createList('imported', await api.createFolder('tajo'));
});

afterAll(async () => {
  await brevo?.close();
});

const rows = (batch: number) => Array.from({ length: 30 }, (_, i) => ({ externalId: `b${batch}-${i}`, email: `b${batch}-${i}@example.com`, attributes: { FIRSTNAME: `F${i}` } }));
const reads = () => brevo.state.count((request) => request.method === 'GET' && request.route === '/v3/contacts');

describe('an import sent and confirmed', () => {
  it('confirms every row, reads the next import back when the last one landed, and asks no process', async () => {
    const first = await confirmImport({ api, limiter }, await sendImport(api, listId, rows(0)));
    expect(first.size).toBe(30);
    const readsOfFirst = reads();
    // The first import of an account is read back in short steps until it lands.
    expect(readsOfFirst).toBeGreaterThan(1);

    const landings: number[] = [];
    for (let batch = 1; batch <= 6; batch += 1) {
      const before = reads();
      const started = Date.now();
      const confirmed = await confirmImport({ api, limiter }, await sendImport(api, listId, rows(batch)));
      expect(confirmed).toEqual(new Set(rows(batch).map((row) => row.externalId)));
      landings.push(Date.now() - started);
      // Later imports: the first read comes about when the last one landed, a second one a step later at most.
      expect(reads() - before).toBeLessThanOrEqual(2);
    }
    // Confirmed within a few read steps of landing (600 ms), never a doubled wait.
    for (const took of landings) expect(took).toBeLessThan(IMPORT_DELAY_MS + 400);
    expect(brevo.state.count((request) => request.route.startsWith('/v3/processes'))).toBe(0);
  });
});
