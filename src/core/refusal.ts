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
  /** A value entered for a rotation whose step is not open to this person now. */
  | { code: 'rotation_step'; why: 'not_active' | 'not_requester' | 'not_now' }
  /** Slack did not answer the access check in time: nothing was decided, asking again may work. */
  | { code: 'access_unavailable'; why: string };

export type RefusalCode = Refusal['code'];

/** What a person may ask of the bot (core/policy.ts maps each to an `access` list of the configuration). */
export type PolicyAction = 'release' | 'rotate' | 'request_secret_change' | 'approve_secret_change';
