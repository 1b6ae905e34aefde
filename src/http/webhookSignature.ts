import { verify } from '@octokit/webhooks-methods';

/** Whether a header has the shape of `X-Hub-Signature-256: sha256=<64 hex>` (checked before the body is read). */
export function looksSigned(header: string | string[] | undefined): header is string {
  return typeof header === 'string' && /^sha256=[0-9a-fA-F]{64}$/.test(header.trim());
}

/**
 * GitHub's signature of the raw body, checked by @octokit/webhooks-methods (HMAC-SHA256,
 * compared in constant time). GitHub signs the UTF-8 JSON it sends; a body that is not
 * valid UTF-8 cannot be one of its deliveries and does not verify.
 */
export async function verifyGitHubSignature(secret: string, rawBody: Buffer, header: string): Promise<boolean> {
  const text = rawBody.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(rawBody)) return false;
  try {
    return await verify(secret, text, header.trim());
  } catch {
    return false;
  }
}
