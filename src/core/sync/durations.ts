/** Time arithmetic on the ISO strings the ports return; unparsable input gives null, never NaN. */

export const DAY_MS = 86_400_000;

function toMs(t: string | Date): number | null {
  const ms = typeof t === 'string' ? Date.parse(t) : t.getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** Milliseconds from `from` to `to`, never negative (clocks of different hosts disagree a little). */
export function msBetween(from: string | Date | null, to: string | Date | null): number | null {
  if (from === null || to === null) return null;
  const a = toMs(from);
  const b = toMs(to);
  if (a === null || b === null) return null;
  return Math.max(0, b - a);
}

/** Whole days elapsed from `from` to `to` (0 on the day itself). */
export function wholeDaysBetween(from: string | Date, to: string | Date): number | null {
  const ms = msBetween(from, to);
  return ms === null ? null : Math.floor(ms / DAY_MS);
}
