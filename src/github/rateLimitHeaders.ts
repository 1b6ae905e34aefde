import { RequestError } from '@octokit/request-error';
import type { Octokit } from '@octokit/core';

const SECONDARY = /\bsecondary rate\b/i;

/**
 * GitHub answers a secondary rate limit with 403 or 429 and says when to come back
 * either in `retry-after` or, with `x-ratelimit-remaining: 0`, in `x-ratelimit-reset`
 * (its documented order). plugin-throttling reads only `retry-after` for secondary
 * limits and otherwise waits a fixed minute (more than the bot may wait), so this
 * plugin, applied before it, fills `retry-after` from the reset time when GitHub
 * gave only that.
 */
export function rateLimitHeaders(octokit: Octokit): void {
  octokit.hook.wrap('request', async (request, options) => {
    try {
      return await request(options);
    } catch (e) {
      if (!(e instanceof RequestError) || !e.response || (e.status !== 403 && e.status !== 429) || !SECONDARY.test(e.message)) throw e;
      const h = e.response.headers as Record<string, string | number | undefined>;
      const reset = Number(h['x-ratelimit-reset']);
      if (h['retry-after'] === undefined && String(h['x-ratelimit-remaining']) === '0' && Number.isFinite(reset)) {
        h['retry-after'] = String(Math.max(0, Math.ceil(reset - Date.now() / 1000)));
      }
      throw e;
    }
  });
}
