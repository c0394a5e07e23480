// Secrets (tokens, client secrets) are stored only as SHA-256 hashes and compared in constant
// time. They are long random strings, so a fast hash is enough: there is nothing to brute-force.
// Webhook codes, which a user may choose, are hashed with a key instead (webhookKey.ts).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random code in Bitrix24's webhook style: lower-case letters and digits. */
export function generateSecret(length = 16): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    // 252 = 7 * 36: rejecting larger bytes keeps every character equally likely.
    if (bytes[i] < 252) out += ALPHABET[bytes[i] % ALPHABET.length];
  }
  return out.length === length ? out : generateSecret(length);
}
