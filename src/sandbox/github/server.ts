import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticate, checkRepoAccess, loginOf, type Principal } from './auth.js';
import { BLOB_PREFIX, serveLogBlob } from './blob.js';
import { openSealedBox, sha256Hex, sodiumReady } from './crypto.js';
import { operationNameOf, runGraphql } from './graphql.js';
import { ApiError, compile, type CompiledRoute, type Ctx, type Reply } from './http.js';
import { RateLimits, type RateResource } from './rateLimit.js';
import { actionsRoutes } from './rest/actions.js';
import { appsRoutes } from './rest/apps.js';
import { reposRoutes } from './rest/repos.js';
import { secretsRoutes } from './rest/secrets.js';
import { GHES_VERSION, userRoutes } from './rest/user.js';
import { completeRun, setJob, startRun, type JobOutcome, type JobUpdate } from './runs.js';
import { GitHubState, type RepoRec, type RunRec } from './state.js';
import type { Flavor, Permission, PermissionGrants } from './types.js';

export interface FakeGitHubOptions {
  flavor: Flavor;
  /** Host of html_url links: 'github.com' by default for dotcom, e.g. 'wats.ghe.com' for ghes. */
  webHost?: string;
  /** Where the virtual clock for seeded history starts (default: six hours ago). */
  clockStart?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path as received (GHES REST paths keep their `/api/v3` prefix). */
  path: string;
  query: Record<string, string>;
  /** Status answered; 0 when the connection was cut (setUnreachable). */
  status: number;
  graphql?: { operationName?: string };
  /** Login of the authenticated caller, if any. */
  login?: string;
}

export interface FailureInjection {
  status: number;
  times?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RunSummary {
  id: number;
  workflowPath: string;
  event: string;
  status: string;
  conclusion: string | null;
  headBranch: string;
  headSha: string;
  createdAt: string;
  jobs: Array<{ id: number; key: string; name: string; status: string; conclusion: string | null }>;
}

const ROUTES: CompiledRoute[] = [...userRoutes, ...reposRoutes, ...actionsRoutes, ...secretsRoutes, ...appsRoutes].map(compile);

const SECONDARY_LIMIT = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';

function defaultMessage(status: number): string {
  if (status === 403 || status === 429) return SECONDARY_LIMIT;
  if (status === 500 || status === 502) return 'Server Error';
  return STATUS_CODES[status] ?? 'Error';
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Expiry as GitHub prints it in `github-authentication-token-expiration`. */
function expiryHeader(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A stateful, faithful stand-in for github.com or a GitHub Enterprise Server, on
 * 127.0.0.1. Real Octokit clients talk to it; tests seed it, inject failures and
 * read what was asked.
 */
export class FakeGitHub {
  readonly state: GitHubState;
  readonly requests: RecordedRequest[] = [];
  private readonly rateLimits = new RateLimits();
  private server: Server | undefined;
  private base = '';
  private latencyMs = 0;
  private unreachable = false;
  private injections: Array<{ method?: string; path?: RegExp; o: FailureInjection; left: number }> = [];

  constructor(private readonly opts: FakeGitHubOptions) {
    this.state = new GitHubState(opts.flavor, opts.clockStart);
    this.state.urls.webUrl = this.webUrl;
  }

  // ---------------------------------------------------------------- lifecycle

  async start(port = 0): Promise<void> {
    await sodiumReady;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.send(res, { status: 500, body: { message: `fake GitHub internal error: ${String(e)}` } }, {});
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.state.urls = { url: this.url, apiUrl: this.apiUrl, graphqlUrl: this.graphqlUrl, webUrl: this.webUrl };
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  get url(): string {
    if (!this.base) throw new Error('fake GitHub is not started');
    return this.base;
  }

  get apiUrl(): string {
    return this.opts.flavor === 'ghes' ? `${this.url}/api/v3` : this.url;
  }

  get graphqlUrl(): string {
    return this.opts.flavor === 'ghes' ? `${this.url}/api/graphql` : `${this.url}/graphql`;
  }

  get webUrl(): string {
    return `https://${this.opts.webHost ?? (this.opts.flavor === 'dotcom' ? 'github.com' : 'ghe.example.com')}`;
  }

  get flavor(): Flavor {
    return this.opts.flavor;
  }

  // ---------------------------------------------------------------- seeding

  /**
   * Moves the clock that stamps seeded history (commits, runs, jobs). Seeders that lay
   * out weeks of history set it to the start first; it may go backwards.
   */
  setClock(date: string | Date): void {
    this.state.clock.set(date);
  }

  addToken(token: string, o: { login: string; scopes?: string[]; expiresAt?: string | null; fineGrained?: { repos: string[]; permissions?: PermissionGrants } }): void {
    this.state.addToken(token, o);
  }

  /** Revokes a token (as if its owner deleted it); later calls with it get 401. */
  revokeToken(token: string): void {
    this.state.revokeToken(token);
  }

  hasToken(token: string): boolean {
    return this.state.tokens.has(token) || this.state.installationTokens.has(token);
  }

  addRepo(fullName: string, o?: { defaultBranch?: string; private?: boolean; access?: Record<string, Permission> }): void {
    this.state.addRepo(fullName, o);
  }

  grantAccess(fullName: string, login: string, permission: Permission): void {
    this.state.repo(fullName).access.set(login.toLowerCase(), permission);
  }

  pushCommit(fullName: string, o: { branch?: string; message: string; date?: string; sha?: string }): string {
    return this.state.pushCommit(fullName, o);
  }

  createTag(fullName: string, tag: string, o?: { sha?: string; annotated?: boolean; message?: string }): void {
    this.state.createTag(fullName, tag, o);
  }

  addWorkflow(fullName: string, path: string, yaml: string, o?: { state?: 'active' | 'disabled_manually' }): number {
    return this.state.addWorkflow(fullName, path, yaml, o).id;
  }

  /** Any other file served by the contents API. */
  addFile(fullName: string, path: string, content: string): void {
    this.state.repo(fullName).files.set(path, content);
  }

  startRun(fullName: string, workflowPath: string, o: { event?: string; headBranch: string; headSha?: string; actor?: string; createdAt?: string }): number {
    const repo = this.state.repo(fullName);
    const wf = this.state.findWorkflow(repo, workflowPath.split('/').pop() ?? workflowPath);
    if (!wf) throw new Error(`fake GitHub: ${fullName} has no workflow ${workflowPath}`);
    return startRun(this.state, repo, wf, o).id;
  }

  setJob(runId: number, jobKey: string, o: JobUpdate): void {
    setJob(this.state, runId, jobKey, o);
  }

  completeRun(runId: number, outcomes: Record<string, JobOutcome> = {}): void {
    completeRun(this.state, runId, outcomes);
  }

  simulateRun(
    fullName: string,
    workflowPath: string,
    o: { headBranch: string; headSha?: string; event?: string; actor?: string; createdAt?: string },
    outcomes: Record<string, JobOutcome> = {},
  ): number {
    const id = this.startRun(fullName, workflowPath, o);
    this.completeRun(id, outcomes);
    return id;
  }

  setSecret(fullName: string, name: string, o?: { value?: string; updatedAt?: string; createdAt?: string }): void {
    this.state.setSecret(fullName, name, o);
  }

  /** The plaintext of a secret: what a PUT sealed (opened with the repo's private key), or the seeded value. */
  decryptSecret(fullName: string, name: string): string | undefined {
    const s = this.state.repo(fullName).secrets.get(name.toUpperCase());
    if (!s) return undefined;
    if (s.sealed) {
      const plain = openSealedBox(s.sealed, this.state.repo(fullName).secretsKey);
      return plain ? Buffer.from(plain).toString('utf8') : undefined;
    }
    return s.value;
  }

  installApp(o: { appId: number; privateKeyPem: string; repos: string[]; slug?: string; permissions?: PermissionGrants }): number {
    return this.state.installApp(o).id;
  }

  // ---------------------------------------------------------------- observation

  runs(fullName: string, workflowPath?: string): RunSummary[] {
    const repo = this.state.repo(fullName);
    const wf = workflowPath ? this.state.findWorkflow(repo, workflowPath.split('/').pop() ?? workflowPath) : undefined;
    if (workflowPath && !wf) throw new Error(`fake GitHub: ${fullName} has no workflow ${workflowPath}`);
    return repo.runs
      .filter((r) => !wf || r.workflowId === wf.id)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)
      .map((r) => ({
        id: r.id,
        workflowPath: repo.workflows.find((w) => w.id === r.workflowId)?.path ?? '',
        event: r.event,
        status: r.status,
        conclusion: r.conclusion,
        headBranch: r.headBranch,
        headSha: r.headSha,
        createdAt: r.createdAt,
        jobs: r.jobs.map((j) => ({ id: j.id, key: j.key, name: j.name, status: j.status, conclusion: j.conclusion })),
      }));
  }

  deployKeys(fullName: string): Array<{ id: number; title: string; key: string; readOnly: boolean }> {
    return this.state.repo(fullName).deployKeys.map(({ id, title, key, readOnly }) => ({ id, title, key, readOnly }));
  }

  /** Called with every run a workflow_dispatch creates (e.g. to play it out with completeRun). */
  onDispatch(listener: (run: { id: number; repo: string; workflowPath: string; headBranch: string }) => void): void {
    this.state.dispatchListeners.push((run: RunRec, repo: RepoRec) =>
      listener({ id: run.id, repo: repo.fullName, workflowPath: repo.workflows.find((w) => w.id === run.workflowId)?.path ?? '', headBranch: run.headBranch }),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  // ---------------------------------------------------------------- failure injection

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  failNext(match: { method?: string; path?: RegExp }, o: FailureInjection): void {
    this.injections.push({ ...match, o, left: o.times ?? 1 });
  }

  /** Dispatched runs stay out of the API for this long (GitHub shows them after a few seconds). */
  setDispatchDelay(ms: number): void {
    this.state.dispatchDelayMs = Math.max(0, ms);
  }

  setUnreachable(on: boolean): void {
    this.unreachable = on;
  }

  /** Sets every rate-limit budget (now and for new callers), e.g. `{ remaining: 0 }` to hit the primary limit. */
  setRateLimit(o: { remaining: number; limit?: number; resetInSeconds?: number }): void {
    this.rateLimits.set(o);
  }

  // ---------------------------------------------------------------- HTTP

  private takeInjection(method: string, rawPath: string, apiPath: string): FailureInjection | undefined {
    const hit = this.injections.find(
      (i) => i.left > 0 && (!i.method || i.method.toUpperCase() === method) && (!i.path || i.path.test(rawPath) || i.path.test(apiPath)),
    );
    if (!hit) return undefined;
    hit.left -= 1;
    this.injections = this.injections.filter((i) => i.left > 0);
    return hit.o;
  }

  private docUrl(section: string): string {
    const root = this.opts.flavor === 'ghes' ? `https://docs.github.com/enterprise-server@${GHES_VERSION.replace(/\.0$/, '')}/rest` : 'https://docs.github.com/rest';
    return section ? `${root}/${section}` : root;
  }

  private errorReply(status: number, message: string, doc: string, extra: { headers?: Record<string, string>; body?: Record<string, unknown> } = {}): Reply {
    const reply: Reply = { status, body: { message, ...extra.body, documentation_url: this.docUrl(doc), status: String(status) } };
    if (extra.headers) reply.headers = extra.headers;
    return reply;
  }

  private baseHeaders(p: Principal | undefined): Record<string, string> {
    const h: Record<string, string> = {
      'x-github-request-id': [4, 5, 6, 7, 8].map((n) => randomBytes(4).toString('hex').toUpperCase().slice(0, n)).join(':'),
      'x-github-media-type': 'github.v3; format=json',
      'access-control-expose-headers':
        'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
      'x-content-type-options': 'nosniff',
      server: 'github.com',
    };
    if (this.opts.flavor === 'ghes') h['x-github-enterprise-version'] = GHES_VERSION;
    else h['x-github-api-version-selected'] = '2022-11-28';
    if (p?.kind === 'token') {
      if (p.rec.kind === 'classic') {
        h['x-oauth-scopes'] = p.rec.scopes.join(', ');
        h['x-accepted-oauth-scopes'] = '';
      }
      if (p.rec.expiresAt) h['github-authentication-token-expiration'] = expiryHeader(p.rec.expiresAt);
    }
    return h;
  }

  private send(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
    const all: Record<string, string> = { ...headers, ...reply.headers };
    let payload: string | undefined;
    if (reply.text !== undefined) {
      payload = reply.text;
      all['content-type'] ??= 'text/plain; charset=utf-8';
    } else if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
      payload = JSON.stringify(reply.body);
      all['content-type'] = 'application/json; charset=utf-8';
    }
    if (payload !== undefined) all['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(reply.status, all);
    res.end(payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: Omit<RecordedRequest, 'status'> = { method, path: url.pathname, query: Object.fromEntries(url.searchParams) };
    if (this.unreachable) {
      this.requests.push({ ...entry, status: 0 });
      req.socket.destroy();
      return;
    }
    const raw = await readBody(req);
    if (this.latencyMs) await sleep(this.latencyMs);

    const graphqlPath = new URL(this.graphqlUrl).pathname;
    const restPrefix = new URL(this.apiUrl).pathname.replace(/\/$/, '');
    const isGraphql = url.pathname === graphqlPath;
    const apiPath = isGraphql ? url.pathname : url.pathname.startsWith(`${restPrefix}/`) || restPrefix === '' ? url.pathname.slice(restPrefix.length) || '/' : '';

    let body: unknown;
    let badJson = false;
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        badJson = true;
      }
    }
    if (isGraphql) {
      const b = (body ?? {}) as { query?: unknown; operationName?: unknown };
      entry.graphql = {};
      const op = operationNameOf(b.query, b.operationName);
      if (op) entry.graphql.operationName = op;
    }

    const finish = (reply: Reply, headers: Record<string, string>): void => {
      this.send(res, reply, headers);
      this.requests.push({ ...entry, status: reply.status });
    };

    // Blob storage: a different service in reality, so no GitHub headers and no auth.
    if (url.pathname.startsWith(BLOB_PREFIX) && method === 'GET') {
      finish(serveLogBlob(this.state, url.pathname, url.searchParams), {});
      return;
    }

    const auth = authenticate(this.state, req.headers.authorization);
    const principal: Principal = auth.ok ? auth.principal : { kind: 'anonymous' };
    const login = loginOf(principal, this.state);
    if (login) entry.login = login;
    const resource: RateResource = isGraphql ? 'graphql' : 'core';
    const bucket = this.rateLimits.get(principal, resource);
    const headers = (): Record<string, string> => ({ ...this.baseHeaders(principal), ...this.rateLimits.headers(bucket, resource) });

    const injected = this.takeInjection(method, url.pathname, apiPath);
    if (injected) {
      const b = injected.body ?? { message: defaultMessage(injected.status), documentation_url: this.docUrl(''), status: String(injected.status) };
      finish({ status: injected.status, body: b, headers: injected.headers ?? {} }, headers());
      return;
    }
    if (!auth.ok) {
      finish(this.errorReply(401, auth.message, isGraphql ? '' : ''), headers());
      return;
    }
    if (badJson) {
      finish(this.errorReply(400, 'Problems parsing JSON', ''), headers());
      return;
    }
    if (isGraphql || apiPath !== '/rate_limit') {
      if (bucket.remaining <= 0) {
        const who = principal.kind === 'token' ? `user ID ${principal.user.id}` : principal.kind === 'anonymous' ? '127.0.0.1' : `installation ID ${principal.kind === 'installation' ? principal.installation.id : 0}`;
        finish(this.errorReply(403, `API rate limit exceeded for ${who}.`, 'overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit'), headers());
        return;
      }
    }

    if (isGraphql) {
      if (method !== 'POST') {
        finish(this.errorReply(404, 'Not Found', ''), headers());
        return;
      }
      if (principal.kind === 'anonymous') {
        finish(this.errorReply(401, 'This endpoint requires you to be authenticated.', 'graphql/guides/forming-calls-with-graphql#authenticating-with-graphql'), headers());
        return;
      }
      this.rateLimits.take(bucket);
      const r = await runGraphql(this.state, principal, bucket, body);
      finish(r, headers());
      return;
    }

    const reply = apiPath ? await this.route(method, apiPath, url, body, req, principal) : this.errorReply(404, 'Not Found', '');
    if (method === 'GET' && reply.status === 200 && reply.body !== undefined) {
      const etag = `"${sha256Hex(JSON.stringify(reply.body))}"`;
      reply.headers = { ...reply.headers, etag, 'cache-control': 'private, max-age=60, s-maxage=60' };
      const inm = req.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
        // Conditional hits are free: they do not count against the rate limit.
        finish({ status: 304, headers: { etag, 'cache-control': 'private, max-age=60, s-maxage=60' } }, headers());
        return;
      }
    }
    if (apiPath !== '/rate_limit') this.rateLimits.take(bucket);
    finish(reply, headers());
  }

  private async route(method: string, apiPath: string, url: URL, body: unknown, req: IncomingMessage, principal: Principal): Promise<Reply> {
    let doc = '';
    try {
      let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
      for (const route of ROUTES) {
        if (route.method !== method) continue;
        const m = route.regex.exec(apiPath);
        if (!m) continue;
        const params: Record<string, string> = {};
        route.names.forEach((n, i) => {
          params[n] = (m[i + 1] ?? '').split('/').map(decodeURIComponent).join('/');
        });
        matched = { route, params };
        break;
      }
      if (!matched) return this.errorReply(404, 'Not Found', '');
      const { route, params } = matched;
      doc = route.doc;
      let repo: RepoRec | undefined;
      if (route.access.kind === 'user' && principal.kind === 'anonymous') throw new ApiError(401, 'Requires authentication');
      if (route.access.kind === 'repo') {
        repo = this.state.findRepo(params.owner ?? '', params.repo ?? '');
        checkRepoAccess(principal, repo, route.access.level, route.access.perm);
      }
      const restBase = this.apiUrl;
      const ctx: Ctx = {
        state: this.state,
        method,
        path: apiPath,
        params,
        query: Object.fromEntries(url.searchParams),
        body,
        headers: req.headers,
        principal,
        get repo(): RepoRec {
          if (!repo) throw new Error(`route ${route.pattern} has no repository`);
          return repo;
        },
        login: loginOf(principal, this.state),
        rateLimits: this.rateLimits,
        selfUrl: (q) => `${restBase}${apiPath}?${new URLSearchParams(q).toString()}`,
      };
      return await route.handle(ctx);
    } catch (e) {
      if (e instanceof ApiError) return this.errorReply(e.status, e.message, doc, e.extra);
      throw e;
    }
  }
}
