import type { AlertsConfig } from '../../config/schema.js';

/** What the repository's sync alert message is at (the stored sync_alerts row, reduced). */
export interface SyncAlertState {
  state: 'failing' | 'recovered';
  lastJobId: number;
  failures: number;
  /** False when the row was saved before its message and no ts followed (a crash between the two). */
  posted: boolean;
}

export type SyncAlertAction =
  /** A first failure (or the first since a recovery): a new message. */
  | { kind: 'post' }
  /** Another failure while the alert stands: a reply in its thread. */
  | { kind: 'reply'; failures: number }
  /** A passing sync after failures: the alert is edited to "recovered". */
  | { kind: 'recover' }
  /** `alerts.sync: all`: a passing sync with no alert standing gets a message of its own. */
  | { kind: 'announce_pass' }
  | { kind: 'none'; why: 'off' | 'seen' | 'quiet' };

/**
 * One completed sync job against the alert standing for its repository. A job already
 * handled (the same fact applied again, from a webhook and from polling) changes nothing.
 */
export function decideSyncAlert(o: { level: AlertsConfig['sync']; prev: SyncAlertState | null; jobId: number; failed: boolean }): SyncAlertAction {
  if (o.level === 'off') return { kind: 'none', why: 'off' };
  if (o.prev && o.prev.lastJobId === o.jobId) return { kind: 'none', why: 'seen' };
  // Without a posted message there is no thread to reply in and nothing to edit.
  const standing = o.prev?.state === 'failing' && o.prev.posted;
  if (o.failed) return standing && o.prev ? { kind: 'reply', failures: o.prev.failures + 1 } : { kind: 'post' };
  if (standing) return { kind: 'recover' };
  return o.level === 'all' ? { kind: 'announce_pass' } : { kind: 'none', why: 'quiet' };
}
