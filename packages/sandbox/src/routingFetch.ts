/**
 * A `fetch` that sends requests for real host names (api.github.com,
 * wats.ghe.com…) to local fakes, so the bot runs with its production URLs and
 * derives GraphQL and web addresses as it would in production. Injected through
 * the Octokit factory's `fetch`; hosts not in the map are refused, so nothing
 * leaves the machine.
 */
export function routingFetch(routes: Record<string, string>, base: typeof fetch = fetch): typeof fetch {
  const table = new Map(Object.entries(routes).map(([host, target]) => [host.toLowerCase(), new URL(target)]));
  return (input, init) => {
    const original = new URL(input instanceof Request ? input.url : String(input));
    const target = table.get(original.host.toLowerCase());
    if (!target) {
      // Local addresses (a fake's own redirect, e.g. a log download) pass through.
      if (original.hostname === '127.0.0.1' || original.hostname === 'localhost') return base(input, init);
      return Promise.reject(new TypeError(`fetch failed: no route to ${original.host} in this sandbox`));
    }
    const routed = new URL(original.pathname + original.search, target);
    return base(input instanceof Request ? new Request(routed, input) : routed, init);
  };
}
