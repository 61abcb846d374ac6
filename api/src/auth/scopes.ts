/** API-key scopes. Each scope includes the ones below it: admin > write > read. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export function grants(held: readonly string[], needed: Scope): boolean {
  return held.some((scope) => scope in RANK && RANK[scope as Scope] >= RANK[needed]);
}
