/**
 * One error vocabulary for the whole product: services throw AppError with a category, the HTTP
 * layer renders it as RFC 9457 problem+json, and logs and metrics use the same category.
 */
export const PROBLEM_CATEGORIES = [
  'authentication',
  'permission',
  'validation',
  'rate_limited',
  'vendor_unavailable',
  'mapping',
  'conflict',
  'not_found',
  'internal',
] as const;

export type ProblemCategory = (typeof PROBLEM_CATEGORIES)[number];

export interface FieldError {
  /** Where the problem is, as a dotted path into the request (e.g. `body.records.3.email`). */
  field: string;
  reason: string;
}

const STATUS_BY_CATEGORY: Record<ProblemCategory, number> = {
  authentication: 401,
  permission: 403,
  validation: 400,
  rate_limited: 429,
  vendor_unavailable: 503,
  mapping: 422,
  conflict: 409,
  not_found: 404,
  internal: 500,
};

const TITLE_BY_CATEGORY: Record<ProblemCategory, string> = {
  authentication: 'Authentication failed',
  permission: 'Permission denied',
  validation: 'Invalid request',
  rate_limited: 'Too many requests',
  vendor_unavailable: 'Vendor unavailable',
  mapping: 'Cannot map the record',
  conflict: 'Conflict',
  not_found: 'Not found',
  internal: 'Internal error',
};

export interface AppErrorOptions {
  /** HTTP status when it is not the category's usual one (e.g. 422 for an Idempotency-Key reuse). */
  status?: number;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Members the problem body carries besides the standard ones (RFC 9457 §3.2), e.g. OAuth's `error`. */
  extensions?: ProblemExtensions;
}

export class AppError extends Error {
  readonly category: ProblemCategory;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: ProblemExtensions | undefined;

  constructor(category: ProblemCategory, detail: string, options: AppErrorOptions = {}) {
    super(detail);
    this.name = 'AppError';
    this.category = category;
    this.status = options.status ?? STATUS_BY_CATEGORY[category];
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions;
  }
}

export interface Problem {
  type: ProblemCategory;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: FieldError[];
}

/** Extension members of a problem; they can never replace a standard member. */
export type ProblemExtensions = Record<string, string> & { [K in keyof Problem]?: never };

export function problemTitle(category: ProblemCategory): string {
  return TITLE_BY_CATEGORY[category];
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found in this workspace.`);

/** The category of any failure: Tajo's own, Brevo's and Workato's errors carry one; anything else is internal. */
export function categoryOf(error: unknown): ProblemCategory {
  const category = (error as { category?: unknown } | null)?.category;
  return PROBLEM_CATEGORIES.includes(category as ProblemCategory) ? (category as ProblemCategory) : 'internal';
}
