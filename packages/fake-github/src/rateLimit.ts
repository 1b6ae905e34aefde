import type { Principal } from './auth.js';

/**
 * Primary rate limits, per user (shared by all of a user's tokens), per installation,
 * or per client for unauthenticated calls, with a separate budget for GraphQL.
 */

export type RateResource = 'core' | 'graphql';

export interface Bucket {
  limit: number;
  remaining: number;
  /** Epoch seconds. */
  reset: number;
  used: number;
}

const WINDOW_SECONDS = 3600;

export function bucketKey(p: Principal): string {
  switch (p.kind) {
    case 'token':
      return `user:${p.user.login.toLowerCase()}`;
    case 'installation':
      return `installation:${p.installation.id}`;
    case 'app':
      return `app:${p.app.appId}`;
    case 'anonymous':
      return 'anonymous';
  }
}

export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();
  /** Calls per endpoint budget and caller (epoch ms), for endpoints with a limit of their own. */
  private readonly endpointCalls = new Map<string, number[]>();
  private template: { remaining?: number; limit?: number; resetInSeconds?: number } = {};

  get(p: Principal, resource: RateResource): Bucket {
    const key = `${bucketKey(p)}|${resource}`;
    const now = Math.floor(Date.now() / 1000);
    let b = this.buckets.get(key);
    if (!b || b.reset <= now) {
      const limit = this.template.limit ?? (p.kind === 'anonymous' ? 60 : 5000);
      const remaining = Math.min(limit, this.template.remaining ?? limit);
      b = { limit, remaining, used: limit - remaining, reset: now + (this.template.resetInSeconds ?? WINDOW_SECONDS) };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Counts one request; false when the budget is spent. */
  take(b: Bucket): boolean {
    if (b.remaining <= 0) return false;
    b.remaining -= 1;
    b.used += 1;
    return true;
  }

  /**
   * Counts one call against an endpoint's own budget (`limit` calls per hour, per
   * caller, sliding), on top of the primary limit: e.g. 60 credential revocations an
   * hour. When spent, how long until the oldest call leaves the window.
   */
  takeEndpoint(endpoint: string, p: Principal, limit: number): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const key = `${endpoint}|${bucketKey(p)}`;
    const now = Date.now();
    const recent = (this.endpointCalls.get(key) ?? []).filter((t) => t > now - WINDOW_SECONDS * 1000);
    this.endpointCalls.set(key, recent);
    const oldest = recent[0];
    if (recent.length >= limit && oldest !== undefined)
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + WINDOW_SECONDS * 1000 - now) / 1000)) };
    recent.push(now);
    return { ok: true };
  }

  /** Sets every budget (current and future) to these numbers; tests use it to reach the limit. */
  set(o: { remaining: number; limit?: number; resetInSeconds?: number }): void {
    this.template = o;
    this.buckets.clear();
  }

  headers(b: Bucket, resource: RateResource): Record<string, string> {
    return {
      'x-ratelimit-limit': String(b.limit),
      'x-ratelimit-remaining': String(b.remaining),
      'x-ratelimit-reset': String(b.reset),
      'x-ratelimit-used': String(b.used),
      'x-ratelimit-resource': resource,
    };
  }
}
