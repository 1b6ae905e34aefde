/**
 * A fake Slack for tests and the offline sandbox: a real HTTP server on 127.0.0.1
 * that answers the Web API methods the bot uses (at `apiUrl`, for WebClient's
 * `slackApiUrl`) and the `response_url`s of interactions, records every call,
 * and keeps the resulting conversation so it can be inspected.
 *
 * Faithful where the bot could notice: HTTP 200 with `{ok:false,error}` for API
 * errors, `not_authed` / `invalid_auth`, `unknown_method`, 429 + `Retry-After`
 * with `ratelimited`, Block Kit limits (see blockKitLimits.ts), response_url limits
 * (see responseUrls.ts). With `appToken` it also plays Socket Mode (see socketMode.ts):
 * `apps.connections.open`, a WebSocket on the same port, envelopes and acks.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { parseApiArgs, parseResponseUrlBody, readBody } from './httpBody.js';
import { ResponseUrls, type ResponseUrlTarget } from './responseUrls.js';
import {
  blockActionPayload,
  slashCommandBody,
  viewSubmissionPayload,
  type BlockActionInput,
  type SlashCommandInput,
  type ViewSubmissionInput,
} from './signedRequests.js';
import { APP_LEVEL_METHODS, FakeSocketMode, type DeliverOptions, type EnvelopeType, type SocketDelivery } from './socketMode.js';
import { METHODS, type ApiResult } from './webApiMethods.js';
import { Workspace, type SlackUser, type StoredMessage, type StoredView } from './workspace.js';

export interface FakeSlackOptions {
  botToken: string;
  teamId?: string;
  botUserId?: string;
  /** Workspace subdomain used in auth.test's `url`. */
  teamDomain?: string;
  /** App-level token (xapp-…) that `apps.connections.open` accepts; unset: Socket Mode is off. */
  appToken?: string;
  /** The clock message timestamps (`ts`, `event_ts`) are read from; default the real one. Request signatures keep the real clock (Bolt checks them against it). */
  now?: () => number;
}

export interface RecordedCall {
  /** Web API method (`chat.postMessage`…), `response_url`, or `socket_mode` (args.kind: hello, envelope, ack, closed…). */
  method: string;
  /** Parsed arguments, objects (blocks, view) decoded; never the token. */
  args: Record<string, unknown>;
  at: number;
  ok: boolean;
  error?: string;
  /** For `response_url` calls: the id at the end of the URL. */
  responseUrlId?: string;
}

interface Waiter {
  pred: (c: RecordedCall) => boolean;
  resolve: (c: RecordedCall) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const RESPONSE_PATH = '/response/';
const API_PATH = '/api/';

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** The fake's state (messages, views, groups), for assertions and the sandbox UI. */
  readonly workspace: Workspace;
  private readonly botToken: string;
  private readonly appToken: string | undefined;
  private readonly socketMode: FakeSocketMode;
  private readonly responseUrls: ResponseUrls;
  private readonly limits = new Map<string, { remaining: number; retryAfterSeconds: number }>();
  private waiters: Waiter[] = [];
  private server?: Server;
  private baseUrl?: string;
  private triggerCounter = 0;

  constructor(o: FakeSlackOptions) {
    this.botToken = o.botToken;
    this.workspace = new Workspace(o.teamId ?? 'T0SANDBOX', o.teamDomain ?? 'release-sandbox', o.botUserId ?? 'U0CHATOPS', 'B0CHATOPS', 'A0CHATOPS');
    if (o.now) this.workspace.now = o.now;
    this.responseUrls = new ResponseUrls(this.workspace);
    this.appToken = o.appToken;
    this.socketMode = new FakeSocketMode(this.workspace.appId, (e) => this.record({ method: 'socket_mode', at: Date.now(), ...e }));
  }

  async start(port = 0): Promise<void> {
    if (this.server) throw new Error('FakeSlack already started');
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(e) });
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.socketMode.handleUpgrade(req, socket, head));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('FakeSlack stopped while waiting for a call'));
    }
    this.waiters = [];
    this.socketMode.close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('FakeSlack not started: call start() first');
    return this.baseUrl;
  }

  /** For WebClient's `slackApiUrl` (ends with a slash, as the client expects). */
  get apiUrl(): string {
    return `${this.url}${API_PATH}`;
  }

  /** A fresh response_url, as Slack puts in slash-command and action payloads. */
  responseUrl(target?: ResponseUrlTarget): string {
    return `${this.url}${RESPONSE_PATH}${this.responseUrls.create(target)}`;
  }

  /**
   * A fresh trigger_id (each works once for views.open / views.push). With `user`, a
   * modal opened with it is recorded as shown to that user, as Slack knows whose click it was.
   */
  triggerId(user?: string): string {
    this.triggerCounter += 1;
    const id = `${this.triggerCounter}.${Date.now()}.${Math.random().toString(16).slice(2, 18)}`;
    if (user) this.workspace.noteTriggerUser(id, user);
    return id;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first recorded call (past or future) matching `pred`. */
  waitFor(pred: (c: RecordedCall) => boolean, timeoutMs = 5000): Promise<RecordedCall> {
    const found = this.calls.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise<RecordedCall>((resolve, reject) => {
      const waiter: Waiter = {
        pred,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new Error(`FakeSlack.waitFor: no matching call within ${timeoutMs} ms. ${this.describeCalls()}`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  addUsergroup(id: string, users: string[]): void {
    this.workspace.setUsergroup(id, users);
  }

  setUsergroupUsers(id: string, users: string[]): void {
    if (!this.workspace.hasUsergroup(id)) throw new Error(`FakeSlack: no user group ${id}; addUsergroup first`);
    this.workspace.setUsergroup(id, users);
  }

  addUser(user: SlackUser): void {
    this.workspace.addUser(user);
  }

  /** The next `times` calls to `method` (or 'response_url') get HTTP 429 with Retry-After. */
  rateLimit(method: string, o: { times: number; retryAfterSeconds: number }): void {
    this.limits.set(method, { remaining: o.times, retryAfterSeconds: o.retryAfterSeconds });
  }

  messages(channel: string): StoredMessage[] {
    return this.workspace.messages(channel);
  }

  view(id: string): StoredView | undefined {
    return this.workspace.view(id);
  }

  homeView(userId: string): StoredView | undefined {
    return this.workspace.homeView(userId);
  }

  /** Resolves once the app holds a Socket Mode connection (it has received `hello`). */
  socketConnected(timeoutMs = 5000): Promise<void> {
    return this.socketMode.connected(timeoutMs);
  }

  get socketConnectionCount(): number {
    return this.socketMode.connectionCount;
  }

  /** A slash command over Socket Mode; the ack payload is the command's immediate reply. */
  socketSlashCommand(c: SlashCommandInput, o?: DeliverOptions): Promise<SocketDelivery> {
    const payload = Object.fromEntries(new URLSearchParams(slashCommandBody(c)));
    return this.socketMode.deliver('slash_commands', payload, true, o);
  }

  /** A button click (block_actions) over Socket Mode. */
  socketBlockAction(a: BlockActionInput, o?: DeliverOptions): Promise<SocketDelivery> {
    return this.socketMode.deliver('interactive', blockActionPayload(a), false, o);
  }

  /** A modal submission over Socket Mode; the ack payload may carry `response_action`. */
  socketViewSubmission(s: ViewSubmissionInput, o?: DeliverOptions): Promise<SocketDelivery> {
    return this.socketMode.deliver('interactive', viewSubmissionPayload(s), true, o);
  }

  /** An Events API event_callback (app_home_opened…) over Socket Mode. */
  socketEvent(event: Record<string, unknown> & { type: string }, o?: DeliverOptions & { eventId?: string }): Promise<SocketDelivery> {
    const ws = this.workspace;
    const payload = {
      team_id: ws.teamId,
      api_app_id: ws.appId,
      event: { event_ts: (ws.now() / 1000).toFixed(6), ...event },
      type: 'event_callback',
      event_id: o?.eventId ?? `Ev0${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
      event_time: Math.floor(ws.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: ws.teamId, user_id: ws.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
    };
    return this.socketMode.deliver('events_api', payload, false, o);
  }

  /** Any payload in an envelope of `type` (what Slack would never send, for robustness tests). */
  socketDeliver(type: EnvelopeType, payload: unknown, o?: DeliverOptions): Promise<SocketDelivery> {
    return this.socketMode.deliver(type, payload, type !== 'events_api', o);
  }

  /** Slack's `disconnect` message to every connection (`refresh_requested`: the app reconnects). */
  socketDisconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled'): void {
    this.socketMode.disconnect(reason);
  }

  private describeCalls(): string {
    if (this.calls.length === 0) return 'No calls were recorded.';
    const lines = this.calls.map((c) => {
      const args = JSON.stringify(c.args);
      const shown = args.length > 300 ? `${args.slice(0, 300)}…` : args;
      return `  - ${c.method} ${c.ok ? 'ok' : `error=${c.error}`} ${shown}`;
    });
    return `${this.calls.length} recorded call(s):\n${lines.join('\n')}`;
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const w of [...this.waiters]) {
      if (w.pred(call)) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(call);
      }
    }
  }

  /** True (and answered 429) when a configured rate limit applies to this call. */
  private rateLimited(method: string, res: ServerResponse, json: boolean): boolean {
    const limit = this.limits.get(method);
    if (!limit || limit.remaining <= 0) return false;
    limit.remaining -= 1;
    res.setHeader('Retry-After', String(limit.retryAfterSeconds));
    if (json) sendJson(res, 429, { ok: false, error: 'ratelimited' });
    else sendText(res, 429, 'ratelimited');
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    if (url.pathname.startsWith(API_PATH)) return this.handleApi(req, res, url);
    if (url.pathname.startsWith(RESPONSE_PATH) && req.method === 'POST') return this.handleResponseUrl(req, res, url);
    sendText(res, 404, 'not_found');
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = decodeURIComponent(url.pathname.slice(API_PATH.length));
    const args = parseApiArgs(req.headers['content-type'], await readBody(req), url.searchParams);
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    delete args.token;
    const at = Date.now();
    const answer = (result: ApiResult): void => {
      this.record({ method, args, at, ok: result.ok, ...(result.error ? { error: result.error } : {}) });
      sendJson(res, 200, result);
    };
    const appLevel = APP_LEVEL_METHODS.has(method);
    const handler = appLevel ? () => this.socketMode.connectionsOpen(this.url) : METHODS[method];
    if (!handler) return answer({ ok: false, error: 'unknown_method', req_method: method });
    if (!token) return answer({ ok: false, error: 'not_authed' });
    if (token !== (appLevel ? this.appToken : this.botToken)) {
      // A valid token of the other kind (bot vs app-level) is refused as such by Slack.
      const otherKind = appLevel ? token === this.botToken : this.appToken !== undefined && token === this.appToken;
      return answer({ ok: false, error: otherKind ? 'not_allowed_token_type' : 'invalid_auth' });
    }
    if (this.rateLimited(method, res, true)) {
      this.record({ method, args, at, ok: false, error: 'ratelimited' });
      return;
    }
    answer(handler(this.workspace, args));
  }

  private async handleResponseUrl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const id = url.pathname.slice(RESPONSE_PATH.length);
    const body = parseResponseUrlBody(req.headers['content-type'], await readBody(req));
    const at = Date.now();
    const base = { method: 'response_url', args: body ?? {}, at, responseUrlId: id };
    if (this.rateLimited('response_url', res, false)) {
      this.record({ ...base, ok: false, error: 'ratelimited' });
      return;
    }
    const result = body ? this.responseUrls.post(id, body) : { status: 400, body: 'invalid_payload', ok: false, error: 'invalid_payload' };
    this.record({ ...base, ok: result.ok, ...(result.error ? { error: result.error } : {}) });
    sendText(res, result.status, result.body);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}
