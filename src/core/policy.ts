import type { AccessConfig } from '../config/schema.js';
import type { Rotation } from './rotation/state.js';
import type { PolicyAction, Refusal } from './refusal.js';

/**
 * Who may do what to which repo and secret, and why not: the pure rules. The lookups they
 * need (group members, the open request, the active rotation) are made by services/policy.ts,
 * which is what listeners and services call.
 */

/** The configured user and user-group ids that may take an action. */
export function principalsFor(action: PolicyAction, access: AccessConfig): readonly string[] {
  switch (action) {
    case 'release':
    case 'rotate':
    case 'request_secret_change':
      return access.release;
    case 'approve_secret_change':
      return access.approve;
  }
}

/** What is going on with a secret when someone asks to change it. */
export interface SecretActivity {
  /** Whether a rotation of this secret is running. */
  rotationActive: boolean;
  /** Whether a `/secret` request for it is open (pending or approved, not yet expired). */
  openChange: boolean;
}

/**
 * Why this secret may not change now, or null. `via` is how the change is asked for:
 * a `/secret` request (`request`), a new value entered for the rotation `rotation` by
 * `user` (`rotation_value`), or the start of a rotation (`rotation_start`; a second rotation
 * is refused by the store, which keeps one per secret).
 */
export type ChangeVia =
  | { kind: 'request' }
  | { kind: 'rotation_value'; rotation: Pick<Rotation, 'status' | 'requestedBy'> | null; user: string; enterOpen: boolean }
  | { kind: 'rotation_start' };

export type ChangeBlock = Extract<Refusal, { code: 'change_busy' | 'rotation_busy' | 'rotation_step' }>;

export function secretChangeBlock(secret: string, via: ChangeVia, now: SecretActivity): ChangeBlock | null {
  if (via.kind === 'rotation_value') {
    const r = via.rotation;
    if (!r || r.status !== 'active') return { code: 'rotation_step', why: 'not_active' };
    if (r.requestedBy !== via.user) return { code: 'rotation_step', why: 'not_requester' };
    if (!via.enterOpen) return { code: 'rotation_step', why: 'not_now' };
  } else if (via.kind === 'request' && now.rotationActive) {
    return { code: 'rotation_busy', secret };
  }
  if (now.openChange) return { code: 'change_busy', secret, asking: via.kind === 'rotation_start' ? 'rotation' : 'change' };
  return null;
}
