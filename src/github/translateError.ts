import { RequestError } from '@octokit/request-error';
import { GraphqlResponseError } from '@octokit/graphql';
import { ZodError } from 'zod';
import { GitHubError, isChatOpsError } from '../errors.js';

/**
 * Turns whatever a GitHub call threw into a GitHubError whose message is safe to
 * show: status and host, never the request (its headers hold the credential) nor
 * the raw body.
 */
export function translateGitHubError(e: unknown, host: string, what: string): GitHubError {
  if (e instanceof GitHubError) return e;
  if (isChatOpsError(e)) return new GitHubError('github_error', e.userMessage, host, undefined, { cause: e });
  if (e instanceof GraphqlResponseError) {
    const first = e.errors?.[0] as { type?: string; message?: string } | undefined;
    if (first?.type === 'NOT_FOUND') {
      return new GitHubError('github_not_found', `${host}: ${what} was not found, or the bot's credential cannot see it.`, host, 200, { cause: e });
    }
    return new GitHubError('github_error', `${host} refused the query for ${what}${first?.message ? `: ${first.message.slice(0, 200)}` : ''}.`, host, 200, {
      cause: e,
    });
  }
  if (e instanceof ZodError) {
    return new GitHubError('github_error', `${host} answered in an unexpected shape while reading ${what}.`, host, undefined, { cause: e });
  }
  if (e instanceof RequestError && e.response === undefined) {
    // @octokit/request reports a failed fetch (DNS, refused, timeout) as a RequestError without a response.
    return new GitHubError('github_unavailable', `${host} ${networkReason(e)} while reading ${what}.`, host, undefined, { cause: e });
  }
  if (e instanceof RequestError) {
    const s = e.status;
    const remaining = e.response?.headers?.['x-ratelimit-remaining'];
    if (s === 401)
      return new GitHubError('github_auth', `${host} refused the bot's credential (expired or revoked?) while reading ${what}.`, host, s, { cause: e });
    if (s === 429 || (s === 403 && (remaining === '0' || e.response?.headers?.['retry-after'] !== undefined))) {
      return new GitHubError('github_rate_limited', `${host} is rate-limiting the bot; try again in a few minutes.`, host, s, { cause: e });
    }
    if (s === 403)
      return new GitHubError('github_forbidden', `The bot may not read ${what} on ${host} (403): its credential lacks a permission.`, host, s, { cause: e });
    if (s === 404) return new GitHubError('github_not_found', `${host}: ${what} was not found, or the bot's credential cannot see it.`, host, s, { cause: e });
    if (s >= 500 || s === 0)
      return new GitHubError('github_unavailable', `${host} did not answer properly (HTTP ${s}) while reading ${what}.`, host, s, { cause: e });
    return new GitHubError('github_error', `${host} answered HTTP ${s} while reading ${what}.`, host, s, { cause: e });
  }
  return new GitHubError('github_unavailable', `${host} ${networkReason(e)} while reading ${what}.`, host, undefined, { cause: e });
}

function networkReason(e: unknown): string {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return 'timed out';
  }
  return 'could not be reached';
}

/** Runs a GitHub call and translates its failure. */
export async function callGitHub<T>(host: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw translateGitHubError(e, host, what);
  }
}

/**
 * How long GitHub asked to wait, in seconds, for a rate-limited answer: `retry-after`,
 * else the reset of a spent limit (`x-ratelimit-remaining: 0`, `x-ratelimit-reset`);
 * null when it said neither.
 */
export function waitSecondsOf(e: unknown, now: number = Date.now()): number | null {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (!(c instanceof RequestError)) continue;
    const headers = c.response?.headers ?? {};
    const after = headers['retry-after'];
    if (after !== undefined && after !== null && Number.isFinite(Number(after)) && Number(after) >= 0) return Math.ceil(Number(after));
    const reset = Number(headers['x-ratelimit-reset']);
    if (String(headers['x-ratelimit-remaining']) === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - now / 1000));
    return null;
  }
  return null;
}
