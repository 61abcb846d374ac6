import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../api/src/db/migrate.ts';
import { SdkBrevoApi } from '../../api/src/brevo/client.ts';
import { PgBudgetStore } from '../../api/src/brevo/rate-budgets.ts';
import { AccountRateLimiter, GENERAL_TIER_LIMITS, MemoryBudgetStore, type BudgetStore } from '../../api/src/brevo/rate-limit.ts';
import { startBrevoSimulator, type BrevoSimulator } from '../../api/src/simulators/brevo/server.ts';
import { BREVO_KEY } from '../support/activation.ts';
import { freshDatabase, type ScratchDatabase } from '../support/scratch-database.ts';

let database: ScratchDatabase;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  database = await freshDatabase('tajo_rate_budgets');
  await applyMigrations(database.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  await database?.drop();
});

/** What one process of the deployment holds: its own connection pool to the shared database. */
function processPool() {
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // An idle connection the server ends (the scratch database dropped at teardown) is no failure
  // of these tests; unheard, the pool's error event would be an uncaught exception.
  pool.on('error', () => undefined);
  pools.push(pool);
  return pool;
}

/**
 * `processes` clients on one Brevo account (the simulator enforcing the general tier), each with
 * its own budget store, each sending `perProcess` contacts-family requests from 4 lanes at once.
 */
async function sendFromProcesses(brevo: BrevoSimulator, stores: BudgetStore[], perProcess: number): Promise<number[]> {
  const answeredAt: number[] = [];
  await Promise.all(
    stores.map(async (store) => {
      const limiter = new AccountRateLimiter(store, 'one-account', GENERAL_TIER_LIMITS);
      // No retries: a 429 shows as a failure here, not hidden behind a second attempt.
      const api = new SdkBrevoApi({ apiKey: BREVO_KEY, baseUrl: brevo.baseUrl, limiter, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, onResponse: () => void answeredAt.push(Date.now()) });
      let sent = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (sent < perProcess) {
            sent += 1;
            await api.getContact(`nobody-${sent}@example.com`, 'email_id');
          }
        }),
      );
    }),
  );
  return answeredAt;
}

/** The most answers in any second. */
function busiestSecond(times: number[]) {
  return Math.max(...times.map((start) => times.filter((at) => at >= start && at < start + 1000).length));
}

describe('one rate budget per Brevo account across processes', () => {
  it('lets three processes together send no more than the limit, without a 429', async () => {
    const brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENERAL_TIER_LIMITS });
    try {
      const answeredAt = await sendFromProcesses(brevo, [new PgBudgetStore(processPool()), new PgBudgetStore(processPool()), new PgBudgetStore(processPool())], 15);
      expect(brevo.state.requests).toHaveLength(45);
      expect(brevo.state.count((request) => request.status === 429)).toBe(0);
      // Answers arrive up to a latency apart from their sending: a margin of one request.
      expect(busiestSecond(answeredAt)).toBeLessThanOrEqual(11);
    } finally {
      await brevo.close();
    }
  }, 60_000);

  it('(each process on a budget of its own, as before: Brevo answers 429)', async () => {
    const brevo = await startBrevoSimulator({ apiKeys: [BREVO_KEY], limits: GENERAL_TIER_LIMITS });
    try {
      await sendFromProcesses(brevo, [new MemoryBudgetStore(), new MemoryBudgetStore(), new MemoryBudgetStore()], 15).catch(() => undefined);
      expect(brevo.state.count((request) => request.status === 429)).toBeGreaterThan(0);
    } finally {
      await brevo.close();
    }
  }, 60_000);
});
