import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that cannot be opened: a wrong key, a changed value, or another record's value. */
export class UnreadableSecretError extends Error {}

/**
 * AES-256-GCM with a random IV per value, stored as `v1:<iv>:<tag>:<ciphertext>` (base64url).
 * The context (e.g. the key name a secret belongs to) is authenticated, not stored: a value copied
 * into another record does not open there.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secrets key must be 32 bytes');
  }

  static isSealed(value: string): boolean {
    return value.startsWith(`${FORMAT}:`);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join(':');
  }

  open(sealed: string, context: string): string {
    const [format, iv, tag, ciphertext, ...rest] = sealed.split(':');
    if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) throw new UnreadableSecretError('not a sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new UnreadableSecretError('the value does not open with this key');
    }
  }
}
