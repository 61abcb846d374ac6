import { AppError } from '../errors/problem.ts';

/** Position in a (updatedAt, id) ordering: stable while rows are written concurrently. */
export interface UpdatedCursor {
  updatedAt: Date;
  id: string;
}

export function encodeCursor(cursor: UpdatedCursor): string {
  return Buffer.from(JSON.stringify([cursor.updatedAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): UpdatedCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
      const updatedAt = new Date(parsed[0]);
      if (!Number.isNaN(updatedAt.getTime()) && /^[0-9a-f-]{36}$/.test(parsed[1])) return { updatedAt, id: parsed[1] };
    }
  } catch {
    // fall through to the problem below
  }
  throw new AppError('validation', 'The cursor is not one this API issued; start again without it.', {
    errors: [{ field: 'query.cursor', reason: 'not a cursor issued by this API' }],
  });
}

/** Prisma filter for the rows after a cursor in (`field`, id) order. */
export function afterCursor<F extends string>(field: F, cursor: string) {
  const after = decodeCursor(cursor);
  return { OR: [{ [field]: { gt: after.updatedAt } }, { [field]: after.updatedAt, id: { gt: after.id } }] } as {
    OR: ({ [K in F]: { gt: Date } } | ({ [K in F]: Date } & { id: { gt: string } }))[];
  };
}

/** A page from `limit + 1` rows read in (orderedAt, id) order: the rows and the next page's cursor. */
export function toPage<T extends { id: string }>(rows: T[], limit: number, orderedAt: (row: T) => Date) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last ? encodeCursor({ updatedAt: orderedAt(last), id: last.id }) : null };
}
