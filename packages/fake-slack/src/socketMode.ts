/**
 * Slack's side of Socket Mode, for the fake Slack: `apps.connections.open` (called
 * with the app-level token) hands out a single-use `…/link/?ticket=…` WebSocket
 * URL; on connect the server says `hello`; deliveries are envelopes
 * `{ envelope_id, type, payload, accepts_response_payload }` that the app acks
 * with `{ envelope_id, payload? }`; `disconnect` asks the app to reconnect.
 * Shapes follow Slack's "Socket Mode implementation" guide and what
 * @slack/socket-mode's client reads.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import type { ApiResult } from './webApiMethods.js';

/** Web API methods that take the app-level token (xapp-…) instead of the bot token. */
export const APP_LEVEL_METHODS: ReadonlySet<string> = new Set(['apps.connections.open']);

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the app sends back over the socket to acknowledge an envelope. */
export const SocketAck = z.object({ envelope_id: z.string().min(1), payload: z.unknown().optional() });
export type SocketAck = z.infer<typeof SocketAck>;

export interface SocketDelivery {
  envelopeId: string;
  /** The ack's `payload` (`{}` for a bare ack(); a slash command's immediate reply otherwise). */
  ackPayload: unknown;
  elapsedMs: number;
}

export interface DeliverOptions {
  /** How long Slack waits for the ack; default 3000 ms, as Slack does. */
  ackTimeoutMs?: number;
  /** events_api: a redelivery (`retry_attempt` > 0, with Slack's `retry_reason`). */
  retryAttempt?: number;
  retryReason?: string;
}

/** What the socket layer records (as `socket_mode` calls) through FakeSlack. */
export interface SocketEvent {
  ok: boolean;
  error?: string;
  args: Record<string, unknown>;
}

interface PendingAck {
  resolve: (payload: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

const LINK_PATH = '/link/';
const SLACK_ACK_TIMEOUT_MS = 3000;
/** Slack pings every connection; the client only watches for pings once one arrived. */
const SERVER_PING_INTERVAL_MS = 5000;

export class FakeSocketMode {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly open = new Map<WebSocket, number>();
  private readonly pending = new Map<string, PendingAck>();
  private connectWaiters: Array<() => void> = [];
  private connectionCounter = 0;
  private nextConnection = 0;
  private pingTimer?: NodeJS.Timeout;

  constructor(
    private readonly appId: string,
    private readonly record: (e: SocketEvent) => void,
  ) {}

  /** `apps.connections.open`: a fresh single-use ticket on this server's `/link/`. */
  connectionsOpen(httpBaseUrl: string): ApiResult {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    const wsBase = httpBaseUrl.replace(/^http/, 'ws');
    return { ok: true, url: `${wsBase}${LINK_PATH}?ticket=${ticket}&app_id=${createHash('sha256').update(this.appId).digest('hex')}` };
  }

  /** For the HTTP server's `upgrade` event. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    const ticket = url.searchParams.get('ticket');
    if (url.pathname !== LINK_PATH) return refuse(socket, 404, 'Not Found');
    if (!ticket || !this.tickets.delete(ticket)) return refuse(socket, 401, 'Unauthorized');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  get connectionCount(): number {
    return this.open.size;
  }

  /** Resolves once an app holds an open connection (past or future). */
  connected(timeoutMs: number): Promise<void> {
    if (this.open.size > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.connectWaiters = this.connectWaiters.filter((w) => w !== done);
        reject(new Error(`FakeSlack: no Socket Mode connection within ${timeoutMs} ms (did the app call apps.connections.open with the app token?)`));
      }, timeoutMs);
      this.connectWaiters.push(done);
    });
  }

  /** Sends one envelope to one connection (round robin, as Slack spreads load) and waits for its ack. */
  async deliver(type: EnvelopeType, payload: unknown, acceptsResponsePayload: boolean, o: DeliverOptions = {}): Promise<SocketDelivery> {
    const envelopeId = randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: acceptsResponsePayload,
      ...(type === 'events_api' ? { retry_attempt: o.retryAttempt ?? 0, retry_reason: o.retryReason ?? (o.retryAttempt ? 'timeout' : '') } : {}),
    };
    const ws = this.pickConnection();
    if (!ws) {
      // What a user sees when a Socket Mode app is not connected.
      this.record({ ok: false, error: 'dispatch_failed', args: { kind: 'envelope', ...envelope } });
      throw new Error(`FakeSlack: no Socket Mode connection to deliver ${type} to (Slack shows dispatch_failed)`);
    }
    const timeoutMs = o.ackTimeoutMs ?? SLACK_ACK_TIMEOUT_MS;
    const started = performance.now();
    const acked = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        this.record({ ok: false, error: 'ack_timeout', args: { kind: 'envelope', envelope_id: envelopeId, type } });
        reject(new Error(`FakeSlack: ${type} envelope ${envelopeId} was not acked within ${timeoutMs} ms (Slack would show the user a timeout)`));
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, reject, timer });
    });
    this.record({ ok: true, args: { kind: 'envelope', connection: this.open.get(ws), ...envelope } });
    ws.send(JSON.stringify(envelope));
    const ackPayload = await acked;
    return { envelopeId, ackPayload, elapsedMs: performance.now() - started };
  }

  /** Slack's `disconnect` message: `warning` ahead of a refresh, `refresh_requested` to reconnect now. */
  disconnect(reason: 'warning' | 'refresh_requested' | 'link_disabled'): void {
    const message = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack-applink' } });
    for (const ws of this.open.keys()) ws.send(message);
    this.record({ ok: true, args: { kind: 'disconnect', reason } });
  }

  /** Drops every connection and fails every delivery still waiting for an ack. */
  close(): void {
    clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error(`FakeSlack stopped while envelope ${id} awaited its ack`));
    }
    this.pending.clear();
    for (const ws of this.open.keys()) ws.terminate();
    this.open.clear();
    this.tickets.clear();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.connectionCounter += 1;
    const connection = this.connectionCounter;
    this.open.set(ws, connection);
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(connection, data, isBinary));
    ws.on('close', (code: number) => {
      this.open.delete(ws);
      if (this.open.size === 0) {
        clearInterval(this.pingTimer);
        this.pingTimer = undefined;
      }
      this.record({ ok: true, args: { kind: 'closed', connection, code } });
    });
    ws.on('error', () => ws.terminate());
    const hello = {
      type: 'hello',
      num_connections: this.open.size,
      debug_info: { host: 'fake-slack-applink', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: this.appId },
    };
    ws.send(JSON.stringify(hello));
    this.record({ ok: true, args: { kind: 'hello', connection, num_connections: this.open.size } });
    this.startPinging();
    const waiters = this.connectWaiters;
    this.connectWaiters = [];
    for (const w of waiters) w();
  }

  private onMessage(connection: number, data: RawData, isBinary: boolean): void {
    const text = isBinary ? undefined : rawText(data);
    let parsed: unknown;
    try {
      parsed = text === undefined ? undefined : (JSON.parse(text) as unknown);
    } catch {
      parsed = undefined;
    }
    const ack = SocketAck.safeParse(parsed);
    if (!ack.success) {
      this.record({ ok: false, error: 'invalid_message', args: { kind: 'message', connection, text: text?.slice(0, 500) } });
      return;
    }
    const { envelope_id: envelopeId, payload } = ack.data;
    const pending = this.pending.get(envelopeId);
    this.record({
      ok: pending !== undefined,
      ...(pending ? {} : { error: 'unknown_envelope_id' }),
      args: { kind: 'ack', connection, envelope_id: envelopeId, ...(payload !== undefined ? { payload } : {}) },
    });
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(envelopeId);
    pending.resolve(payload ?? {});
  }

  private pickConnection(): WebSocket | undefined {
    const ready = [...this.open.keys()].filter((ws) => ws.readyState === ws.OPEN);
    if (ready.length === 0) return undefined;
    this.nextConnection = (this.nextConnection + 1) % ready.length;
    return ready[this.nextConnection];
  }

  private startPinging(): void {
    if (this.pingTimer) return;
    this.pingTimer = setInterval(() => {
      for (const ws of this.open.keys()) if (ws.readyState === ws.OPEN) ws.ping(Buffer.from(`ping ${Date.now()}`));
    }, SERVER_PING_INTERVAL_MS);
    // Pinging alone must not keep a test process alive.
    this.pingTimer.unref();
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
