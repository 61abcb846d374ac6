import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'tajo_';
/** Characters of the key kept in clear to tell keys apart; far too few to guess the rest from. */
const DISPLAY_PREFIX_LENGTH = 12;

export interface GeneratedKey {
  secret: string;
  prefix: string;
  hash: string;
}

/** 32 random bytes: a fast hash is enough at rest, since nobody can brute-force 256 bits. */
export function generateApiKey(): GeneratedKey {
  const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { secret, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(secret) };
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
