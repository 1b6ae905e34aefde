import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';

/** The digest an `X-Hub-Signature-256: sha256=<64 hex>` header carries, or null when it is not one. */
export function signatureDigest(header: string | string[] | undefined): Buffer | null {
  if (typeof header !== 'string') return null;
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  return m?.[1] ? Buffer.from(m[1], 'hex') : null;
}

/** An HMAC to feed the body into as it arrives (no second copy of a large body). */
export function webhookHmac(secret: string): Hmac {
  return createHmac('sha256', secret);
}

/** Compares the header's digest with the computed one in constant time. */
export function digestMatches(given: Buffer, computed: Buffer): boolean {
  return given.length === computed.length && timingSafeEqual(given, computed);
}

/** GitHub's `X-Hub-Signature-256: sha256=<hex HMAC of the raw body>`, compared in constant time. */
export function verifyGitHubSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const given = signatureDigest(header);
  return given !== null && digestMatches(given, webhookHmac(secret).update(rawBody).digest());
}
