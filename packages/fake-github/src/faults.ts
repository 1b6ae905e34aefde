import { defaultMessage, docUrl } from './responses.js';
import type { Reply } from './http.js';
import type { Flavor } from './types.js';
import { seededRandom } from './seededRandom.js';

/**
 * Random faults, the way GitHub has them on a bad day: a share of the requests on
 * chosen routes answers 5xx, 429 with `Retry-After`, or 403 for a secondary rate
 * limit (with `retry-after`, or with `x-ratelimit-remaining: 0` and
 * `x-ratelimit-reset`), or is handled and then never answered (a timeout whose write
 * landed). Seeded, so a test sees the same faults on every run; every decision is
 * logged so a test can check what hit and when.
 *
 * API: `fake.setFaults({ seed, rules: [{ method, path, rate, kinds }] })`,
 * `fake.clearFaults()`, `fake.faultLog`.
 */

export type FaultKind =
  /** A 5xx answer; nothing was done. */
  | { kind: 'server-error'; status?: 500 | 502 | 503 | 504 }
  /** 429 with `Retry-After: seconds`; nothing was done. */
  | { kind: 'too-many'; seconds: number }
  /** 403 secondary rate limit with `retry-after: seconds`; nothing was done. */
  | { kind: 'secondary-retry-after'; seconds: number }
  /** 403 secondary rate limit with `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `seconds` ahead; nothing was done. */
  | { kind: 'secondary-reset'; seconds: number }
  /** Handled (a write lands), then the connection is cut without an answer. */
  | { kind: 'drop-after' }
  /** Handled, then answered only after `ms` (later than the caller waits). */
  | { kind: 'delay-after'; ms: number };

export interface FaultRule {
  method?: string;
  /** Tested against the path as received and relative to the API root. */
  path?: RegExp;
  /** Share of matching requests that get a fault, 0..1. */
  rate: number;
  /** One is picked at random for each faulted request. */
  kinds: FaultKind[];
}

export interface FaultPlan {
  seed: number;
  rules: FaultRule[];
}

export interface FaultLogEntry {
  /** Epoch ms when the request came. */
  at: number;
  method: string;
  path: string;
  /** The fault it got, or null: answered normally. */
  fault: FaultKind | null;
}

export class Faults {
  /** Every request a rule matched, with what it got. */
  readonly log: FaultLogEntry[] = [];
  private rules: FaultRule[] = [];
  private random: () => number = seededRandom(1);

  set(plan: FaultPlan): void {
    this.rules = plan.rules;
    this.random = seededRandom(plan.seed);
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if a rule matches and the dice say so. */
  decide(method: string, rawPath: string, apiPath: string): FaultKind | undefined {
    const rule = this.rules.find((r) => (!r.method || r.method.toUpperCase() === method) && (!r.path || r.path.test(rawPath) || r.path.test(apiPath)));
    if (!rule) return undefined;
    const hit = rule.kinds.length > 0 && this.random() < rule.rate;
    const fault = hit ? rule.kinds[Math.floor(this.random() * rule.kinds.length)] : undefined;
    this.log.push({ at: Date.now(), method, path: rawPath, fault: fault ?? null });
    return fault;
  }
}

/** The answer for a fault that comes instead of handling the request; null for the ones that come after it. */
export function faultReply(flavor: Flavor, f: FaultKind): Reply | null {
  const body = (status: number) => ({ message: defaultMessage(status), documentation_url: docUrl(flavor, ''), status: String(status) });
  switch (f.kind) {
    case 'server-error': {
      const status = f.status ?? 502;
      return { status, body: body(status) };
    }
    case 'too-many':
      return { status: 429, body: body(429), headers: { 'retry-after': String(f.seconds) } };
    case 'secondary-retry-after':
      return { status: 403, body: body(403), headers: { 'retry-after': String(f.seconds) } };
    case 'secondary-reset':
      return { status: 403, body: body(403), headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + f.seconds) } };
    case 'drop-after':
    case 'delay-after':
      return null;
  }
}
