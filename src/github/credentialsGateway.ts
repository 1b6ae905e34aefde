import { RequestError } from '@octokit/request-error';
import type { CredentialRevokerPort, RevokeOutcome } from '../core/ports.js';
import type { GitHubClient } from './octokit.js';

/** GitHub takes at most this many credentials per request. */
const MAX_PER_REQUEST = 1000;

/**
 * CredentialRevokerPort over `POST /credentials/revoke`. The client decides how it is
 * sent, and that matters: github.com wants the request without a credential (it
 * answers 403 otherwise), so give it `GitHubClients.anonymous(apiUrl)`; GHES (3.19+)
 * wants it authenticated, so give it the bot's client for that host (`forMirror`).
 *
 * Never throws and never repeats a credential: every reason below is made of the host
 * and the status only, not GitHub's body (which could echo what was sent), and the
 * RequestError (whose request holds the list) goes no further than this file.
 */
export class CredentialsGateway implements CredentialRevokerPort {
  /** github.com always has the endpoint; on GHES a 404 means a version without it. */
  private readonly dotcom: boolean;

  constructor(private readonly client: GitHubClient) {
    this.dotcom = client.host === 'github.com';
  }

  async revoke(credentials: string[]): Promise<RevokeOutcome> {
    const unique = [...new Set(credentials.map((c) => c.trim()).filter((c) => c !== ''))];
    // Each request spends one of 60 an hour: batches as large as GitHub allows.
    for (let i = 0; i < unique.length; i += MAX_PER_REQUEST) {
      const outcome = await this.send(unique.slice(i, i + MAX_PER_REQUEST));
      if (outcome.kind !== 'accepted') return outcome;
    }
    return { kind: 'accepted' };
  }

  private async send(batch: string[]): Promise<RevokeOutcome> {
    try {
      await this.client.rest.request('POST /credentials/revoke', { credentials: batch });
      return { kind: 'accepted' };
    } catch (e) {
      return this.outcomeOf(e);
    }
  }

  private outcomeOf(e: unknown): RevokeOutcome {
    const host = this.client.host;
    if (!(e instanceof RequestError) || e.response === undefined) {
      return { kind: 'failed', reason: `${host} ${networkReason(e)} when asked to revoke credentials.` };
    }
    const status = e.status;
    if (isRateLimited(e)) return { kind: 'rate_limited', retryAfterSeconds: retryAfterSeconds(e) };
    const failed = (reason: string): RevokeOutcome => ({ kind: 'failed', reason, status });
    if (status === 404 && !this.dotcom) {
      return { kind: 'unsupported', reason: `${host} has no credential revocation API (older GitHub Enterprise Server versions lack it).` };
    }
    if (status === 401) return failed(`${host} refused the bot's credential (401) when asked to revoke credentials.`);
    if (status === 403 && this.dotcom) return failed(`${host} refused the revocation request (403): it must be sent without a credential.`);
    if (status === 403) return failed(`${host} refused the revocation request (403).`);
    if (status === 422) return failed(`${host} refused the list of credentials (422).`);
    if (status >= 500) return failed(`${host} did not answer properly (HTTP ${status}) when asked to revoke credentials.`);
    return failed(`${host} answered HTTP ${status} when asked to revoke credentials.`);
  }
}

function header(e: RequestError, name: string): string | undefined {
  const v = e.response?.headers?.[name];
  return v === undefined || v === null ? undefined : String(v);
}

function githubMessage(e: RequestError): string {
  const data = e.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : '';
}

/**
 * 429; 403 with a spent primary limit or a secondary limit; or the 422 GitHub documents
 * for this endpoint when "the endpoint has been spammed" (60 requests an hour).
 */
function isRateLimited(e: RequestError): boolean {
  const s = e.status;
  const limitedWording = /rate limit|spammed/i.test(githubMessage(e));
  if (s === 429) return true;
  if (s === 403) return header(e, 'x-ratelimit-remaining') === '0' || header(e, 'retry-after') !== undefined || limitedWording;
  if (s === 422) return header(e, 'retry-after') !== undefined || limitedWording;
  return false;
}

/** `retry-after` (seconds), else the primary limit's reset, else unknown. */
function retryAfterSeconds(e: RequestError): number | null {
  const after = Number(header(e, 'retry-after'));
  if (header(e, 'retry-after') !== undefined && Number.isFinite(after) && after >= 0) return Math.ceil(after);
  const reset = Number(header(e, 'x-ratelimit-reset'));
  if (header(e, 'x-ratelimit-remaining') === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - Date.now() / 1000));
  return null;
}

function networkReason(e: unknown): string {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return 'timed out';
  }
  return 'could not be reached';
}
