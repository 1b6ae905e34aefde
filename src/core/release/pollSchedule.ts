import type { ReleasePhase } from './progressState.js';

/**
 * How often a followed release is polled. Most of a release happens in its first
 * minutes, so poll often then and whenever something just changed; a long quiet
 * job (a 20-minute build) backs off to one poll a minute, which keeps a handful of
 * concurrent releases far below GitHub's rate limit. A job waiting for a human
 * reviewer can wait for hours, so it is polled slowly from the start.
 */
export const POLL = {
  /** After a change, and while nothing is known yet. */
  shortSeconds: 5,
  /** Factor applied to the previous interval while nothing changes. */
  growth: 1.5,
  maxSeconds: 60,
  /** While a job waits for a required reviewer. */
  approvalSeconds: 60,
} as const;

/**
 * Seconds until the next poll, or null when the run is over.
 * Unchanged polls grow the interval: 5, 8, 12, 18, 27, 41, 60, 60, …
 */
export function nextPollSeconds(o: { phase: ReleasePhase; changed: boolean; previousSeconds: number | undefined }): number | null {
  if (o.phase === 'completed') return null;
  if (o.phase === 'waiting_approval') return POLL.approvalSeconds;
  if (o.changed || o.previousSeconds === undefined) return POLL.shortSeconds;
  const grown = Math.round(o.previousSeconds * POLL.growth);
  return Math.min(POLL.maxSeconds, Math.max(POLL.shortSeconds, grown));
}
