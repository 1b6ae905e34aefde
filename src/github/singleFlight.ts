import type { Octokit } from '@octokit/core';

/**
 * Identical reads in flight at the same time share one request: fifty people
 * running /sync-status on the same repository at once cost GitHub one set of
 * requests, not fifty. Only while in flight; nothing is kept afterwards (the
 * ETag cache does that). GraphQL counts as a read when its document is a query.
 */
export function withSingleFlight(octokit: Pick<Octokit, 'hook' | 'request'>): void {
  const inFlight = new Map<string, Promise<unknown>>();
  octokit.hook.wrap('request', async (request, options) => {
    const key = readKey(octokit, options);
    if (!key) return request(options);
    const pending = inFlight.get(key) as Promise<Awaited<ReturnType<typeof request>>> | undefined;
    if (pending) return pending;
    const p = Promise.resolve(request(options));
    inFlight.set(key, p);
    try {
      return await p;
    } finally {
      inFlight.delete(key);
    }
  });
}

type EndpointOptions = Parameters<Octokit['request']['endpoint']['parse']>[0];

function readKey(octokit: Pick<Octokit, 'request'>, options: EndpointOptions): string | null {
  const { method, url, headers, body } = octokit.request.endpoint.parse(options);
  if (method === 'GET') return `GET ${String(headers.accept ?? '')} ${url}`;
  if (method === 'POST' && /\/graphql$/.test(new URL(url).pathname)) {
    const text = typeof body === 'string' ? body : JSON.stringify(body ?? {});
    const parsed = JSON.parse(text) as { query?: unknown };
    if (typeof parsed.query === 'string' && /^\s*query\b/.test(parsed.query)) return `GQL ${url} ${text}`;
  }
  return null;
}
