import type { AppConfig, ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { RepoRef } from '../core/ports.js';
import { displayHost, webUrlOf } from '../github/octokit.js';

const sameHost = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/** The REST base URL of a web host named in `secrets[].host`. */
export function apiUrlForHost(config: AppConfig, host: string): string {
  if (sameHost(webUrlOf(config.env.GITHUB_API_URL), host)) return config.env.GITHUB_API_URL;
  for (const r of config.repos) {
    const m = r.sync?.mirror;
    if (m && sameHost(webUrlOf(m.apiUrl), host)) return m.apiUrl;
  }
  if (sameHost(host, 'https://github.com')) return 'https://api.github.com';
  return `${host.replace(/\/+$/, '')}/api/v3`;
}

/** The API hosts the bot knows: github.com (or the primary GHES) and every mirror. */
export function knownApiUrls(config: AppConfig): string[] {
  return [...new Set([config.env.GITHUB_API_URL, ...config.repos.flatMap((r) => (r.sync ? [r.sync.mirror.apiUrl] : []))])];
}

export interface SecretTarget {
  apiUrl: string;
  /** e.g. `wats.ghe.com`. */
  host: string;
  /** The repository the credential acts on, when the bot can tell. */
  repo: RepoRef | null;
  /** True when it is the configured GHE mirror (the bot has a credential there). */
  isMirror: boolean;
}

/**
 * Where a secret's credential is used: a token for the mirror's host pushes to the
 * mirror; a token for the repository's own host acts on the repository; a deploy key
 * belongs to the mirror.
 */
export function secretTarget(config: AppConfig, repo: ResolvedRepo, secret: SecretConfig): SecretTarget {
  const mirror = repo.sync?.mirror;
  const split = (full: string): RepoRef => {
    const [owner = '', name = ''] = full.split('/');
    return { owner, name };
  };
  if (mirror && (secret.kind === 'deploy-key' || sameHost(webUrlOf(mirror.apiUrl), secret.host))) {
    return { apiUrl: mirror.apiUrl, host: displayHost(mirror.apiUrl), repo: split(mirror.repo), isMirror: true };
  }
  const apiUrl = apiUrlForHost(config, secret.host);
  const onRepoHost = sameHost(webUrlOf(config.env.GITHUB_API_URL), secret.host);
  return { apiUrl, host: displayHost(apiUrl), repo: onRepoHost ? { owner: repo.owner, name: repo.repo } : null, isMirror: false };
}
