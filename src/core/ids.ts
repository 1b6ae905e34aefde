/**
 * Every id the bot puts on a Slack surface: button action_ids and modal callback_ids.
 * One module the surfaces (actions/, views/, commands/) and ui/ share, so ui/ never
 * imports a surface folder and a surface never hard-codes an id ui/ renders.
 */

/** Every action_id the bot puts on a button; each has a listener (a test holds the router to it). */
export const ACTION_IDS = {
  shareSyncReport: 'sync_status_share',
  releaseConfirm: 'release_confirm',
  releaseCancel: 'release_cancel',
  secretApprove: 'secret_change_approve',
  secretDeny: 'secret_change_deny',
  secretCancel: 'secret_change_cancel',
  rotationEnter: 'rotation_enter',
  rotationGenerate: 'rotation_generate',
  rotationNext: 'rotation_next',
  rotationCancel: 'rotation_cancel',
  rotationRevokeOld: 'rotation_revoke_old',
  rotationConfirmOld: 'rotation_confirm_old',
  rotationRetryVerify: 'rotation_retry_verify',
  /** "Use a masked page": mints a one-time entry link (needs HTTP mode and PUBLIC_URL). */
  rotationMaskedPage: 'rotation_masked_page',
  /** The link button to that page: Slack still sends the click, which is only acknowledged. */
  rotationMaskedOpen: 'rotation_masked_open',
  /** "Start rotation" on a reminder or a leak warning; value: core/rotation/startRef. */
  rotationStart: 'rotation_start',
  /** The question which deploy key the secret held (one button per write key, and "None of these"); value: `<rotation>:<key id>|none`. */
  rotationPickKey: 'rotation_pick_key',
  /** "Start another rotation": the confirmation after "Start rotation" on a message older than the secret's last value. */
  rotationStartAgain: 'rotation_start_again',
  /** "Release now" on a tag-without-release alert: the `/release` flow for its tag; value: core/events/tagWithoutRelease tagAlertValue. */
  tagAlertRelease: 'tag_alert_release',
} as const;

/** callback_ids of the modals the bot opens. */
export const VIEW_IDS = {
  secretValue: 'secret_value',
  rotationOldToken: 'rotation_old_token',
} as const;

export const LIVE_VIEW_CALLBACK_IDS: readonly string[] = Object.values(VIEW_IDS);
