/**
 * Whether a token pasted as "the old one" is the value the secret held, decided before
 * anything is revoked. Pure: the service asks GitHub who the token is (GET /user with
 * it) and reads the record; this says what may be done and how to word it.
 */

/** What the bot recorded of the value it last set for the secret (never the value). */
export interface OldValueRecord {
  login?: string | undefined;
  last4?: string | undefined;
  /** core/secrets/tokenDigest: proves a match even once GitHub rejects the token. */
  digest?: string | undefined;
  /** When the bot set it (the secret's updated_at then). */
  setAt: string;
}

export interface PastedToken {
  last4: string;
  /** Whether it is the recorded digest's value; null when the record has no digest. */
  matchesDigest: boolean | null;
  /** GitHub's answer to GET /user with the token. */
  identity: { kind: 'live'; login: string } | { kind: 'rejected' } | { kind: 'unknown' };
  /** Only asked when there is no record: can it push to the secret's target repository (null: not known). */
  canPush: boolean | null;
}

export type OldTokenVerdict =
  /** Revoke it; `record`: it matches the record, or there is none to compare with (the secret was set outside the bot). */
  | { kind: 'revoke'; record: 'matched' | 'unrecorded' }
  /** GitHub rejects it already, and the digest shows it is the recorded value: nothing to revoke, the step is done. */
  | { kind: 'already_dead' }
  /** GitHub rejects it already and nothing shows it is the old value: the step stays open. */
  | { kind: 'cannot_show'; why: 'no_record' | 'no_digest' }
  /** Not the value the secret held: refused, nothing revoked. */
  | { kind: 'not_held'; why: 'digest' | 'last4' | 'login' }
  /** No record, and it cannot push where the secret is used: not a token that did the secret's job. */
  | { kind: 'not_capable' }
  /** GitHub could not be asked who it is: nothing is decided. */
  | { kind: 'unknown' };

export function judgeOldToken(record: OldValueRecord | null, pasted: PastedToken): OldTokenVerdict {
  const id = pasted.identity;
  const rec = record && (record.digest || record.last4 || record.login) ? record : null;
  if (rec) {
    if (rec.digest) {
      if (pasted.matchesDigest !== true) return { kind: 'not_held', why: 'digest' };
      if (id.kind === 'rejected') return { kind: 'already_dead' };
    } else if (rec.last4 && pasted.last4 !== rec.last4) {
      return { kind: 'not_held', why: 'last4' };
    }
    if (id.kind === 'unknown') return { kind: 'unknown' };
    if (id.kind === 'rejected') return { kind: 'cannot_show', why: 'no_digest' };
    if (rec.login && id.login.toLowerCase() !== rec.login.toLowerCase()) return { kind: 'not_held', why: 'login' };
    return { kind: 'revoke', record: 'matched' };
  }
  if (id.kind === 'unknown') return { kind: 'unknown' };
  if (id.kind === 'rejected') return { kind: 'cannot_show', why: 'no_record' };
  if (pasted.canPush === false) return { kind: 'not_capable' };
  return { kind: 'revoke', record: 'unrecorded' };
}
