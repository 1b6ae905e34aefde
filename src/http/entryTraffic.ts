import type { AppDeps } from '../deps.js';
import { RequestWindow, type Admission, type WindowSummary } from '../core/requestWindow.js';
import type { Logger } from '../log/logger.js';
import { recordAudit } from '../services/audit.js';

/**
 * Requests one address may send to the masked entry page per window. A person needs a
 * view or two and at most five submissions; anyone above this is a script.
 */
export const ENTRY_REQUESTS_PER_WINDOW = 30;
export const ENTRY_WINDOW_MS = 60_000;
/** Distinct addresses counted per window; the rest share one bucket (see RequestWindow). */
const MAX_ADDRESSES = 10_000;

const ACTION = 'page:secret-value';

/**
 * The masked page's unauthenticated traffic: a limit per client address, and the
 * audit of requests that name no valid link (anyone can send those), written as the
 * first one at once and then one summary row per window instead of a row each.
 *
 * The counts live in this replica's memory, which is acceptable for a rate limiter:
 * each replica limits what it serves (N replicas let an address through N times), and
 * a restart forgets at most one window of counts; never the first refusal of a
 * window, which is written at once. The timer only writes the summary early: the next
 * request after the window writes it anyway.
 */
export class EntryTraffic {
  private readonly window = new RequestWindow({ limit: ENTRY_REQUESTS_PER_WINDOW, windowMs: ENTRY_WINDOW_MS, maxAddresses: MAX_ADDRESSES });
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: Pick<AppDeps, 'store' | 'now'>,
    private readonly log: Logger,
  ) {}

  /** Counts a request; false (with the wait) when this address is over its limit. */
  admit(address: string): Admission {
    this.rollOver();
    const admission = this.window.hit(address, this.deps.now().getTime());
    this.armTimer();
    return admission;
  }

  /** A request that named no usable link: written now if it is the window's first, else counted for the summary. */
  async unknownLink(address: string, outcome: string): Promise<void> {
    if (!this.window.note(outcome)) return;
    await recordAudit(this.deps, {
      actor: 'anonymous',
      action: ACTION,
      outcome,
      detail: { address, note: 'later ones in this minute are summed up in one row' },
    });
  }

  private rollOver(): void {
    const summary = this.window.roll(this.deps.now().getTime());
    if (summary) void this.writeSummary(summary);
  }

  private armTimer(): void {
    if (this.timer) return;
    const endsAt = this.window.endsAt;
    if (endsAt === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.rollOver();
        this.armTimer();
      },
      Math.max(50, endsAt - this.deps.now().getTime() + 10),
    );
    this.timer.unref();
  }

  private async writeSummary(s: WindowSummary): Promise<void> {
    // A window with nothing unusual in it (a person viewing and submitting) needs no row.
    const unknown = Object.values(s.outcomes).reduce((a, b) => a + b, 0);
    if (s.limited === 0 && unknown <= 1) return;
    try {
      await recordAudit(this.deps, {
        actor: 'anonymous',
        action: ACTION,
        outcome: 'summary',
        detail: {
          from: s.startedAt.toISOString(),
          to: s.endedAt.toISOString(),
          requests: s.requests,
          rateLimited: s.limited,
          outcomes: s.outcomes,
          addresses: s.addresses,
          top: s.top,
        },
      });
    } catch (e) {
      this.log.warn({ err: e }, 'the masked page traffic summary could not be written');
    }
  }
}
