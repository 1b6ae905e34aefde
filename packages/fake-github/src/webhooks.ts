import { createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isoSeconds } from './clock.js';
import { seededRandom } from './seededRandom.js';
import type { GitHubState, RepoRec, StateChange } from './state.js';
import { payloadOf, pingPayload, type HookView } from './webhookPayloads.js';

/**
 * Repository webhooks as GitHub delivers them: each change of the world a hook
 * subscribed to is POSTed as JSON to its URL, signed with its secret
 * (X-Hub-Signature-256), under a new delivery id (X-GitHub-Delivery); a new hook is
 * pinged. Deliveries of one hook go out one after another, in the order of the
 * changes. The recent ones are kept (status code, duration), and one can be
 * redelivered: the same body under the same delivery id, as GitHub's "Redeliver" does.
 *
 * The switch models what GitHub and the network do to deliveries: `off` sends nothing
 * (a hook that never reaches the bot), `drop` loses a share of them (seeded, so a test
 * sees the same ones lost every time; a lost one is kept as failed, for redelivery),
 * `delay` holds each one back. GitHub never retries a failed delivery by itself; nor
 * does this.
 */

export const HOOK_EVENTS = ['workflow_run', 'workflow_job', 'push', 'create'] as const;

export type DeliveryMode = { mode: 'on' } | { mode: 'off' } | { mode: 'drop'; fraction: number; seed?: number } | { mode: 'delay'; ms: number };

export interface HookOptions {
  url: string;
  secret: string;
  /** Events to deliver (default: HOOK_EVENTS); `*` for all. `ping` is always sent when the hook is made. */
  events?: string[];
}

export interface Delivery {
  /** GitHub's numeric id of this attempt (a redelivery gets a new one). */
  id: number;
  /** X-GitHub-Delivery: the same for a delivery and its redeliveries. */
  guid: string;
  hookId: number;
  event: string;
  action: string | null;
  redelivery: boolean;
  deliveredAt: string;
  /** The answer's status; 0 when none came (lost, refused, timed out); null while under way. */
  statusCode: number | null;
  /** 'OK', or why it failed. */
  status: string;
  durationMs: number | null;
  /** Lost on the way by the `drop` switch: the receiver never saw it. */
  dropped: boolean;
  body: string;
}

interface Hook extends HookView {
  repoKey: string;
  secret: string;
  tail: Promise<void>;
}

const KEEP = 500;
const TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export const signBody = (secret: string, body: string, algo: 'sha256' | 'sha1' = 'sha256'): string =>
  `${algo}=${createHmac(algo, secret).update(body).digest('hex')}`;

export class WebhookSender {
  private readonly hooks: Hook[] = [];
  private readonly list: Delivery[] = [];
  private modeNow: DeliveryMode = { mode: 'on' };
  private draw: () => number = Math.random;
  private nextHookId = 480_000_001;
  private nextDeliveryId = 9_100_000_001;
  private closed = false;
  /** Hookshot's version, as its User-Agent shows it. */
  private readonly agent = `GitHub-Hookshot/${randomUUID().slice(0, 7)}`;

  constructor(private readonly state: GitHubState) {
    state.changeListeners.push((c) => this.onChange(c));
  }

  /** A repository webhook (JSON, with a secret), pinged at once; returns its id. */
  addHook(fullName: string, o: HookOptions): number {
    const repo = this.state.repo(fullName);
    const now = this.now();
    const hook: Hook = {
      id: this.nextHookId++,
      url: o.url,
      events: o.events ?? [...HOOK_EVENTS],
      active: true,
      createdAt: now,
      updatedAt: now,
      repoKey: fullName.toLowerCase(),
      secret: o.secret,
      tail: Promise.resolve(),
    };
    this.hooks.push(hook);
    this.enqueue(hook, 'ping', null, JSON.stringify(pingPayload(this.state, repo, hook)));
    return hook.id;
  }

  removeHook(id: number): void {
    const i = this.hooks.findIndex((h) => h.id === id);
    if (i >= 0) this.hooks.splice(i, 1);
  }

  /** on / off / drop a share (seeded) / delay each. */
  setMode(m: DeliveryMode): void {
    if (m.mode === 'drop' && !(m.fraction >= 0 && m.fraction <= 1)) throw new Error(`fake GitHub: drop fraction must be within 0..1, got ${m.fraction}`);
    if (m.mode === 'delay' && !(m.ms >= 0)) throw new Error(`fake GitHub: delay must be at least 0 ms, got ${m.ms}`);
    this.modeNow = m;
    if (m.mode === 'drop') this.draw = seededRandom(m.seed ?? 1);
  }

  get mode(): DeliveryMode {
    return this.modeNow;
  }

  /** The recent deliveries, oldest first (the newest KEEP). */
  deliveries(): readonly Delivery[] {
    return this.list;
  }

  /** Sends a delivery again, as it was: same body, same X-GitHub-Delivery, a new attempt id. Explicit, so the switch does not lose it. */
  redeliver(id: number): Promise<Delivery> {
    const before = this.list.find((d) => d.id === id);
    if (!before) throw new Error(`fake GitHub: no delivery ${id} among the recent ones`);
    const hook = this.hooks.find((h) => h.id === before.hookId);
    if (!hook) throw new Error(`fake GitHub: the hook of delivery ${id} is gone`);
    const d = this.record(hook, before.event, before.action, before.body, { guid: before.guid, redelivery: true });
    return this.chain(hook, d, false).then(() => d);
  }

  /** Resolves once every delivery queued so far has been answered (or has failed). */
  async settled(): Promise<void> {
    // Until no delivery was queued meanwhile (the list is capped, so its ids tell, not its length).
    for (let n = -1; n !== this.nextDeliveryId;) {
      n = this.nextDeliveryId;
      await Promise.all(this.hooks.map((h) => h.tail));
    }
  }

  /** Nothing more goes out (the fake is stopping); `open` undoes it when it starts again. */
  close(): void {
    this.closed = true;
  }

  open(): void {
    this.closed = false;
  }

  /** Read without moving the fake's clock (wallNow would: deliveries must not change the times the API reports). */
  private now(): string {
    return isoSeconds(new Date(Math.max(Date.now(), this.state.clock.peek().getTime())));
  }

  private onChange(c: StateChange): void {
    const hooks = this.hooks.filter((h) => h.active && h.repoKey === c.repo.fullName.toLowerCase());
    if (!hooks.length || this.closed) return;
    const subscribed = (h: Hook, event: string) => h.events.includes(event) || h.events.includes('*');
    const wanted = new Set(c.kind === 'tag' ? ['push', 'create'] : [c.kind]);
    if (!hooks.some((h) => [...wanted].some((e) => subscribed(h, e)))) return;
    // Serialized now: the payload is the world at the change, not when the delivery leaves.
    for (const p of payloadOf(this.state, c)) {
      const body = JSON.stringify(p.body);
      for (const h of hooks) if (subscribed(h, p.event)) this.enqueue(h, p.event, p.action ?? null, body);
    }
  }

  private enqueue(hook: Hook, event: string, action: string | null, body: string): void {
    if (this.closed || this.modeNow.mode === 'off') return;
    const d = this.record(hook, event, action, body, { guid: randomUUID(), redelivery: false });
    const dropped = this.modeNow.mode === 'drop' && this.draw() < this.modeNow.fraction;
    void this.chain(hook, d, dropped);
  }

  private record(hook: Hook, event: string, action: string | null, body: string, o: { guid: string; redelivery: boolean }): Delivery {
    const d: Delivery = {
      id: this.nextDeliveryId++,
      guid: o.guid,
      hookId: hook.id,
      event,
      action,
      redelivery: o.redelivery,
      deliveredAt: this.now(),
      statusCode: null,
      status: 'pending',
      durationMs: null,
      dropped: false,
      body,
    };
    this.list.push(d);
    if (this.list.length > KEEP) this.list.splice(0, this.list.length - KEEP);
    return d;
  }

  /** After the hook's earlier deliveries: wait out a delay, then send (or lose) this one. */
  private chain(hook: Hook, d: Delivery, dropped: boolean): Promise<void> {
    const delayMs = this.modeNow.mode === 'delay' ? this.modeNow.ms : 0;
    const due = Date.now() + delayMs;
    hook.tail = hook.tail.then(async () => {
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      if (dropped) {
        Object.assign(d, { statusCode: 0, status: 'lost on the way (deliveries: drop)', durationMs: 0, dropped: true });
        return;
      }
      await this.send(hook, d);
    });
    return hook.tail;
  }

  private async send(hook: Hook, d: Delivery): Promise<void> {
    const repo: RepoRec | undefined = this.state.repos.get(hook.repoKey);
    const t0 = performance.now();
    const headers = {
      accept: '*/*',
      'content-type': 'application/json',
      'user-agent': this.agent,
      'x-github-event': d.event,
      'x-github-delivery': d.guid,
      'x-github-hook-id': String(hook.id),
      'x-github-hook-installation-target-type': 'repository',
      'x-github-hook-installation-target-id': String(repo?.id ?? 0),
      'x-hub-signature': signBody(hook.secret, d.body, 'sha1'),
      'x-hub-signature-256': signBody(hook.secret, d.body),
    };
    try {
      const status = await post(hook.url, headers, d.body);
      Object.assign(d, { statusCode: status, status: status >= 200 && status < 300 ? 'OK' : `Invalid HTTP Response: ${status}` });
    } catch (e) {
      Object.assign(d, { statusCode: 0, status: `We couldn't deliver this payload: ${e instanceof Error ? e.message : String(e)}` });
    }
    d.durationMs = performance.now() - t0;
  }
}

/**
 * One POST on a connection of its own, as Hookshot makes them: no connection kept
 * alive between deliveries (one the receiver closed while idle would lose the next).
 */
function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      { method: 'POST', agent: false, headers: { ...headers, connection: 'close', 'content-length': String(Buffer.byteLength(body)) }, timeout: TIMEOUT_MS },
      (res) => {
        // GitHub keeps a little of the answer; the fake only reads it to the end.
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}
