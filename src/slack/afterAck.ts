/**
 * Call right after `ack()`, before slow work: lets the event loop read and ack the
 * requests already waiting first, so a burst of commands is acked before any of
 * them is worked on (Slack allows 3 s per ack).
 */
export function letWaitingAcksGoFirst(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
