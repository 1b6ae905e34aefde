/**
 * Counts requests per client address in fixed windows: how many one address may
 * make, and what happened in a window, for one summary instead of one record per
 * request. Pure: the caller passes the time and writes what comes back.
 */

export interface WindowSummary {
  startedAt: Date;
  endedAt: Date;
  /** Every request counted in the window. */
  requests: number;
  /** Requests refused for going over the per-address limit. */
  limited: number;
  /** Outcomes noted in the window (e.g. unknown links), by name. */
  outcomes: Record<string, number>;
  /** Distinct addresses seen (those past `maxAddresses` are counted together as one). */
  addresses: number;
  /** The busiest addresses, most requests first. */
  top: Array<{ address: string; requests: number }>;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Addresses past the cap share this bucket, so spraying addresses does not get around the limit or grow memory. */
export const OVERFLOW_ADDRESS = '(other addresses)';

export class RequestWindow {
  private start: number | null = null;
  private readonly perAddress = new Map<string, number>();
  private readonly outcomes = new Map<string, number>();
  private requests = 0;
  private limited = 0;
  private firstNoted = false;

  constructor(private readonly o: { limit: number; windowMs: number; maxAddresses: number; top?: number }) {}

  /** When the current window ends (null: none open). */
  get endsAt(): number | null {
    return this.start === null ? null : this.start + this.o.windowMs;
  }

  /** Closes the window if it is over: its summary when it counted anything. */
  roll(nowMs: number): WindowSummary | null {
    if (this.start === null || nowMs < this.start + this.o.windowMs) return null;
    const summary = this.summary(this.start + this.o.windowMs);
    this.start = null;
    this.perAddress.clear();
    this.outcomes.clear();
    this.requests = 0;
    this.limited = 0;
    this.firstNoted = false;
    return summary;
  }

  /** Counts a request from `address` (call roll first): allowed while the address is within its limit. */
  hit(address: string, nowMs: number): Admission {
    this.start ??= nowMs;
    const key = this.perAddress.has(address) || this.perAddress.size < this.o.maxAddresses ? address : OVERFLOW_ADDRESS;
    const n = (this.perAddress.get(key) ?? 0) + 1;
    this.perAddress.set(key, n);
    this.requests++;
    if (n <= this.o.limit) return { allowed: true };
    this.limited++;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.start + this.o.windowMs - nowMs) / 1000)) };
  }

  /** Notes an outcome; true for the first outcome noted in this window (worth recording at once, before any summary). */
  note(outcome: string): boolean {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (this.firstNoted) return false;
    this.firstNoted = true;
    return true;
  }

  private summary(endMs: number): WindowSummary | null {
    if (this.start === null || this.requests === 0) return null;
    return {
      startedAt: new Date(this.start),
      endedAt: new Date(endMs),
      requests: this.requests,
      limited: this.limited,
      outcomes: Object.fromEntries(this.outcomes),
      addresses: this.perAddress.size,
      top: [...this.perAddress]
        .sort((a, b) => b[1] - a[1])
        .slice(0, this.o.top ?? 5)
        .map(([address, requests]) => ({ address, requests })),
    };
  }
}

/**
 * The client's address: the socket's peer, or, when that peer is a proxy on a private
 * or loopback address, the last address in X-Forwarded-For (the one that proxy added;
 * a client can only prepend to the header, so it cannot pick its own bucket).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
  const socket = (peer ?? '').replace(/^::ffff:/, '') || 'unknown';
  if (!isPrivateAddress(socket)) return socket;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const last = header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
  return last && /^[0-9A-Fa-f:.]{2,45}$/.test(last) ? last.replace(/^::ffff:/, '') : socket;
}

function isPrivateAddress(a: string): boolean {
  if (a === '::1' || a === 'unknown') return true;
  const m = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(a);
  if (m) {
    const [x, y] = [Number(m[1]), Number(m[2])];
    return x === 10 || x === 127 || (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) || (x === 169 && y === 254);
  }
  return /^(fc|fd|fe80)/i.test(a);
}
