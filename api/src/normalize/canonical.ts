import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so logically equal values serialize identically. */
export function canonicalJson(value: unknown): string {
  // Plain loops and one string: this runs for every record written, on the request path.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  if (typeof value === 'object' && value !== null) {
    let out = '{';
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member === undefined) continue;
      out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Deterministic SHA-256 (hex) of a normalized record with keys in sorted order; equal records hash equal. */
export function contentHash(value: object): string {
  return sha256Hex(canonicalJson(value));
}
