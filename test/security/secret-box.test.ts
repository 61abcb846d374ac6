import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../api/src/security/secret-box.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, and nothing sealed under another key', () => {
    const sealed = box.seal('xkeysib-123');
    expect(box.open(sealed)).toBe('xkeysib-123');
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it('refuses an altered ciphertext and a truncated tag (which GCM would otherwise check only that far)', () => {
    const [iv, tag, ciphertext] = box.seal('{"scopes":["read"]}').split('.') as [string, string, string];
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.open([iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    expect(() => box.open([iv, short, ciphertext].join('.'))).toThrow('not a sealed secret');
    expect(() => box.open('nonsense')).toThrow('not a sealed secret');
  });
});
