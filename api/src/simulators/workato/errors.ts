import type { z } from 'zod';

/** A refusal the simulator answers as Workato does: the status and a `{message}` body. */
export class WorkatoSimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new WorkatoSimulatorError(404, `${what} not found`);

/** Validates a request part; the first problem becomes a 400 naming the field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new WorkatoSimulatorError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
}

/** Strictly increasing millisecond timestamps, so every change moves updated_at and messages keep their order. */
export class MonotonicClock {
  #last = 0;

  now(): number {
    this.#last = Math.max(Date.now(), this.#last + 1);
    return this.#last;
  }

  iso(): string {
    return new Date(this.now()).toISOString();
  }
}
