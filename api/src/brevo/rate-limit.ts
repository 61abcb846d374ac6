/**
 * Client-side rate limiting for one Brevo account: a budget per endpoint family, shared by every
 * process through a store, started from Brevo's documented limits and corrected live from the
 * `x-sib-ratelimit-*` headers of every answer, so Tajo stays inside the limits instead of
 * discovering them through 429s.
 */
import { AppError } from '../errors/problem.ts';

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
 * The budget of one endpoint family: `capacity` requests per window, where each request spent
 * comes back one window later (plus a margin for network jitter). Brevo counts requests in fixed
 * windows; a bucket refilling at a steady rate would let up to twice the limit into one of them (a
 * full burst at the end of a window, the refill at the start of the next). Returning each request
 * a whole window after it was sent means no window of that length, wherever it starts, ever sees
 * more than the limit. Plain data, so every process can share it through the database.
 */
export interface BudgetState {
  capacity: number;
  windowMs: number;
  /** When each request still counted was sent (epoch ms), oldest first. */
  spent: number[];
  /** No request leaves before this time (epoch ms): set by a 429 or an exhausted window. */
  blockedUntil: number;
}

export const newBudget = (limit: FamilyLimit): BudgetState => ({ capacity: limit.limit, windowMs: limit.windowSeconds * 1000, spent: [], blockedUntil: 0 });

/** How long a spent request stays counted: the window, and a margin for requests arriving late or early. */
const returnMs = (budget: BudgetState) => budget.windowMs + Math.max(50, budget.windowMs * 0.05);

/** Forgets the requests whose window is over; true when it forgot any. */
function collect(budget: BudgetState, now: number): boolean {
  const live = budget.spent.findIndex((at) => at + returnMs(budget) > now);
  const over = live === -1 ? budget.spent.length : live;
  budget.spent.splice(0, over);
  return over > 0;
}

/** How long until a request may be sent (0 when one may now). */
export function budgetDelayMs(budget: BudgetState, now: number): number {
  collect(budget, now);
  const blocked = Math.max(0, budget.blockedUntil - now);
  const excess = budget.spent.length - budget.capacity;
  const refill = excess < 0 ? 0 : budget.spent[excess]! + returnMs(budget) - now;
  return Math.max(blocked, Math.ceil(refill));
}

/** Counts a request sent at `now`, keeping the times oldest first (processes' clocks differ a little). */
export function takeRequest(budget: BudgetState, now: number) {
  budget.spent.push(now);
  if (budget.spent.length > 1 && budget.spent.at(-2)! > now) budget.spent.sort((a, b) => a - b);
}

/** Requests that may be sent right now. */
export function budgetAvailable(budget: BudgetState, now: number): number {
  collect(budget, now);
  return budget.blockedUntil > now ? 0 : Math.max(0, budget.capacity - budget.spent.length);
}

/**
 * Corrects the budget from what Brevo said of its window; true when it changed. A 429 or an
 * exhausted window waits for what Brevo announces (Retry-After, else `x-sib-ratelimit-reset`) and
 * never longer: requests Brevo counted that the budget did not know of (another client on the
 * account) come back at Brevo's reset, not a whole window from now.
 */
export function observeAnswer(budget: BudgetState, headers: RateLimitHeaders, rateLimited: boolean, now: number): boolean {
  let changed = collect(budget, now);
  if (headers.limit !== undefined && headers.limit > 0 && headers.limit !== budget.capacity) {
    budget.capacity = headers.limit;
    changed = true;
  }
  const resetAt = headers.resetSeconds === undefined ? undefined : now + headers.resetSeconds * 1000;
  const unknownToUs = headers.remaining === undefined ? 0 : budget.capacity - headers.remaining - budget.spent.length;
  if (unknownToUs > 0) {
    // Stamped so that they come back at Brevo's reset (or a window from now, without one).
    const at = Math.min(now, (resetAt ?? Number.POSITIVE_INFINITY) - returnMs(budget));
    budget.spent.push(...Array.from({ length: unknownToUs }, () => at));
    budget.spent.sort((a, b) => a - b);
    changed = true;
  }
  const waitSeconds = headers.retryAfterSeconds ?? (rateLimited || headers.remaining === 0 ? headers.resetSeconds : undefined);
  const blockedUntil = waitSeconds !== undefined ? now + waitSeconds * 1000 : rateLimited ? now + budget.windowMs / budget.capacity : undefined;
  if (blockedUntil !== undefined && blockedUntil !== budget.blockedUntil) {
    // What Brevo says now replaces an older pause: it is the latest word on its window.
    budget.blockedUntil = blockedUntil;
    changed = true;
  }
  return changed;
}

/**
 * Where the budgets live. Each update reads a family's budget, lets `change` modify it and keeps
 * the result, as one step no other process interleaves with; `change` answers whether it changed
 * anything worth writing and what to return.
 */
export interface BudgetStore {
  update<T>(accountKey: string, family: EndpointFamily, limit: FamilyLimit, change: (budget: BudgetState) => { changed: boolean; result: T }): Promise<T>;
}

/** Budgets in this process's memory: for a client no other process shares an account with (tests, tools). */
export class MemoryBudgetStore implements BudgetStore {
  readonly #budgets = new Map<string, { configured: number; budget: BudgetState }>();

  update<T>(accountKey: string, family: EndpointFamily, limit: FamilyLimit, change: (budget: BudgetState) => { changed: boolean; result: T }): Promise<T> {
    const key = `${accountKey}\u0000${family}`;
    let entry = this.#budgets.get(key);
    if (!entry || entry.configured !== limit.limit) this.#budgets.set(key, (entry = { configured: limit.limit, budget: newBudget(limit) }));
    return Promise.resolve(change(entry.budget).result);
  }
}

/**
 * A request must wait longer than a caller should hold its place for (a worker slot): the caller
 * gives the slot back and comes back at `retryAt`, when the budget allows.
 */
export class RateLimitWait extends AppError {
  constructor(
    readonly family: EndpointFamily,
    readonly retryAt: Date,
  ) {
    // Met in an API request (a connection's smoke test), it answers 429 with the time to come back.
    const retryAfterSeconds = Math.max(1, Math.ceil((retryAt.getTime() - Date.now()) / 1000));
    super('rate_limited', `Brevo's ${family} rate limit is spent until ${retryAt.toISOString()}`, { headers: { 'retry-after': String(retryAfterSeconds) } });
    this.name = 'RateLimitWait';
  }
}

export interface RateLimiterOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The longest a request waits for its turn in place; a longer wait throws RateLimitWait. */
  maxWaitMs?: number;
}

/** Requests wait in place for at most this long: a window of Brevo's per-second families. */
export const DEFAULT_MAX_WAIT_MS = 2_000;

/** The budgets of one Brevo account, one per endpoint family, kept in a store every process of the deployment shares. */
export class AccountRateLimiter {
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxWaitMs: number;
  /** Each family's budget as this process last took a request from it: how many it counted, of how many. */
  readonly #lastSeen: Partial<Record<EndpointFamily, { counted: number; capacity: number }>> = {};

  constructor(
    private readonly store: BudgetStore,
    readonly accountKey: string,
    readonly limits: Record<EndpointFamily, FamilyLimit> = GENERAL_TIER_LIMITS,
    options: RateLimiterOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /** Takes a request's place in the family's budget, waiting for it in place up to maxWaitMs; throws RateLimitWait beyond. */
  async acquire(family: EndpointFamily): Promise<void> {
    for (;;) {
      const delay = await this.store.update(this.accountKey, family, this.limits[family], (budget) => {
        const now = this.#now();
        const wait = budgetDelayMs(budget, now);
        if (wait === 0) takeRequest(budget, now);
        this.#lastSeen[family] = { counted: budget.spent.length, capacity: budget.capacity };
        return { changed: wait === 0, result: wait };
      });
      if (delay === 0) return;
      if (delay > this.#maxWaitMs) throw new RateLimitWait(family, new Date(this.#now() + delay));
      await this.#sleep(delay);
    }
  }

  /** Requests of the family that may be sent right now, without taking any. */
  available(family: EndpointFamily): Promise<number> {
    return this.store.update(this.accountKey, family, this.limits[family], (budget) => ({ changed: false, result: budgetAvailable(budget, this.#now()) }));
  }

  /** Each family's budget as it stands: its limit, what may be sent now, and until when it is spent (null: it is not). */
  describe(): Promise<{ family: EndpointFamily; limit: number; windowSeconds: number; available: number; blockedUntil: string | null }[]> {
    return Promise.all(
      (Object.keys(this.limits) as EndpointFamily[]).map((family) =>
        this.store.update(this.accountKey, family, this.limits[family], (budget) => {
          const now = this.#now();
          const delay = budgetDelayMs(budget, now);
          const result = { family, limit: budget.capacity, windowSeconds: budget.windowMs / 1000, available: budgetAvailable(budget, now), blockedUntil: delay === 0 ? null : new Date(now + delay).toISOString() };
          return { changed: false, result };
        }),
      ),
    );
  }

  /** Corrects the family's budget from what Brevo answered. */
  observe(family: EndpointFamily, headers: RateLimitHeaders, rateLimited: boolean): Promise<void> {
    // Most answers agree with the budget (Brevo counted no more than it did): nothing to write.
    const seen = this.#lastSeen[family];
    const limit = headers.limit ?? seen?.capacity ?? this.limits[family].limit;
    const countedByBrevo = headers.remaining === undefined ? 0 : limit - headers.remaining;
    const agrees = seen !== undefined && limit === seen.capacity && countedByBrevo <= seen.counted;
    if (!rateLimited && headers.remaining !== 0 && headers.retryAfterSeconds === undefined && agrees) return Promise.resolve();
    return this.store.update(this.accountKey, family, this.limits[family], (budget) => ({ changed: observeAnswer(budget, headers, rateLimited, this.#now()), result: undefined }));
  }
}
