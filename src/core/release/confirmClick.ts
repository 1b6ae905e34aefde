/**
 * What a click on a /release confirmation that no longer offers anything should
 * say: the confirmation is replaced by what happened since, so its buttons go.
 * Pure: the listener reads the release and the tag's active releases, this decides.
 */

type Status = 'pending' | 'dispatching' | 'dispatched' | 'succeeded' | 'run_failed' | 'failed' | 'cancelled' | 'expired';

export interface ConfirmRecord {
  id: string;
  tag: string;
  requestedBy: string;
  channel: string;
  status: Status;
  expiresAt: Date;
  decidedAt: Date | null;
  runUrl: string | null;
}

/** Another release of the same tag that holds it now. */
export interface Holder {
  requestedBy: string;
  channel: string;
  pending: boolean;
}

export type VoidConfirmation =
  | { kind: 'unknown' }
  /** Someone other than the requester: told privately, the confirmation left alone. */
  | { kind: 'notYours' }
  | { kind: 'expired'; tag: string; at: Date; holder: Holder | null }
  | { kind: 'cancelled'; tag: string; by: string; at: Date | null; holder: Holder | null }
  /** Confirmed before (dispatching, dispatched or finished); `outcome` once it ended. */
  | {
      kind: 'released';
      tag: string;
      by: string;
      at: Date | null;
      channel: string;
      runUrl: string | null;
      outcome: 'under_way' | 'succeeded' | 'run_failed' | 'not_dispatched';
    };

/**
 * Why a click on this confirmation cannot act. `others`: the tag's active releases
 * (this one included or not); `null` when the release is unknown.
 */
export function voidConfirmation(r: ConfirmRecord | null, user: string, now: Date, others: readonly (Holder & { id: string })[]): VoidConfirmation {
  if (!r) return { kind: 'unknown' };
  if (r.requestedBy !== user) return { kind: 'notYours' };
  const other = others.find((o) => o.id !== r.id);
  const holder = other ? { requestedBy: other.requestedBy, channel: other.channel, pending: other.pending } : null;
  if (r.status === 'expired' || (r.status === 'pending' && r.expiresAt <= now)) return { kind: 'expired', tag: r.tag, at: r.expiresAt, holder };
  if (r.status === 'cancelled') return { kind: 'cancelled', tag: r.tag, by: r.requestedBy, at: r.decidedAt, holder };
  const outcome = r.status === 'succeeded' ? 'succeeded' : r.status === 'run_failed' ? 'run_failed' : r.status === 'failed' ? 'not_dispatched' : 'under_way';
  // `pending` and not expired cannot reach here (the click would have won); it reads as under way.
  return { kind: 'released', tag: r.tag, by: r.requestedBy, at: r.decidedAt, channel: r.channel, runUrl: r.runUrl, outcome };
}
