import { describe, expect, it } from 'vitest';
import {
  AccountRateLimiter,
  budgetDelayMs,
  endpointFamily,
  MemoryBudgetStore,
  newBudget,
  observeAnswer,
  RateLimitWait,
  readRateLimitHeaders,
  takeRequest,
  type BudgetState,
} from '../../api/src/brevo/rate-limit.ts';
import { backoffDelay, DEFAULT_RETRY } from '../../api/src/brevo/client.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms), sleep: async (ms: number) => void (now += ms) };
}

/** Takes a request from the budget when one may leave now; answers the delay otherwise. */
function take(budget: BudgetState, now: number): number {
  const delay = budgetDelayMs(budget, now);
  if (delay === 0) takeRequest(budget, now);
  return delay;
}

describe('endpoint families', () => {
  it("follows Brevo's limits table", () => {
    expect(endpointFamily('/contacts')).toBe('contacts');
    expect(endpointFamily('/contacts/import')).toBe('contacts');
    expect(endpointFamily('/contacts/{identifier}')).toBe('contacts');
    expect(endpointFamily('/events')).toBe('events');
    expect(endpointFamily('/contacts/lists')).toBe('other');
    expect(endpointFamily('/contacts/attributes')).toBe('other');
    expect(endpointFamily('/processes/{processId}')).toBe('other');
    // Brevo's limits table does not list custom objects: they fall under "all other endpoints".
    expect(endpointFamily('/objects/{object_type}/batch/upsert')).toBe('other');
    expect(endpointFamily('/objects/{object_type}/records')).toBe('other');
  });
});

describe('a family budget', () => {
  it('allows a full window at once, then waits for the first request to come back', () => {
    const c = clock();
    const budget = newBudget({ limit: 10, windowSeconds: 1 });
    for (let i = 0; i < 10; i += 1) expect(take(budget, c.now())).toBe(0);
    // A window and its 50 ms margin for network jitter.
    expect(budgetDelayMs(budget, c.now())).toBe(1050);
  });

  it("never lets more than the limit into any window of its length (Brevo's fixed windows included)", () => {
    const c = clock();
    const budget = newBudget({ limit: 10, windowSeconds: 1 });
    const sent: number[] = [];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i += 1) {
      c.advance(Math.floor(random() * 120));
      for (let delay = take(budget, c.now()); delay > 0; delay = take(budget, c.now())) c.advance(delay);
      sent.push(c.now());
    }
    for (const start of sent) expect(sent.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(10);
  });

  it('waits out a 429 until the reset Brevo announced', () => {
    const c = clock();
    const budget = newBudget({ limit: 10, windowSeconds: 1 });
    observeAnswer(budget, { limit: 10, remaining: 0, resetSeconds: 3 }, true, c.now());
    expect(budgetDelayMs(budget, c.now())).toBe(3000);
    c.advance(3000);
    expect(budgetDelayMs(budget, c.now())).toBe(0);
  });

  it('waits for an hourly family only as long as Brevo says, never a whole window', () => {
    // Measured before: one 429 on a 100-an-hour family stopped everything for 63 minutes.
    const c = clock();
    const budget = newBudget({ limit: 100, windowSeconds: 3600 });
    take(budget, c.now());
    observeAnswer(budget, { limit: 100, remaining: 0, resetSeconds: 4 }, true, c.now());
    expect(budgetDelayMs(budget, c.now())).toBe(4000);
    c.advance(4000);
    // Brevo's window is over: its 99 other requests are back; this process's own one stays out.
    expect(budgetDelayMs(budget, c.now())).toBe(0);
    for (let i = 0; i < 99; i += 1) expect(take(budget, c.now())).toBe(0);
    expect(budgetDelayMs(budget, c.now())).toBeGreaterThan(3_000_000);
  });

  it('honours Retry-After over the reset header', () => {
    const c = clock();
    const budget = newBudget({ limit: 10, windowSeconds: 1 });
    observeAnswer(budget, { resetSeconds: 1, retryAfterSeconds: 7 }, true, c.now());
    expect(budgetDelayMs(budget, c.now())).toBe(7000);
  });

  it('takes the latest pause Brevo announces, not the longest it ever did', () => {
    const c = clock();
    const budget = newBudget({ limit: 10, windowSeconds: 1 });
    observeAnswer(budget, { retryAfterSeconds: 60 }, true, c.now());
    observeAnswer(budget, { retryAfterSeconds: 2 }, true, c.now());
    expect(budgetDelayMs(budget, c.now())).toBe(2000);
  });

  it('learns a lower limit and the remaining budget from the headers', () => {
    const c = clock();
    const budget = newBudget({ limit: 10, windowSeconds: 1 });
    // Another client on the account used 3 of Brevo's 4: one is left.
    expect(observeAnswer(budget, { limit: 4, remaining: 1 }, false, c.now())).toBe(true);
    expect(budget.capacity).toBe(4);
    expect(take(budget, c.now())).toBe(0);
    expect(budgetDelayMs(budget, c.now())).toBe(1050);
    observeAnswer(budget, { limit: 4, remaining: 0, resetSeconds: 2 }, false, c.now());
    expect(budgetDelayMs(budget, c.now())).toBe(2000);
  });
});

describe('AccountRateLimiter', () => {
  it('waits in place for a short wait, and hands a long one back to the caller', async () => {
    const c = clock();
    const limiter = new AccountRateLimiter(new MemoryBudgetStore(), 'account', undefined, { now: c.now, sleep: c.sleep, maxWaitMs: 2_000 });
    for (let i = 0; i < 11; i += 1) await limiter.acquire('contacts');
    // The 11th waited a window in place, until the first ten came back.
    expect(c.now()).toBe(1_001_050);
    expect(await limiter.available('contacts')).toBe(9);
    await limiter.observe('other', { limit: 100, remaining: 0, resetSeconds: 600 }, true);
    const wait = await limiter.acquire('other').catch((error: unknown) => error);
    expect(wait).toBeInstanceOf(RateLimitWait);
    expect((wait as RateLimitWait).retryAt.getTime()).toBe(c.now() + 600_000);
    // The other families are not held by it.
    await limiter.acquire('events');
    expect(await limiter.describe()).toEqual([
      { family: 'contacts', limit: 10, windowSeconds: 1, available: 9, blockedUntil: null },
      { family: 'events', limit: 10, windowSeconds: 1, available: 9, blockedUntil: null },
      { family: 'other', limit: 100, windowSeconds: 3600, available: 0, blockedUntil: new Date(c.now() + 600_000).toISOString() },
    ]);
  });

  it('keeps the budgets of the general tier per family', async () => {
    const limiter = new AccountRateLimiter(new MemoryBudgetStore(), 'account');
    expect(await limiter.available('contacts')).toBe(10);
    expect(await limiter.available('other')).toBe(100);
  });
});

describe('Brevo headers and backoff', () => {
  it('reads x-sib-ratelimit-* and Retry-After', () => {
    const headers = new Headers({ 'x-sib-ratelimit-limit': '10', 'x-sib-ratelimit-remaining': '0', 'x-sib-ratelimit-reset': '2', 'retry-after': '5' });
    expect(readRateLimitHeaders(headers)).toEqual({ limit: 10, remaining: 0, resetSeconds: 2, retryAfterSeconds: 5 });
    expect(readRateLimitHeaders(new Headers({ 'x-sib-ratelimit-limit': 'lots' }))).toEqual({});
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0.999)).toBeLessThan(DEFAULT_RETRY.baseDelayMs);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(Math.floor(0.5 * DEFAULT_RETRY.baseDelayMs * 8));
    expect(backoffDelay(30, DEFAULT_RETRY, () => 0.999)).toBeLessThan(DEFAULT_RETRY.maxDelayMs);
  });
});
