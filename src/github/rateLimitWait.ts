import { RequestError } from '@octokit/request-error';

/** Longest wait a job takes from GitHub's headers (a wrong clock must not park a job for days). */
const MAX_WAIT_MS = 60 * 60_000;

/**
 * When GitHub says a refused request may be sent again: `retry-after` (seconds, on
 * 429 and secondary limits) or `x-ratelimit-reset` (epoch seconds, when the primary
 * limit is spent). Looks through the error's causes for GitHub's answer; null when
 * it named no time.
 */
export function rateLimitResetAt(e: unknown, now: Date): Date | null {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (!(c instanceof RequestError) || !c.response) continue;
    const h = c.response.headers as Record<string, string | number | undefined>;
    const retryAfter = Number(h['retry-after']);
    if (h['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return at(now, retryAfter * 1000);
    const reset = Number(h['x-ratelimit-reset']);
    if (String(h['x-ratelimit-remaining']) === '0' && Number.isFinite(reset)) return at(now, reset * 1000 - now.getTime());
  }
  return null;
}

function at(now: Date, waitMs: number): Date {
  // One second more than asked: GitHub's reset is whole seconds and clocks differ a little.
  return new Date(now.getTime() + Math.min(Math.max(0, waitMs), MAX_WAIT_MS) + 1000);
}
