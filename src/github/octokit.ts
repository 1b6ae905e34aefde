import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import { retry } from '@octokit/plugin-retry';
import { withCustomRequest } from '@octokit/graphql';
import { lazyAppAuth } from './lazyAppAuth.js';
import type { Logger } from '../log/logger.js';
import { withEtagCache } from './etagCache.js';
import { withSingleFlight } from './singleFlight.js';
import { rateLimitHeaders } from './rateLimitHeaders.js';
import { BoundedMap } from '../core/boundedMap.js';
import { octokitMetrics } from '../metrics/octokitMetrics.js';

/** Octokit with the plugins every client of ours needs (probot's ProbotOctokit pattern): metrics innermost (it sees each attempt), then rateLimitHeaders, so throttling sees what it adds. */
export const ChatOpsOctokit = Octokit.plugin(octokitMetrics, rateLimitHeaders, throttling, retry);
export type ChatOpsOctokit = InstanceType<typeof ChatOpsOctokit>;
export type GraphqlClient = ReturnType<typeof withCustomRequest>;

export type ClientAuth = { kind: 'token'; token: string } | { kind: 'app'; appId: number; privateKey: string; installationId?: number };

export interface ClientTuning {
  /** Injected by tests and the sandbox; the global fetch otherwise. */
  fetch?: typeof fetch;
  /** Base of the retry back-off (ms): retries wait base, 4×base. */
  retryBaseMs?: number;
  retries?: number;
  /** A request that takes longer is aborted (and retried as a network failure). */
  timeoutMs?: number;
  /** A rate limit is waited out only when it resets within this many seconds; otherwise it fails fast. */
  maxRateLimitWaitSeconds?: number;
}

export interface GitHubClient {
  rest: ChatOpsOctokit;
  graphql: GraphqlClient;
  /** Host name for messages, e.g. `github.com` or `wats.ghe.com`. */
  host: string;
  apiUrl: string;
  /**
   * Tails of finished jobs' logs, by `owner/repo#jobId`. A finished job's log never
   * changes (a re-run makes a new job), and the logs endpoint gives no ETag to ask with.
   */
  finishedJobLogs: BoundedMap<string, string>;
}

/**
 * A request refused for a rate limit is sent again once after the wait GitHub names
 * (GitHub acted on none of these requests, so repeating even a dispatch is safe).
 * Longer waits than `maxRateLimitWaitSeconds`, or a second refusal, fail fast: a
 * person is told, and jobs wait on their own until the time GitHub named.
 */
const MAX_RATE_LIMIT_RETRIES = 1;

/** Log tails kept per client: at most 16 × 256 KiB of text. */
const FINISHED_JOB_LOGS = 16;

/** GraphQL endpoint base for a REST base: `/graphql` on github.com, `/api/graphql` for a GHES `/api/v3` base. */
export function graphqlBaseUrl(apiUrl: string): string {
  return apiUrl.replace(/\/api\/v3\/?$/, '/api');
}

/** The host people know: api.github.com -> github.com; a GHES API URL -> its host. */
export function displayHost(apiUrl: string): string {
  const host = new URL(apiUrl).host;
  return host === 'api.github.com' ? 'github.com' : host;
}

/** The web address people open: https://api.github.com -> https://github.com; https://ghe/api/v3 -> https://ghe. */
export function webUrlOf(apiUrl: string): string {
  const u = new URL(apiUrl);
  if (u.host === 'api.github.com') return 'https://github.com';
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}

export function createGitHubClient(o: { apiUrl: string; auth: ClientAuth; logger: Logger; tuning?: ClientTuning }): GitHubClient {
  const t = o.tuning ?? {};
  const baseFetch = t.fetch ?? fetch;
  const timeoutMs = t.timeoutMs ?? 15_000;
  const maxWait = t.maxRateLimitWaitSeconds ?? 10;
  const log = o.logger.child({ component: 'github', host: displayHost(o.apiUrl) });
  const timedFetch: typeof fetch = (input, init) =>
    baseFetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs) });

  const authOptions =
    o.auth.kind === 'token'
      ? { auth: o.auth.token }
      : {
          authStrategy: lazyAppAuth,
          auth: { appId: o.auth.appId, privateKey: o.auth.privateKey, ...(o.auth.installationId ? { installationId: o.auth.installationId } : {}) },
        };

  const rest = new ChatOpsOctokit({
    ...authOptions,
    baseUrl: o.apiUrl,
    userAgent: 'release-chatops',
    request: { fetch: timedFetch },
    log: {
      debug: (m: string) => log.debug(m),
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warn(m),
      // Octokit logs every failed request as an error; most are answers we handle (404, 401).
      error: (m: string) => log.warn(m),
    },
    // 429 is left to the throttling plugin, which waits as long as Retry-After says; the retry
    // plugin's own back-off (its default list lacks 429) would ask again before GitHub allows.
    retry: { retries: t.retries ?? 2, retryAfterBaseValue: t.retryBaseMs ?? 250, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
    throttle: {
      // The plugin spaces "writes" (every POST, so every GraphQL query) 1 s apart per id, and
      // the id defaults to one for the whole process: github.com's and GHE's mirror-check
      // queries then waited for each other. Each host keeps its own spacing.
      id: displayHost(o.apiUrl),
      onRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log.warn({ retryAfter, route: `${options.method} ${options.url}` }, 'GitHub rate limit reached');
        return retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= maxWait;
      },
      onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log.warn({ retryAfter, route: `${options.method} ${options.url}` }, 'GitHub secondary rate limit reached');
        return retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= maxWait;
      },
    },
  });
  // Registered last = outermost: identical reads in flight are merged before the ETag cache is consulted.
  withEtagCache(rest);
  withSingleFlight(rest);
  const graphql = withCustomRequest(rest.request).defaults({ baseUrl: graphqlBaseUrl(o.apiUrl) });
  return { rest, graphql, host: displayHost(o.apiUrl), apiUrl: o.apiUrl, finishedJobLogs: new BoundedMap(FINISHED_JOB_LOGS) };
}
