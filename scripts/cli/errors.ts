/** Exit codes of the tajo CLI (README, "CLI"). */
export const EXIT = {
  ok: 0,
  /** The API refused the request or could not be reached, or a watched job ended other than completed. */
  failed: 1,
  /** The command line is wrong: unknown command or option, missing argument, missing key. */
  usage: 2,
} as const;

/** A wrong command line: reported with the usage text, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

/** A problem+json answer of the API (or a failure to reach it): its detail goes to stderr, exit code 1. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly problem: { type?: string; title?: string; detail?: string; requestId?: string; errors?: { field: string; message: string }[] } | null = null,
  ) {
    super(message);
  }
}
