/**
 * Which rotation reminders are due: pure, so the timing is tested without a clock.
 *
 * A secret has up to two deadlines: its age limit (`updated_at` + `maxAgeDays`) and the
 * expiry of the token in it (recorded when the bot checked it). The earlier one counts.
 * A reminder goes out when fewer than 30, 7 or 1 days are left, and once more when the
 * deadline has passed. After downtime only the most urgent crossed threshold is sent,
 * never a backlog of stale ones. Each (secret, deadline, threshold) is sent once: the
 * caller keeps what was sent under `reminderKey`.
 */

export const THRESHOLDS = [30, 7, 1] as const;
/** 0: the deadline has passed. */
export type Threshold = (typeof THRESHOLDS)[number] | 0;
export type Basis = 'age' | 'expiry';

export interface SecretDates {
  repo: string;
  secret: string;
  maxAgeDays: number;
  /** The Actions secret's `updated_at`; null when GitHub does not have it (or could not say). */
  updatedAt: Date | null;
  /** Expiry of the token in it, when known. */
  expiresAt: Date | null;
}

export interface DueReminder {
  repo: string;
  secret: string;
  basis: Basis;
  deadline: Date;
  threshold: Threshold;
  /** Days left, counting a started day as a whole one (24.9 → 25); 0 or less once passed. */
  daysLeft: number;
  key: string;
}

const DAY = 86_400_000;

export function deadlineOf(s: SecretDates): { basis: Basis; deadline: Date } | null {
  const age = s.updatedAt ? { basis: 'age' as const, deadline: new Date(s.updatedAt.getTime() + s.maxAgeDays * DAY) } : null;
  const expiry = s.expiresAt ? { basis: 'expiry' as const, deadline: s.expiresAt } : null;
  if (age && expiry) return expiry.deadline.getTime() < age.deadline.getTime() ? expiry : age;
  return age ?? expiry;
}

export function thresholdFor(msLeft: number): Threshold | null {
  if (msLeft <= 0) return 0;
  const days = msLeft / DAY;
  // The smallest threshold not yet passed: 3 days left is the 7-day reminder.
  for (const t of [...THRESHOLDS].reverse()) if (days <= t) return t;
  return null;
}

export const reminderKey = (r: Pick<DueReminder, 'repo' | 'secret' | 'basis' | 'deadline' | 'threshold'>): string =>
  `${r.repo}:${r.secret}:${r.basis}:${r.deadline.toISOString().slice(0, 10)}:${r.threshold}`;

export function dueReminders(secrets: readonly SecretDates[], now: Date): DueReminder[] {
  const due: DueReminder[] = [];
  for (const s of secrets) {
    const d = deadlineOf(s);
    if (!d) continue;
    const left = d.deadline.getTime() - now.getTime();
    const threshold = thresholdFor(left);
    if (threshold === null) continue;
    const r = {
      repo: s.repo,
      secret: s.secret,
      basis: d.basis,
      deadline: d.deadline,
      threshold,
      daysLeft: left > 0 ? Math.ceil(left / DAY) : Math.floor(left / DAY),
    };
    due.push({ ...r, key: reminderKey(r) });
  }
  return due;
}
