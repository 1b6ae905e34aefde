/**
 * Post-ack work waits its turn here, so that acks are never queued behind it.
 *
 * Slack allows 3 s per ack; the work that follows an ack (asking GitHub, rendering,
 * writing the store, posting) has no such limit. Waiters are released one per
 * event-loop turn, in order: between two of them the loop goes back to its poll
 * phase and reads (and acks) whatever requests have arrived. Without this, fifty
 * reports that become ready at the same moment (one shared GitHub answer resolves
 * them all in a single microtask run) would render and write back to back while
 * fifty new acks wait.
 */
const waiting: Array<() => void> = [];
let scheduled = false;

function releaseOne(): void {
  scheduled = false;
  const next = waiting.shift();
  // Scheduled before `next` continues: its microtasks run right after this callback,
  // and this setImmediate, queued during the check phase, lands after the next poll.
  if (waiting.length > 0) schedule();
  next?.();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(releaseOne);
}

/**
 * Call right after `ack()` and again before each burst of CPU work (rendering,
 * store writes) that follows a wait on the network: resolves on a later turn of the
 * event loop, after the requests already waiting have been read and acked.
 */
export function letWaitingAcksGoFirst(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    schedule();
  });
}

/** How many are waiting for their turn (for /metrics and tests). */
export function waitingForTurn(): number {
  return waiting.length;
}
