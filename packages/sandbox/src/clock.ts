/**
 * The sandbox's one clock, read by the fake GitHub (both hosts), the fake Slack and the
 * bot. It runs with the wall clock from an offset that only grows: the tour and the
 * page "hurry" the bot by moving it, and a run the user plays out takes minutes of
 * GitHub time in a few clicks, which the clock catches up with (its floor). So a
 * message's timestamp, "run started at", "Approved … updated …" and "valid until"
 * all come from the same time line.
 */
export class SandboxClock {
  private offsetMs = 0;
  private last = 0;
  private readonly floors: Array<() => number> = [];

  constructor(private readonly wall: () => number = Date.now) {}

  /** A time the clock never runs behind (the fakes' virtual clocks, as they play runs out). */
  addFloor(floor: () => number): void {
    this.floors.push(floor);
  }

  /** Milliseconds since the epoch; never goes back. */
  now(): number {
    const base = this.wall() + this.offsetMs;
    const floor = Math.max(0, ...this.floors.map((f) => f()));
    // Catch up with a floor by moving the offset, so the clock then runs on with the wall clock from there.
    if (floor > base) this.offsetMs += floor - base;
    this.last = Math.max(this.last, this.wall() + this.offsetMs);
    return this.last;
  }

  /** Moves everyone's time forward (what `bot.advance` does in the sandbox). */
  advance(ms: number): void {
    if (ms > 0) this.offsetMs += ms;
  }
}
