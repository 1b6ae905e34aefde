/**
 * Time as the fake reports it. Seeded history is laid out on a virtual clock that
 * starts some hours in the past and only moves forward, so timestamps are plausible
 * and strictly increasing; things the API creates (dispatches, secret updates) are
 * stamped no earlier than the wall clock, so a client that compares them with
 * `Date.now()` finds them where it expects.
 */
export class FakeClock {
  private virtualMs: number;

  /** `wall`: the time outside the fake (the sandbox passes its one clock; default the real one). */
  constructor(
    start?: string | Date,
    private readonly wall: () => number = Date.now,
  ) {
    const s = start === undefined ? this.wall() - 6 * 3600_000 : new Date(start).getTime();
    this.virtualMs = Math.floor(s / 1000) * 1000;
  }

  /** Advances the virtual clock by `seconds` (at least one) and returns the new time. */
  tick(seconds = 1): Date {
    this.virtualMs += Math.max(1, Math.round(seconds)) * 1000;
    return new Date(this.virtualMs);
  }

  /** Catches up with the wall clock (never goes back) and returns the new time. */
  wallNow(): Date {
    const wall = Math.floor(this.wall() / 1000) * 1000;
    this.virtualMs = Math.max(this.virtualMs + 1000, wall);
    return new Date(this.virtualMs);
  }

  /** Moves the clock to `date` if that is later; returns the clock's time. */
  advanceTo(date: string | Date): Date {
    const t = Math.floor(new Date(date).getTime() / 1000) * 1000;
    if (t > this.virtualMs) this.virtualMs = t;
    return new Date(this.virtualMs);
  }

  /** Puts the clock at `date`, even backwards (for laying out history that starts in the past). */
  set(date: string | Date): void {
    this.virtualMs = Math.floor(new Date(date).getTime() / 1000) * 1000;
  }

  peek(): Date {
    return new Date(this.virtualMs);
  }
}

/** GitHub's REST timestamps: second resolution, `Z`. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
