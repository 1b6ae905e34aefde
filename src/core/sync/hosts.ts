import type { SecretConfig } from '../../config/schema.js';

/** `https://WATS.ghe.com/` and `https://wats.ghe.com` are the same host. */
export function sameHost(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(url: string): string {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return url.trim().replace(/\/+$/, '').toLowerCase();
  }
}

/** `https://wats.ghe.com` -> `wats.ghe.com`, for prose. */
export function hostName(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The configured secrets that hold a credential for `host`; all of them when none does. */
export function secretsForHost(configured: readonly SecretConfig[], host: string): SecretConfig[] {
  const forHost = configured.filter((s) => sameHost(s.host, host));
  return forHost.length > 0 ? forHost : [...configured];
}

/**
 * The secret to rotate when the sync cannot authenticate: the one whose host is the
 * mirror's, else the first token (a deploy key of another host is surely not it).
 */
export function secretToRotate(configured: readonly SecretConfig[], mirrorHost: string): SecretConfig | null {
  return configured.find((s) => sameHost(s.host, mirrorHost)) ?? configured.find((s) => s.kind === 'classic-pat' || s.kind === 'fine-grained-pat') ?? null;
}
