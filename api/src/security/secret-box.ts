import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
/** GCM's full tag. A shorter one would verify too, and weaken forgery resistance to its length. */
const TAG_BYTES = 16;

/** Encrypts vendor credentials at rest with AES-256-GCM: `iv.tag.ciphertext`, base64url. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the encryption key must be 32 bytes');
    this.#key = key;
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url')).join('.');
  }

  open(sealed: string): string {
    const [iv, tag, ciphertext] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
    if (!iv || !tag || !ciphertext) throw new Error('not a sealed secret');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('not a sealed secret');
    const decipher = createDecipheriv(ALGORITHM, this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  }
}

/** Reads a key given as 64 hex characters or base64 of 32 bytes. */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new Error('TAJO_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/**
 * The key from TAJO_ENCRYPTION_KEY; without it (the zero-setup default), a key generated once and
 * kept beside the embedded database in DATA_DIR, readable by its owner only.
 */
export async function loadSecretBox(configured: string | undefined, dataDir: string): Promise<{ box: SecretBox; source: 'environment' | 'data-dir' }> {
  if (configured) return { box: new SecretBox(parseEncryptionKey(configured)), source: 'environment' };
  const path = join(dataDir, 'encryption.key');
  try {
    return { box: new SecretBox(parseEncryptionKey(await readFile(path, 'utf8'))), source: 'data-dir' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx' fails if another process wrote it meanwhile; then read theirs.
  await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return { box: new SecretBox(parseEncryptionKey(await readFile(path, 'utf8'))), source: 'data-dir' };
}
