import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A salted digest of a token the bot set, kept so that a token pasted later can be
 * shown to be that very value (or not) even once GitHub no longer says whose it is.
 * HMAC-SHA256 keyed with a random salt per value: a token has far too much entropy to
 * be guessed from it, and equal tokens do not give equal digests across records.
 * Format: `hmac-sha256:<salt>:<digest>` (base64url).
 */
export function tokenDigest(value: string, salt: Buffer = randomBytes(16)): string {
  const mac = createHmac('sha256', salt).update(value.trim()).digest('base64url');
  return `hmac-sha256:${salt.toString('base64url')}:${mac}`;
}

/** Whether `value` is the token `digest` was made of; false for a digest it cannot read. */
export function matchesDigest(value: string, digest: string): boolean {
  const [scheme, salt, mac] = digest.split(':');
  if (scheme !== 'hmac-sha256' || !salt || !mac) return false;
  const expected = Buffer.from(mac, 'base64url');
  const actual = createHmac('sha256', Buffer.from(salt, 'base64url')).update(value.trim()).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
