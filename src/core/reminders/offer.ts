import { reminderKey, type Basis, type DueReminder, type Threshold } from './due.js';

/**
 * What a posted reminder still offers, pure: *Start rotation* while nothing happened
 * since it was posted; "rotation started by …" while one runs; "rotated" or "replaced"
 * for good once the secret was set after it (a later reminder covers the next
 * deadline). A cancelled rotation gives the button back.
 */
export type ReminderOffer =
  | { kind: 'open'; cancelled: { by: string; at: Date } | null }
  | { kind: 'started'; by: string; at: Date }
  | { kind: 'rotated'; by: string; at: Date }
  | { kind: 'replaced'; by: string | null; at: Date; action: 'replace' | 'revoke' };

export interface SecretHistory {
  active: { requestedBy: string; createdAt: Date } | null;
  /** The last rotation that ended (done or cancelled). */
  lastFinished: { status: 'done' | 'cancelled'; requestedBy: string; finishedBy: string | null; finishedAt: Date | null } | null;
  /** The last change of the secret the bot made (replace or revoke), with its approver. */
  lastChange: { action: 'replace' | 'revoke'; decidedBy: string | null; finishedAt: Date | null } | null;
}

/** Terminal offers never change again: the reminder is about a value that is gone. */
export const isSettled = (o: ReminderOffer): boolean => o.kind === 'rotated' || o.kind === 'replaced';

export function reminderOffer(postedAt: Date, h: SecretHistory): ReminderOffer {
  const after = (d: Date | null): d is Date => d !== null && d.getTime() >= postedAt.getTime();
  const rotated = h.lastFinished?.status === 'done' && after(h.lastFinished.finishedAt) ? h.lastFinished : null;
  const changed = h.lastChange && after(h.lastChange.finishedAt) ? h.lastChange : null;
  // A rotation ends after its own write, so when both happened the rotation says more.
  if (rotated?.finishedAt) return { kind: 'rotated', by: rotated.requestedBy, at: rotated.finishedAt };
  if (h.active) return { kind: 'started', by: h.active.requestedBy, at: h.active.createdAt };
  if (changed?.finishedAt) return { kind: 'replaced', by: changed.decidedBy, at: changed.finishedAt, action: changed.action };
  const cancelled = h.lastFinished?.status === 'cancelled' && after(h.lastFinished.finishedAt) ? h.lastFinished : null;
  return { kind: 'open', cancelled: cancelled?.finishedAt ? { by: cancelled.finishedBy ?? cancelled.requestedBy, at: cancelled.finishedAt } : null };
}

/** The same offer renders the same message: one key per distinct rendering. */
export function offerKey(o: ReminderOffer): string {
  switch (o.kind) {
    case 'open':
      return o.cancelled ? `open:cancelled:${o.cancelled.by}:${o.cancelled.at.getTime()}` : 'open';
    case 'started':
    case 'rotated':
      return `${o.kind}:${o.by}:${o.at.getTime()}`;
    case 'replaced':
      return `replaced:${o.action}:${o.by ?? ''}:${o.at.getTime()}`;
  }
}

export const settledKey = (key: string | null): boolean => !!key && (key.startsWith('rotated:') || key.startsWith('replaced:'));

/**
 * A stored reminder's facts. Rows written before they were stored (migration 0008)
 * carry them in the key alone (`repo:SECRET:basis:YYYY-MM-DD:threshold`); days left
 * are then counted from when it was claimed.
 */
export function storedReminder(row: {
  key: string;
  repo: string;
  secret: string;
  claimedAt: Date;
  basis: string | null;
  deadline: Date | null;
  threshold: number | null;
  daysLeft: number | null;
}): DueReminder | null {
  const parts = row.key.split(':');
  const basis = (row.basis ?? parts.at(-3)) as Basis | undefined;
  const deadline = row.deadline ?? (parts.at(-2) ? new Date(`${parts.at(-2)}T00:00:00Z`) : null);
  const threshold = (row.threshold ?? Number(parts.at(-1))) as Threshold;
  if ((basis !== 'age' && basis !== 'expiry') || !deadline || Number.isNaN(deadline.getTime()) || ![0, 1, 7, 30].includes(threshold)) return null;
  const left = deadline.getTime() - row.claimedAt.getTime();
  const daysLeft = row.daysLeft ?? (left > 0 ? Math.ceil(left / 86_400_000) : Math.floor(left / 86_400_000));
  const r = { repo: row.repo, secret: row.secret, basis, deadline, threshold, daysLeft };
  return { ...r, key: row.key || reminderKey(r) };
}

/**
 * Whether the secret was set (by a rotation, or an approved replacement) after a
 * message that offers to rotate it was posted: then that offer is out of date, and a
 * click on it is asked to confirm. Null: nothing set it since.
 */
export function setSince(postedAt: Date, h: SecretHistory): { how: 'rotated' | 'replaced'; by: string | null; at: Date } | null {
  const after = (d: Date | null): d is Date => d !== null && d.getTime() >= postedAt.getTime();
  const rotated =
    h.lastFinished?.status === 'done' && after(h.lastFinished.finishedAt)
      ? { how: 'rotated' as const, by: h.lastFinished.requestedBy, at: h.lastFinished.finishedAt }
      : null;
  const replaced =
    h.lastChange?.action === 'replace' && after(h.lastChange.finishedAt)
      ? { how: 'replaced' as const, by: h.lastChange.decidedBy, at: h.lastChange.finishedAt }
      : null;
  if (rotated && replaced) return rotated.at.getTime() >= replaced.at.getTime() ? rotated : replaced;
  return rotated ?? replaced;
}
