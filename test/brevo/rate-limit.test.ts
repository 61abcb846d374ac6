import { describe, expect, it } from 'vitest';
import { AccountRateLimiter, endpointFamily, readRateLimitHeaders, TokenBucket } from '../../api/src/brevo/rate-limit.ts';
import { backoffDelay, DEFAULT_RETRY } from '../../api/src/brevo/client.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
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

describe('TokenBucket', () => {
  it('allows a full window at once, then waits for the first token to come back', async () => {
    const c = clock();
    const bucket = new TokenBucket({ limit: 10, windowSeconds: 1 }, c.now);
    for (let i = 0; i < 10; i += 1) {
      expect(bucket.delayMs()).toBe(0);
      await bucket.acquire(async () => {});
    }
    // A window and its 50 ms margin for network jitter.
    expect(bucket.delayMs()).toBe(1050);
  });

  it("never lets more than the limit into any window of its length (Brevo's fixed windows included)", async () => {
    const c = clock();
    const bucket = new TokenBucket({ limit: 10, windowSeconds: 1 }, c.now);
    const sent: number[] = [];
    const sleep = async (ms: number) => void c.advance(ms);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 500; i += 1) {
      c.advance(Math.floor(random() * 120));
      await bucket.acquire(sleep);
      sent.push(c.now());
    }
    for (const start of sent) expect(sent.filter((at) => at >= start && at < start + 1000).length).toBeLessThanOrEqual(10);
  });

  it('waits out a 429 until the reset Brevo announced', async () => {
    const c = clock();
    const bucket = new TokenBucket({ limit: 10, windowSeconds: 1 }, c.now);
    bucket.observe({ limit: 10, remaining: 0, resetSeconds: 3 }, true);
    expect(bucket.delayMs()).toBe(3000);
    c.advance(3000);
    expect(bucket.delayMs()).toBe(0);
  });

  it('honours Retry-After over the reset header', () => {
    const c = clock();
    const bucket = new TokenBucket({ limit: 10, windowSeconds: 1 }, c.now);
    bucket.observe({ resetSeconds: 1, retryAfterSeconds: 7 }, true);
    expect(bucket.delayMs()).toBe(7000);
  });

  it('learns a lower limit and the remaining budget from the headers', async () => {
    const c = clock();
    const bucket = new TokenBucket({ limit: 10, windowSeconds: 1 }, c.now);
    // Another client on the account used 3 of Brevo's 4: one is left.
    bucket.observe({ limit: 4, remaining: 1 }, false);
    expect(bucket.capacity).toBe(4);
    expect(bucket.delayMs()).toBe(0);
    await bucket.acquire(async () => {});
    expect(bucket.delayMs()).toBe(1050);
    bucket.observe({ limit: 4, remaining: 0, resetSeconds: 2 }, false);
    expect(bucket.delayMs()).toBe(2000);
  });

  it('serves waiting callers in order, each after its token refills', async () => {
    const c = clock();
    const bucket = new TokenBucket({ limit: 2, windowSeconds: 1 }, c.now);
    const slept: number[] = [];
    const sleep = async (ms: number) => {
      slept.push(ms);
      c.advance(ms);
    };
    await Promise.all([1, 2, 3, 4].map(() => bucket.acquire(sleep)));
    // The first two at once; the next two when their tokens come back, a window (and margin) later.
    expect(slept).toEqual([1050]);
  });

  it('keeps one bucket per family for an account', () => {
    const limiter = new AccountRateLimiter();
    expect(limiter.bucket('contacts').capacity).toBe(10);
    expect(limiter.bucket('other').capacity).toBe(100);
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
