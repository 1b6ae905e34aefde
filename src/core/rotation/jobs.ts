/** Job kinds of /rotate, and how an approval request names the rotation it belongs to. */

/** Applies one event (or just re-renders the message); payload { rotationId, render? }. */
export const ROTATION_TICK = 'rotation.tick';
/** Looks after a rotation that waits on GitHub or an approval, until it no longer does; payload { rotationId }. */
export const ROTATION_WATCH = 'rotation.watch';

export const ROTATION_ORIGIN = 'rotation:';

/** The rotation an approval request belongs to, from its `origin`. */
export function rotationOf(origin: string | null): string | null {
  return origin?.startsWith(ROTATION_ORIGIN) ? origin.slice(ROTATION_ORIGIN.length) : null;
}

/** A tick for a change of an approval request: one per (change, status), so it is never swallowed by a tick already queued. */
export const changeTick = (rotationId: string, changeId: string, status: string) => ({
  kind: ROTATION_TICK,
  payload: { rotationId },
  dedupeKey: `rotation-tick:${rotationId}:${changeId}:${status}`,
});

/** The follow-up job of an approval request's status change: its rotation's tick, if it belongs to one. */
export function rotationTickOf(c: { id: string; origin: string | null; status: string }) {
  const rotationId = rotationOf(c.origin);
  return rotationId ? changeTick(rotationId, c.id, c.status) : null;
}
