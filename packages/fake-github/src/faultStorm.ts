import type { FailureInjection } from './pipeline.js';
import { seededRandom } from './seededRandom.js';

/** The faults GitHub's API is known to answer with under load. */
export type StormFaultKind = '5xx' | '429' | 'secondary-403' | 'secondary-403-reset';

export interface FaultStormOptions {
  /** Share of matching requests that fail, 0..1. */
  rate: number;
  /** Seed of the random draws: the same seed and the same order of requests give the same faults. */
  seed: number;
  /** Default: all. */
  kinds?: StormFaultKind[];
  /** Only requests that match (default: every request but the log blobs). */
  match?: { method?: string; path?: RegExp };
  /**
   * Of the 5xx answers to writes (POST, PUT, PATCH, DELETE), the share that GitHub
   * had already acted on: its backend did the work and the gateway answered 502/504
   * anyway. Default 0.5. Reads are answered before anything happens either way.
   */
  appliedShare?: number;
  /** What rate-limit answers ask to wait (seconds). Default 1. */
  retryAfterSeconds?: number;
}

const SECONDARY_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';

/**
 * A share of requests answered as GitHub does when it is overloaded: 500/502/503/504
 * (on a write, sometimes after acting on it), 429 and 403 secondary rate limits that
 * say when to come back in `retry-after`, or only in `x-ratelimit-reset` with
 * `x-ratelimit-remaining: 0`.
 */
export class FaultStorm {
  readonly counts: Record<StormFaultKind, number> = { '5xx': 0, '429': 0, 'secondary-403': 0, 'secondary-403-reset': 0 };
  private readonly next: () => number;
  private readonly kinds: StormFaultKind[];

  constructor(private readonly o: FaultStormOptions) {
    this.next = seededRandom(o.seed);
    this.kinds = o.kinds?.length ? o.kinds : ['5xx', '429', 'secondary-403', 'secondary-403-reset'];
  }

  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }

  /** The fault for this request, if it gets one. */
  draw(method: string, rawPath: string, apiPath: string): (FailureInjection & { kind: StormFaultKind }) | undefined {
    const m = this.o.match;
    if (m && ((m.method && m.method.toUpperCase() !== method) || (m.path && !m.path.test(rawPath) && !m.path.test(apiPath)))) return undefined;
    if (this.next() >= this.o.rate) return undefined;
    const kind = this.kinds[Math.floor(this.next() * this.kinds.length)] ?? '5xx';
    this.counts[kind] += 1;
    const wait = this.o.retryAfterSeconds ?? 1;
    switch (kind) {
      case '5xx': {
        const status = [500, 502, 503, 504][Math.floor(this.next() * 4)] ?? 502;
        const write = method !== 'GET' && method !== 'HEAD';
        const applied = write && this.next() < (this.o.appliedShare ?? 0.5);
        return {
          kind,
          status,
          afterHandling: applied,
          body: {
            message:
              status === 503
                ? 'Service Unavailable'
                : status === 504
                  ? 'We couldn\u2019t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.'
                  : 'Server Error',
          },
        };
      }
      case '429':
        return {
          kind,
          status: 429,
          headers: { 'retry-after': String(wait) },
          body: {
            message: SECONDARY_LIMIT,
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '429',
          },
        };
      case 'secondary-403':
        return {
          kind,
          status: 403,
          headers: { 'retry-after': String(wait) },
          body: {
            message: SECONDARY_LIMIT,
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '403',
          },
        };
      case 'secondary-403-reset':
        return {
          kind,
          status: 403,
          headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + wait) },
          body: {
            message: SECONDARY_LIMIT,
            documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
            status: '403',
          },
        };
    }
  }
}
