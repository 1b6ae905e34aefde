import { RequestError as OctokitRequestError } from '@octokit/request-error';
import { ErrorCode, WebClient, type Logger as SlackLogger, type WebAPICallResult } from '@slack/web-api';
import type { AppConfig } from '../config/load.js';
import { CredentialRefusedError } from '../errors.js';
import type { GitHubClients } from '../github/clients.js';
import type { ClientAuth } from '../github/octokit.js';
import { loadAppAuth } from '../github/lazyAppAuth.js';
import { slackLogger, type Logger } from '../log/logger.js';

/**
 * Before the bot serves anyone, each credential it holds is shown to the host that
 * issued it: Slack `auth.test` (and `apps.connections.open` for the Socket Mode token),
 * GitHub `GET /user` for a PAT, `GET /app` with the App's JWT and its installations,
 * and `GET /user` on each mirror host with the mirror's token.
 *
 * - A credential the host refuses stops start-up (CredentialRefusedError, exit 2),
 *   naming the variable that holds it: waiting will not make it good.
 * - A host that does not answer (connection refused, timeout, 5xx, rate limit) is asked
 *   again with back-off, each attempt logged with the URL (never a token), and
 *   StartupStatus keeps /readyz at 503 with the reason until every check has passed.
 */

export type ProbeOutcome =
  | { kind: 'ok'; who: string; warnings?: string[] }
  /** `variable`: when it is another variable than the check's that is wrong (e.g. SLACK_API_URL). */
  | { kind: 'refused'; reason: string; variable?: string }
  | { kind: 'unreachable'; reason: string; retryAfterMs?: number };

export interface CredentialCheck {
  /** The variable (or variables) holding the credential. */
  variable: string;
  /** What is asked, e.g. `POST https://slack.com/api/auth.test`: logged; never a token. */
  url: string;
  probe(): Promise<ProbeOutcome>;
}

export interface Waiting {
  variable: string;
  url: string;
  reason: string;
  attempts: number;
  since: string;
}

/** What /readyz says until the bot serves: which checks are still waiting, and why. */
export class StartupStatus {
  private readonly waiting = new Map<string, Waiting>();
  private state: 'checking' | 'ready' = 'checking';

  constructor(o: { ready?: boolean } = {}) {
    if (o.ready) this.state = 'ready';
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  markReady(): void {
    this.waiting.clear();
    this.state = 'ready';
  }

  wait(w: Omit<Waiting, 'since'>): void {
    const key = `${w.variable} ${w.url}`;
    const since = this.waiting.get(key)?.since ?? new Date().toISOString();
    this.waiting.set(key, { ...w, since });
  }

  answered(check: { variable: string; url: string }): void {
    this.waiting.delete(`${check.variable} ${check.url}`);
  }

  /** The body of a 503 from /readyz. */
  report(): { status: 'starting'; reason: string; waiting: Waiting[] } {
    const waiting = [...this.waiting.values()];
    const reason = waiting.length
      ? waiting.map((w) => `${w.url} does not answer (${w.reason}); ${w.variable} not checked yet`).join('; ')
      : 'checking credentials';
    return { status: 'starting', reason, waiting };
  }
}

export interface Backoff {
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000 };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs every check at once; resolves when all have passed. Rejects with
 * CredentialRefusedError as soon as one credential is refused (the others stop).
 */
export async function runStartupChecks(
  checks: CredentialCheck[],
  o: { status: StartupStatus; logger: Logger; backoff?: Backoff; signal?: AbortSignal },
): Promise<void> {
  const log = o.logger.child({ component: 'startup' });
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;

  const one = async (check: CredentialCheck): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      const outcome = await check.probe().catch((e: unknown): ProbeOutcome => ({ kind: 'unreachable', reason: e instanceof Error ? e.message : String(e) }));
      if (outcome.kind === 'ok') {
        o.status.answered(check);
        log.info({ credential: check.variable, url: check.url, attempts: attempt }, `${check.variable} accepted by ${check.url} (${outcome.who})`);
        for (const w of outcome.warnings ?? []) log.warn({ credential: check.variable }, w);
        return;
      }
      if (outcome.kind === 'refused') throw new CredentialRefusedError(outcome.variable ?? check.variable, check.url, outcome.reason);
      const delay = Math.max(Math.min(backoff.firstMs * 2 ** (attempt - 1), backoff.maxMs), outcome.retryAfterMs ?? 0);
      o.status.wait({ variable: check.variable, url: check.url, reason: outcome.reason, attempts: attempt });
      log.warn(
        { credential: check.variable, url: check.url, attempt, retryInMs: delay, reason: outcome.reason },
        `${check.url} does not answer (${outcome.reason}); ${check.variable} not checked yet; retrying in ${Math.round(delay / 100) / 10} s`,
      );
      await sleep(delay, signal);
    }
  };

  try {
    await Promise.all(checks.map(one));
  } finally {
    stop.abort(new Error('start-up checks ended'));
  }
}

/** ECONNREFUSED, "timed out"…: why a request got no answer, from the error's causes. */
function networkReason(e: unknown): string {
  const seen = new Set<unknown>();
  for (let c: unknown = e; c instanceof Error && !seen.has(c);) {
    seen.add(c);
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return 'timed out';
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code) && !code.startsWith('SLACK_')) return code === 'ECONNREFUSED' ? 'connection refused' : code;
    c = (c as { cause?: unknown; original?: unknown }).cause ?? (c as { original?: unknown }).original;
  }
  return 'no answer';
}

/* ------------------------------------------------------------------ Slack */

/** Slack's answers that mean "this token is not good", as opposed to "try later". */
const SLACK_REFUSALS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'no_permission',
  'missing_scope',
  'team_access_not_granted',
  'invalid_token',
]);

type SlackFailure = { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number };

function slackOutcome(e: unknown, urlVariable: string): ProbeOutcome {
  const err = e as SlackFailure;
  if (err.code === ErrorCode.PlatformError) {
    const code = err.data?.error ?? 'error';
    return SLACK_REFUSALS.has(code) ? { kind: 'refused', reason: `Slack answered "${code}"` } : { kind: 'unreachable', reason: `Slack answered "${code}"` };
  }
  if (err.code === ErrorCode.RateLimitedError) return { kind: 'unreachable', reason: 'rate-limited', retryAfterMs: (err.retryAfter ?? 1) * 1000 };
  if (err.code === ErrorCode.HTTPError) {
    const s = err.statusCode ?? 0;
    if (s >= 500 || s === 429 || s === 408) return { kind: 'unreachable', reason: `HTTP ${s}` };
    // A 404 or a proxy's 400 says the URL is not Slack's Web API, not that the token is bad.
    return { kind: 'refused', variable: urlVariable, reason: `HTTP ${s}: is ${urlVariable} the base URL of Slack's Web API?` };
  }
  return { kind: 'unreachable', reason: networkReason(e) };
}

function quiet(l: SlackLogger): SlackLogger {
  return { ...l, info: l.debug, warn: l.debug, error: l.debug };
}

function slackCheck(o: { variable: string; method: 'auth.test' | 'apps.connections.open'; token: string; apiUrl: string; logger: Logger }): CredentialCheck {
  const client = new WebClient(o.token, {
    slackApiUrl: o.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    // The outcome is logged by runStartupChecks, with the URL; the client's own "fetch failed" only at debug.
    logger: quiet(slackLogger(o.logger, 'startup-slack')),
  });
  return {
    variable: o.variable,
    url: `POST ${o.apiUrl}${o.method}`,
    async probe() {
      try {
        const r: WebAPICallResult & { team?: string; user?: string } = await client.apiCall(o.method);
        return { kind: 'ok', who: o.method === 'auth.test' ? `bot ${r.user ?? '?'} in ${r.team ?? '?'}` : 'Socket Mode connections allowed' };
      } catch (e) {
        return slackOutcome(e, 'SLACK_API_URL');
      }
    },
  };
}

/* ----------------------------------------------------------------- GitHub */

function githubOutcome(e: unknown, apiUrlVariable: string | undefined): ProbeOutcome {
  if (!(e instanceof OctokitRequestError) || !e.response) return { kind: 'unreachable', reason: networkReason(e) };
  const s = e.status;
  const headers = e.response.headers as Record<string, string | undefined>;
  const said = (e.response.data as { message?: unknown } | undefined)?.message;
  const message = typeof said === 'string' ? `: ${said.slice(0, 200)}` : '';
  const retryAfter = Number(headers['retry-after']);
  const reset = Number(headers['x-ratelimit-reset']);
  if (s === 429 || (s === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined))) {
    const wait = Number.isFinite(retryAfter) ? retryAfter * 1000 : Number.isFinite(reset) ? reset * 1000 - Date.now() : undefined;
    return { kind: 'unreachable', reason: `rate-limited (HTTP ${s})`, retryAfterMs: wait && wait > 0 ? Math.min(wait, 15 * 60_000) : undefined };
  }
  if (s >= 500) return { kind: 'unreachable', reason: `HTTP ${s}` };
  if (s === 404 && apiUrlVariable)
    return {
      kind: 'refused',
      variable: apiUrlVariable,
      reason: `HTTP 404${message}: is ${apiUrlVariable} the REST API URL (https://api.github.com, or https://HOST/api/v3)?`,
    };
  return { kind: 'refused', reason: `HTTP ${s}${message}` };
}

/** `GET /user` with a PAT: who it belongs to. A 403 "not accessible by integration" is a valid installation token. */
function tokenCheck(github: GitHubClients, o: { variable: string; apiUrl: string; token: string; apiUrlVariable?: string }): CredentialCheck {
  const client = github.forStartupCheck(o.apiUrl, { kind: 'token', token: o.token });
  return {
    variable: o.variable,
    url: `GET ${o.apiUrl}/user`,
    async probe() {
      try {
        const { data } = await client.rest.users.getAuthenticated();
        return { kind: 'ok', who: `user ${data.login}` };
      } catch (e) {
        if (e instanceof OctokitRequestError && e.status === 403 && /not accessible by integration/i.test(e.message))
          return { kind: 'ok', who: 'an installation token' };
        return githubOutcome(e, o.apiUrlVariable);
      }
    },
  };
}

/** The App: its JWT must sign and be accepted by `GET /app`, and it must be installed somewhere. */
function appCheck(github: GitHubClients, config: AppConfig): CredentialCheck {
  const auth = config.githubAuth as Extract<ClientAuth, { kind: 'app' }>;
  const apiUrl = config.env.GITHUB_API_URL;
  const client = github.forStartupCheck(apiUrl, { kind: 'app', appId: auth.appId, privateKey: auth.privateKey });
  return {
    variable: 'GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY',
    url: `GET ${apiUrl}/app`,
    async probe() {
      const { createAppAuth } = await loadAppAuth();
      try {
        await createAppAuth({ appId: auth.appId, privateKey: auth.privateKey })({ type: 'app' });
      } catch {
        return { kind: 'refused', variable: 'GITHUB_APP_PRIVATE_KEY', reason: 'it cannot sign a JWT: it is not a valid RSA private key (PEM)' };
      }
      try {
        const { data: app } = await client.rest.apps.getAuthenticated();
        const { data: installations } = await client.rest.apps.listInstallations({ per_page: 100 });
        if (installations.length === 0) {
          return {
            kind: 'refused',
            reason: `the GitHub App ${app?.slug ?? auth.appId} is not installed on any account: install it on the configured repositories`,
          };
        }
        const accounts = new Set(installations.map((i) => (i.account && 'login' in i.account ? i.account.login.toLowerCase() : '')));
        const warnings = config.repos
          .filter((r) => !accounts.has(r.owner.toLowerCase()))
          .map((r) => `the GitHub App is not installed on the account ${r.owner}: commands for ${r.github} will fail until it is`);
        return { kind: 'ok', who: `App ${app?.slug ?? auth.appId}, ${installations.length} installation(s)`, warnings };
      } catch (e) {
        return githubOutcome(e, 'GITHUB_API_URL');
      }
    },
  };
}

/** Every credential the configuration holds, each as a check. */
export function credentialChecks(config: AppConfig, deps: { github: GitHubClients; logger: Logger }): CredentialCheck[] {
  const { env } = config;
  const checks: CredentialCheck[] = [
    slackCheck({ variable: 'SLACK_BOT_TOKEN', method: 'auth.test', token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, logger: deps.logger }),
  ];
  if (env.SLACK_APP_TOKEN) {
    checks.push(
      slackCheck({ variable: 'SLACK_APP_TOKEN', method: 'apps.connections.open', token: env.SLACK_APP_TOKEN, apiUrl: env.SLACK_API_URL, logger: deps.logger }),
    );
  }
  checks.push(
    config.githubAuth.kind === 'token'
      ? tokenCheck(deps.github, { variable: 'GITHUB_TOKEN', apiUrl: env.GITHUB_API_URL, token: config.githubAuth.token, apiUrlVariable: 'GITHUB_API_URL' })
      : appCheck(deps.github, config),
  );
  // One check per mirror host and token, however many repositories share them.
  const mirrors = new Map<string, { apiUrl: string; tokenEnv: string; path: string }>();
  config.repos.forEach((r, i) => {
    const m = r.sync?.mirror;
    const key = m && `${m.apiUrl}\0${m.tokenEnv}`;
    if (m && key && !mirrors.has(key)) mirrors.set(key, { ...m, path: `repos[${i}].sync.mirror.apiUrl` });
  });
  for (const m of mirrors.values()) {
    const token = config.mirrorTokens[m.tokenEnv];
    if (token) checks.push(tokenCheck(deps.github, { variable: m.tokenEnv, apiUrl: m.apiUrl, token, apiUrlVariable: m.path }));
  }
  return checks;
}
