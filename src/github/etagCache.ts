import { RequestError } from '@octokit/request-error';
import type { Octokit } from '@octokit/core';
import { BoundedMap } from '../core/boundedMap.js';

interface Cached {
  etag: string;
  response: { status: number; url: string; headers: Record<string, unknown>; data: unknown };
}

/**
 * Conditional requests for GETs: GitHub answers 304 to a matching If-None-Match
 * and does not count it against the rate limit, so following state is cheap.
 * The cache is per client (per credential), bounded, and only an optimisation:
 * losing it on restart costs one full request per URL.
 */
export function withEtagCache(octokit: Pick<Octokit, 'hook' | 'request'>, maxEntries = 500): void {
  const cache = new BoundedMap<string, Cached>(maxEntries);
  octokit.hook.wrap('request', async (request, options) => {
    if (options.method !== 'GET') return request(options);
    const { url, headers } = octokit.request.endpoint.parse(options);
    const key = `${headers.accept ?? ''} ${url}`;
    const hit = cache.get(key);
    if (hit) options.headers = { ...options.headers, 'if-none-match': hit.etag };
    try {
      const response = await request(options);
      const etag = response.headers.etag;
      if (typeof etag === 'string') {
        cache.set(key, { etag, response: { status: response.status, url: response.url, headers: { ...response.headers }, data: response.data } });
      }
      return response;
    } catch (e) {
      if (hit && e instanceof RequestError && e.status === 304) {
        return { ...hit.response, headers: { ...hit.response.headers, ...e.response?.headers } } as Awaited<ReturnType<typeof request>>;
      }
      throw e;
    }
  });
}
