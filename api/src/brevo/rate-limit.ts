/**
 * Client-side rate limiting for one Brevo account: a token bucket per endpoint family, started
 * from Brevo's documented limits and corrected live from the `x-sib-ratelimit-*` headers of every
 * answer, so Tajo stays inside the limits instead of discovering them through 429s.
 */

export type EndpointFamily = 'contacts' | 'events' | 'other';

export interface FamilyLimit {
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

/** Brevo's general tier: /contacts and /events 10 requests/s; lists, folders, attributes and the rest 100/hour. */
export const GENERAL_TIER_LIMITS: Record<EndpointFamily, FamilyLimit> = {
  contacts: { limit: 10, windowSeconds: 1 },
  events: { limit: 10, windowSeconds: 1 },
  other: { limit: 100, windowSeconds: 3600 },
};

/** The family Brevo counts a request path (relative to /v3) against. */
export function endpointFamily(path: string): EndpointFamily {
  if (path.startsWith('/events')) return 'events';
  if (path.startsWith('/contacts') && !/^\/contacts\/(lists|folders|attributes)/.test(path)) return 'contacts';
  return 'other';
}

export interface RateLimitHeaders {
  limit?: number;
  remaining?: number;
  resetSeconds?: number;
  retryAfterSeconds?: number;
}

/** Reads Brevo's rate-limit headers (and a standard Retry-After) from a Headers object. */
export function readRateLimitHeaders(headers: Headers | undefined): RateLimitHeaders {
  if (!headers) return {};
  const number = (name: string) => {
    const value = headers.get(name);
    if (value === null || value.trim() === '') return undefined;
    const parsed = Number(value);
    return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
  };
  const retryAfter = headers.get('retry-after');
  let retryAfterSeconds = number('retry-after');
  if (retryAfterSeconds === undefined && retryAfter) {
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) retryAfterSeconds = Math.max(0, (at - Date.now()) / 1000);
  }
  const result: RateLimitHeaders = {};
  const limit = number('x-sib-ratelimit-limit');
  const remaining = number('x-sib-ratelimit-remaining');
  const resetSeconds = number('x-sib-ratelimit-reset');
  if (limit !== undefined) result.limit = limit;
  if (remaining !== undefined) result.remaining = remaining;
  if (resetSeconds !== undefined) result.resetSeconds = resetSeconds;
  if (retryAfterSeconds !== undefined) result.retryAfterSeconds = retryAfterSeconds;
  return result;
}

/**
 * A bucket of `limit` tokens per family, where each token spent comes back one window later (plus
 * a margin for network jitter). Brevo counts requests in fixed windows; a bucket refilling at a
 * steady rate would let up to twice the limit into one of them (a full burst at the end of a
 * window, the refill at the start of the next). Returning each token a whole window after its
 * use means no window of that length, wherever it starts, ever sees more than the limit.
 */
export class TokenBucket {
  #capacity: number;
  readonly #windowMs: number;
  /** When each token out of the bucket was spent, oldest first. */
  #spent: number[] = [];
  /** No request leaves before this time (set by a 429 or an exhausted window). */
  #blockedUntil = 0;
  /** Callers waiting for a token, served in arrival order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    limit: FamilyLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.#capacity = limit.limit;
    this.#windowMs = limit.windowSeconds * 1000;
  }

  get capacity() {
    return this.#capacity;
  }

  /** How long a spent token stays out: the window, and a margin for requests arriving late or early. */
  get #returnMs() {
    return this.#windowMs + Math.max(50, this.#windowMs * 0.05);
  }

  #collect(now: number) {
    while (this.#spent.length > 0 && this.#spent[0]! + this.#returnMs <= now) this.#spent.shift();
  }

  /** How long until a token is available (0 when one is). */
  delayMs(): number {
    const now = this.now();
    this.#collect(now);
    const blocked = Math.max(0, this.#blockedUntil - now);
    const excess = this.#spent.length - this.#capacity;
    const refill = excess < 0 ? 0 : this.#spent[excess]! + this.#returnMs - now;
    return Math.max(blocked, Math.ceil(refill));
  }

  /** Resolves when a request may be sent, and takes its token. */
  acquire(sleep: (ms: number) => Promise<void>): Promise<void> {
    const turn = this.#queue.then(async () => {
      for (let delay = this.delayMs(); delay > 0; delay = this.delayMs()) await sleep(delay);
      this.#spent.push(this.now());
    });
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Corrects the bucket from what Brevo said about the window. */
  observe(headers: RateLimitHeaders, rateLimited: boolean) {
    const now = this.now();
    this.#collect(now);
    if (headers.limit !== undefined && headers.limit > 0) this.#capacity = headers.limit;
    // Brevo counted more than this bucket knows (another client on the account): those are spent
    // too, now, which keeps #spent in time order.
    const unknownToUs = headers.remaining === undefined ? 0 : this.#capacity - headers.remaining - this.#spent.length;
    for (let i = 0; i < unknownToUs; i += 1) this.#spent.push(now);
    const waitSeconds = headers.retryAfterSeconds ?? (rateLimited || headers.remaining === 0 ? headers.resetSeconds : undefined);
    if (waitSeconds !== undefined) this.#blockedUntil = Math.max(this.#blockedUntil, now + waitSeconds * 1000);
    else if (rateLimited) this.#blockedUntil = Math.max(this.#blockedUntil, now + this.#windowMs / this.#capacity);
  }
}

/** The buckets of one Brevo account. */
export class AccountRateLimiter {
  readonly #buckets: Record<EndpointFamily, TokenBucket>;

  constructor(
    readonly limits: Record<EndpointFamily, FamilyLimit> = GENERAL_TIER_LIMITS,
    now: () => number = Date.now,
  ) {
    this.#buckets = {
      contacts: new TokenBucket(limits.contacts, now),
      events: new TokenBucket(limits.events, now),
      other: new TokenBucket(limits.other, now),
    };
  }

  bucket(family: EndpointFamily) {
    return this.#buckets[family];
  }

  observe(family: EndpointFamily, headers: RateLimitHeaders, rateLimited: boolean) {
    this.#buckets[family].observe(headers, rateLimited);
  }
}
