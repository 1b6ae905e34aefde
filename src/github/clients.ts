import type { AppConfig } from '../config/load.js';
import type { MirrorConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { callGitHub } from './translateError.js';
import { createGitHubClient, displayHost, type ClientAuth, type ClientTuning, type GitHubClient } from './octokit.js';

/**
 * Hands out one GitHub client per credential: the bot's own github.com credential
 * (a PAT, or a GitHub App installation found for the repository) and one per GHE
 * mirror credential (`mirror.tokenEnv`). Clients are reused so their ETag caches
 * and rate-limit queues are shared by every command.
 */
export class GitHubClients {
  private readonly byKey = new Map<string, GitHubClient>();
  private readonly installationIds = new Map<string, Promise<number>>();

  constructor(private readonly o: { config: AppConfig; logger: Logger; tuning?: ClientTuning }) {}

  /** The client that acts on `owner/repo` on GITHUB_API_URL. */
  async forRepo(owner: string, repo: string): Promise<GitHubClient> {
    const { githubAuth, env } = this.o.config;
    if (githubAuth.kind === 'token') return this.client(`token:${env.GITHUB_API_URL}`, env.GITHUB_API_URL, githubAuth);
    const installationId = await this.installationFor(owner, repo);
    return this.client(`app:${env.GITHUB_API_URL}:${installationId}`, env.GITHUB_API_URL, { ...githubAuth, installationId });
  }

  /** The client for a GHE mirror, authenticated with the token named by `mirror.tokenEnv`. */
  forMirror(mirror: MirrorConfig): GitHubClient {
    const token = this.o.config.mirrorTokens[mirror.tokenEnv];
    if (!token) throw new ConfigError([`${mirror.tokenEnv}: is not set`]);
    return this.client(`mirror:${mirror.apiUrl}:${mirror.tokenEnv}`, mirror.apiUrl, { kind: 'token', token });
  }

  /**
   * A client for a token a person typed, to check it before anyone relies on it.
   * Never cached: it lives as long as the check, and the token goes with it.
   */
  withToken(apiUrl: string, token: string): GitHubClient {
    return createGitHubClient({
      apiUrl,
      auth: { kind: 'token', token },
      logger: this.o.logger,
      tuning: { ...this.o.tuning, retries: 0, timeoutMs: Math.min(this.o.tuning?.timeoutMs ?? 2_000, 2_000) },
    });
  }

  /**
   * A client for the start-up credential checks (src/services/startupChecks.ts): never
   * cached and never retried, since the check retries with its own back-off and logs
   * each attempt. `auth` is the bot's own credential (a PAT, a mirror token, or the App
   * without an installation, which authenticates with its JWT).
   */
  forStartupCheck(apiUrl: string, auth: ClientAuth, timeoutMs = 10_000): GitHubClient {
    return createGitHubClient({ apiUrl, auth, logger: this.o.logger, tuning: { ...this.o.tuning, retries: 0, timeoutMs, maxRateLimitWaitSeconds: 0 } });
  }

  /**
   * A client that sends no credential, for the endpoints that must be called without
   * one (github.com's credential revocation answers authenticated calls with 403).
   * Never cached and never retried, like withToken.
   */
  anonymous(apiUrl: string): GitHubClient {
    // Octokit treats an empty token as "unauthenticated": no Authorization header is sent.
    const tuning = { ...this.o.tuning, retries: 0, timeoutMs: Math.min(this.o.tuning?.timeoutMs ?? 2_000, 2_000) };
    return createGitHubClient({ apiUrl, auth: { kind: 'token', token: '' }, logger: this.o.logger, tuning });
  }

  private client(key: string, apiUrl: string, auth: Parameters<typeof createGitHubClient>[0]['auth']): GitHubClient {
    let c = this.byKey.get(key);
    if (!c) {
      c = createGitHubClient({ apiUrl, auth, logger: this.o.logger, tuning: this.o.tuning });
      this.byKey.set(key, c);
    }
    return c;
  }

  /** GitHub App: the installation that covers the repository (cached; a failure is not). */
  private installationFor(owner: string, repo: string): Promise<number> {
    const { githubAuth, env } = this.o.config;
    if (githubAuth.kind !== 'app') throw new Error('installationFor needs a GitHub App');
    const key = `${owner}/${repo}`.toLowerCase();
    let p = this.installationIds.get(key);
    if (!p) {
      const appClient = this.client(`app:${env.GITHUB_API_URL}`, env.GITHUB_API_URL, githubAuth);
      p = callGitHub(displayHost(env.GITHUB_API_URL), `the GitHub App installation for ${owner}/${repo}`, async () => {
        const { data } = await appClient.rest.apps.getRepoInstallation({ owner, repo });
        return data.id;
      });
      this.installationIds.set(key, p);
      p.catch(() => this.installationIds.delete(key));
    }
    return p;
  }
}
