import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, loginOf, type Principal } from './auth.js';
import { BLOB_PREFIX, serveLogBlob } from './blob.js';
import { sha256Hex } from './crypto.js';
import { operationNameOf, runGraphql } from './graphql.js';
import type { Reply } from './http.js';
import type { RateLimits, RateResource } from './rateLimit.js';
import { baseHeaders, defaultMessage, docUrl, errorReply, sendReply } from './responses.js';
import { faultReply, type Faults } from './faults.js';
import { routeRest } from './router.js';
import type { GitHubState } from './state.js';
import type { FaultStorm } from './faultStorm.js';

/**
 * One request through the fake, in GitHub's order: latency and cut connections,
 * injected failures, authentication, the primary rate limit, then REST or GraphQL,
 * conditional GETs; every request is recorded with the status it got.
 */

export interface RecordedRequest {
  method: string;
  /** Path as received (GHES REST paths keep their `/api/v3` prefix). */
  path: string;
  query: Record<string, string>;
  /** Status answered; 0 when the connection was cut (setUnreachable). */
  status: number;
  graphql?: { operationName?: string };
  /** Asked with `If-None-Match` or `If-Modified-Since` (a conditional request, which a 304 answers). */
  conditional?: true;
  /** Login of the authenticated caller, if any. */
  login?: string;
  /** Handled, but the connection was cut before the answer went out (a hold in the 'answer' phase, dropped). */
  answerLost?: true;
  /** Set when the answer was an injected failure (`applied`: GitHub had acted on the request first). */
  injected?: { status: number; applied: boolean };
}

export interface FailureInjection {
  status: number;
  times?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /**
   * Handle the request first, then answer with the failure: GitHub did the work but the
   * caller never heard (a gateway 502/504 after the backend acted).
   */
  afterHandling?: boolean;
}

export type HoldPhase = 'request' | 'answer';

/** Failures and slowness the tests ask for. */
export class Injector {
  latencyMs = 0;
  unreachable = false;
  /** Random faults on a share of requests, after the ones injected with add(). */
  storm: FaultStorm | null = null;
  private pending: Array<{ method?: string; path?: RegExp; o: FailureInjection; left: number }> = [];
  private holds: Array<{ method?: string; path?: RegExp; phase: HoldPhase; arrived: () => void; gate: Promise<'release' | 'drop'> }> = [];

  /**
   * Holds the next matching request: `arrived` resolves when it is held; `release()`
   * lets it go on, `drop()` cuts the connection. `phase` 'request' (default) holds it
   * before it is handled (dropped: GitHub never saw it, as when the caller is killed
   * mid-request); 'answer' handles it first and holds its answer (dropped: GitHub did
   * it, the caller never heard, as when the caller is killed while the answer travels).
   */
  hold(match: { method?: string; path?: RegExp; phase?: HoldPhase }): { arrived: Promise<void>; release(): void; drop(): void } {
    let arrived!: () => void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    let open!: (how: 'release' | 'drop') => void;
    const gate = new Promise<'release' | 'drop'>((r) => (open = r));
    this.holds.push({ ...match, phase: match.phase ?? 'request', arrived, gate });
    return { arrived: arrivedP, release: () => open('release'), drop: () => open('drop') };
  }

  /** The hold of this phase for this request, if one matches (each hold applies once); `arrived()` is the caller's to call. */
  takeHold(
    method: string,
    rawPath: string,
    apiPath: string,
    phase: HoldPhase = 'request',
  ): { arrived: () => void; gate: Promise<'release' | 'drop'> } | undefined {
    const i = this.holds.findIndex(
      (h) => h.phase === phase && (!h.method || h.method.toUpperCase() === method) && (!h.path || h.path.test(rawPath) || h.path.test(apiPath)),
    );
    const h = i >= 0 ? this.holds[i] : undefined;
    if (!h) return undefined;
    this.holds.splice(i, 1);
    return h;
  }

  add(match: { method?: string; path?: RegExp }, o: FailureInjection): void {
    this.pending.push({ ...match, o, left: o.times ?? 1 });
  }

  clear(): void {
    this.pending = [];
  }

  /** The failure to answer this request with, if one matches (path tested as received and relative to the API root). */
  take(method: string, rawPath: string, apiPath: string): FailureInjection | undefined {
    const hit = this.pending.find(
      (i) => i.left > 0 && (!i.method || i.method.toUpperCase() === method) && (!i.path || i.path.test(rawPath) || i.path.test(apiPath)),
    );
    if (!hit) return this.storm?.draw(method, rawPath, apiPath);
    hit.left -= 1;
    this.pending = this.pending.filter((i) => i.left > 0);
    return hit.o;
  }
}

export interface HostEnv {
  state: GitHubState;
  rateLimits: RateLimits;
  injector: Injector;
  /** Random faults on chosen routes (faults.ts). */
  faults: Faults;
  requests: RecordedRequest[];
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

export async function handleRequest(env: HostEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const entry: Omit<RecordedRequest, 'status'> = {
    method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    ...(req.headers['if-none-match'] || req.headers['if-modified-since'] ? { conditional: true as const } : {}),
  };
  if (env.injector.unreachable) {
    env.requests.push({ ...entry, status: 0 });
    req.socket.destroy();
    return;
  }
  const raw = await readBody(req);
  if (env.injector.latencyMs) await sleep(env.injector.latencyMs);

  const graphqlPath = new URL(env.state.urls.graphqlUrl).pathname;
  const restPrefix = new URL(env.state.urls.apiUrl).pathname.replace(/\/$/, '');
  const isGraphql = url.pathname === graphqlPath;
  const apiPath = isGraphql ? url.pathname : url.pathname.startsWith(`${restPrefix}/`) || restPrefix === '' ? url.pathname.slice(restPrefix.length) || '/' : '';

  const held = env.injector.takeHold(method, url.pathname, apiPath);
  if (held) {
    held.arrived();
    if ((await held.gate) === 'drop') {
      env.requests.push({ ...entry, status: 0 });
      req.socket.destroy();
      return;
    }
  }
  const answerHeld = env.injector.takeHold(method, url.pathname, apiPath, 'answer');

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

  const fault = env.faults.decide(method, url.pathname, apiPath);
  let answerInstead: FailureInjection | undefined;
  const injectedReply = (i: FailureInjection): Reply => ({
    status: i.status,
    body: i.body ?? { message: defaultMessage(i.status), documentation_url: docUrl(env.state.flavor, ''), status: String(i.status) },
    headers: i.headers ?? {},
  });
  const finish = (handled: Reply, headers: Record<string, string>): void => {
    // A failure after handling replaces whatever the request got: the work is done, the answer lost.
    const reply = answerInstead ? injectedReply(answerInstead) : handled;
    const marks = answerInstead ? { injected: { status: reply.status, applied: true } } : {};
    if (answerHeld) {
      // Handled (its effect is in the state, so it is recorded now): the answer waits, or never leaves.
      const recorded: RecordedRequest = { ...entry, status: reply.status, ...marks };
      env.requests.push(recorded);
      answerHeld.arrived();
      void answerHeld.gate.then((how) => {
        if (how === 'release') sendReply(res, reply, headers);
        else {
          recorded.answerLost = true;
          req.socket.destroy();
        }
      });
      return;
    }
    if (fault?.kind === 'drop-after') {
      // Handled, never answered: what a caller sees as a timeout although its write landed.
      env.requests.push({ ...entry, status: 0 });
      req.socket.destroy();
      return;
    }
    const send = () => {
      // Handled either way: a caller that went away (killed, timed out) still had its request carried out.
      env.requests.push({ ...entry, status: reply.status, ...marks, ...(res.destroyed ? { answerLost: true as const } : {}) });
      if (!res.destroyed) sendReply(res, reply, headers);
    };
    if (fault?.kind === 'delay-after') setTimeout(send, fault.ms).unref();
    else send();
  };

  // Blob storage: a different service in reality, so no GitHub headers and no auth.
  if (url.pathname.startsWith(BLOB_PREFIX) && method === 'GET') {
    finish(serveLogBlob(env.state, url.pathname, url.searchParams), {});
    return;
  }

  const auth = authenticate(env.state, req.headers.authorization);
  const principal: Principal = auth.ok ? auth.principal : { kind: 'anonymous' };
  const login = loginOf(principal, env.state);
  if (login) entry.login = login;
  const resource: RateResource = isGraphql ? 'graphql' : 'core';
  const bucket = env.rateLimits.get(principal, resource);
  const headers = (): Record<string, string> => ({ ...baseHeaders(env.state.flavor, principal), ...env.rateLimits.headers(bucket, resource) });

  const injected = env.injector.take(method, url.pathname, apiPath);
  if (injected?.afterHandling) {
    answerInstead = injected;
  } else if (injected) {
    sendReply(res, injectedReply(injected), headers());
    env.requests.push({ ...entry, status: injected.status, injected: { status: injected.status, applied: false } });
    return;
  }
  const faulted = fault ? faultReply(env.state.flavor, fault) : null;
  if (faulted) {
    sendReply(res, faulted, { ...headers(), ...faulted.headers });
    env.requests.push({ ...entry, status: faulted.status });
    return;
  }
  if (!auth.ok) {
    const reply = errorReply(env.state.flavor, 401, auth.message, '');
    if (isGraphql) reply.body = { message: auth.message, documentation_url: 'https://docs.github.com/graphql', status: '401' };
    finish(reply, headers());
    return;
  }
  if (badJson) {
    finish(errorReply(env.state.flavor, 400, 'Problems parsing JSON', ''), headers());
    return;
  }
  if (isGraphql || apiPath !== '/rate_limit') {
    if (bucket.remaining <= 0) {
      const who =
        principal.kind === 'token'
          ? `user ID ${principal.user.id}`
          : principal.kind === 'anonymous'
            ? '127.0.0.1'
            : `installation ID ${principal.kind === 'installation' ? principal.installation.id : 0}`;
      finish(
        errorReply(env.state.flavor, 403, `API rate limit exceeded for ${who}.`, 'overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit'),
        headers(),
      );
      return;
    }
  }

  if (isGraphql) {
    if (method !== 'POST') {
      finish(errorReply(env.state.flavor, 404, 'Not Found', ''), headers());
      return;
    }
    if (principal.kind === 'anonymous') {
      finish(
        errorReply(
          env.state.flavor,
          401,
          'This endpoint requires you to be authenticated.',
          'graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
        ),
        headers(),
      );
      return;
    }
    env.rateLimits.take(bucket);
    const r = await runGraphql(env.state, principal, bucket, body);
    finish(r, headers());
    return;
  }

  const reply = apiPath ? await routeRest(env, method, apiPath, url, body, req, principal) : errorReply(env.state.flavor, 404, 'Not Found', '');
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
  if (apiPath !== '/rate_limit') env.rateLimits.take(bucket);
  finish(reply, headers());
}
