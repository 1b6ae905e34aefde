import { RequestError } from '@octokit/request-error';
import { z } from 'zod';
import type { RepoRef, TokenIdentity, TokenProbePort, TokenProbeResult } from '../core/ports.js';
import type { GitHubClient } from './octokit.js';

const UserJson = z.object({ login: z.string() });
const RepoJson = z.object({ permissions: z.object({ push: z.boolean(), admin: z.boolean() }).partial().optional() });

/**
 * Asks GitHub about a token with that very token. Failures are answers here, not
 * errors: a refused token is what the person needs to hear about, in the modal.
 * Nothing from the request (headers hold the token) goes into a result.
 */
export class TokenProbe implements TokenProbePort {
  constructor(private readonly client: GitHubClient) {}

  async identity(): Promise<TokenProbeResult<TokenIdentity>> {
    try {
      const res = await this.client.rest.users.getAuthenticated();
      const user = UserJson.parse(res.data);
      const headers = res.headers as Record<string, string | undefined>;
      const scopesHeader = headers['x-oauth-scopes'];
      const expiry = headers['github-authentication-token-expiration'];
      return {
        ok: true,
        value: {
          login: user.login,
          scopes:
            scopesHeader === undefined
              ? null
              : scopesHeader
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean),
          expiresAt: expiry ? parseExpiry(expiry) : null,
        },
      };
    } catch (e) {
      return failure(e);
    }
  }

  async repoAccess(repo: RepoRef): Promise<TokenProbeResult<{ push: boolean; admin: boolean }>> {
    try {
      const { data } = await this.client.rest.repos.get({ owner: repo.owner, repo: repo.name });
      const p = RepoJson.parse(data).permissions ?? {};
      return { ok: true, value: { push: p.push === true, admin: p.admin === true } };
    } catch (e) {
      return failure(e);
    }
  }
}

function failure(e: unknown): { ok: false; reason: 'bad_credentials' | 'not_visible' | 'unreachable' | 'refused'; status?: number } {
  if (e instanceof RequestError && e.response) {
    if (e.status === 401) return { ok: false, reason: 'bad_credentials', status: 401 };
    if (e.status === 404) return { ok: false, reason: 'not_visible', status: 404 };
    if (e.status >= 500) return { ok: false, reason: 'unreachable', status: e.status };
    // A rate limit says nothing about the token: the host did not answer the question.
    const headers = (e.response.headers ?? {}) as Record<string, string | undefined>;
    if (e.status === 429 || (e.status === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined))) {
      return { ok: false, reason: 'unreachable', status: e.status };
    }
    return { ok: false, reason: 'refused', status: e.status };
  }
  return { ok: false, reason: 'unreachable' };
}

/** `2026-12-31 23:59:59 UTC` (GitHub's format) or ISO; an unreadable value counts as unknown (null). */
export function parseExpiry(text: string): Date | null {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})\s*(UTC|Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  const zone = !m[3] || m[3] === 'UTC' || m[3] === 'Z' ? 'Z' : m[3].length === 5 ? `${m[3].slice(0, 3)}:${m[3].slice(3)}` : m[3];
  const d = new Date(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d;
}
