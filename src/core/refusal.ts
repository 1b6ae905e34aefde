import type { OldValueRecord } from './rotation/oldToken.js';
import type { Rotation } from './rotation/state.js';

/**
 * Why the bot will not do something, as data: a code and what ui/ needs to word it
 * (ui/refusal.ts). The core and the services return these; only ui/ turns them into
 * sentences, so a decision can be tested without its wording and reworded without
 * touching a decision.
 */
export type Refusal =
  // Command arguments (core/commandArgs.ts, core/secrets/command.ts).
  | { code: 'too_many_args' }
  | { code: 'args_missing' }
  | { code: 'unknown_repo'; given: string; repos: string[] }
  | { code: 'repo_required'; repos: string[] }
  | { code: 'secret_verb_missing' }
  | { code: 'secret_name_missing'; repo: string; configured: string[] }
  | { code: 'unknown_secret'; given: string; repo: string; configured: string[] }
  // Access (core/policy.ts): `principals` are the configured user and user-group ids allowed to.
  | { code: 'not_allowed'; action: PolicyAction; repo: string; principals: string[] }
  // May this secret change now? (core/policy.ts). `asking`: what was asked for while a request is open.
  | { code: 'change_busy'; secret: string; asking: 'change' | 'rotation' }
  | { code: 'rotation_busy'; secret: string }
  /**
   * A rotation step not open to this person now: a value entered for it, or a step the state
   * machine (core/rotation/decide.ts) refused.
   */
  | { code: 'rotation_step'; why: 'not_active' | 'not_requester' | 'not_now' | 'already' | 'applying' }
  // A rotation's button (actions/rotationClick.ts): the rotation it names, and who may click it.
  | { code: 'rotation_unknown' }
  | { code: 'rotation_over'; rotation: Rotation }
  | { code: 'rotation_not_requester'; requestedBy: string }
  | { code: 'rotation_not_requester_or_approver'; requestedBy: string; approvers: readonly string[] }
  /** A clicked step the state machine refused, told by what happened since (`rotation` as it is now; null: gone). */
  | { code: 'rotation_click_void'; rotation: Rotation | null; reason: 'not_active' | 'not_now' | 'already' | 'applying' }
  // The old deploy key the requester picked (services/rotationOldKey.ts).
  | { code: 'old_key_gone' }
  | { code: 'old_key_is_new' }
  // The old token pasted (services/rotationOldToken.ts), not shown to be the value the secret held, so not revoked.
  // `record`: what the bot recorded of the value it set; `pasted`: whose the token is (when known) and its last four.
  | { code: 'old_token_not_held'; secret: string; record: OldTokenRecord | null; pasted: PastedTokenFacts }
  | { code: 'old_token_not_capable'; secret: string; pasted: PastedTokenFacts; target: string }
  | { code: 'old_token_cannot_show'; secret: string; why: 'no_record' | 'no_digest'; record: OldTokenRecord | null }
  // A deploy key to generate for a repository without a mirror to add it to (services/rotationKey.ts).
  | { code: 'deploy_key_no_mirror' }
  // A revoke of a secret GitHub does not have (services/secretRevoke.ts).
  | { code: 'revoke_nothing'; secret: string; repo: string }
  /** Slack did not answer the access check in time: nothing was decided, asking again may work. */
  | { code: 'access_unavailable'; why: string }
  | ReleaseRefusal;

/** Why a release cannot start now (core/release/preflight.ts), in the order the checks run. */
export type ReleaseRefusal =
  | { code: 'release_tag_missing'; tag: string; repo: string; latestTags: string[] }
  | { code: 'release_workflow_missing'; workflow: string; repo: string }
  | { code: 'release_workflow_disabled'; path: string; state: string; htmlUrl: string }
  /** The workflow's `on:` has no workflow_dispatch trigger. */
  | { code: 'release_workflow_no_dispatch'; path: string }
  | { code: 'release_workflow_not_on_default'; path: string }
  | { code: 'release_run_live'; path: string; tag: string; status: string; htmlUrl: string }
  | { code: 'release_done'; tag: string; htmlUrl: string }
  /** A release of the tag is waiting for confirmation or under way. */
  | { code: 'release_pending'; tag: string };

export type RefusalCode = Refusal['code'];

/** What a refusal of an old token may say of the value the bot set (never its digest). */
export type OldTokenRecord = Pick<OldValueRecord, 'login' | 'last4' | 'setAt'>;
export interface PastedTokenFacts {
  login: string | null;
  last4: string;
}

/** What a person may ask of the bot (core/policy.ts maps each to an `access` list of the configuration). */
export type PolicyAction = 'release' | 'rotate' | 'request_secret_change' | 'approve_secret_change';
