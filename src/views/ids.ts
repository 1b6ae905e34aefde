/** callback_ids of the modals the bot opens. */
export const VIEW_IDS = {
  secretValue: 'secret_value',
  rotationOldToken: 'rotation_old_token',
} as const;

export const LIVE_VIEW_CALLBACK_IDS: readonly string[] = Object.values(VIEW_IDS);
