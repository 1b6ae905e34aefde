/** callback_ids of the modals the bot opens (none yet: the secret modal comes with /secret). */
export const LIVE_VIEW_CALLBACK_IDS: readonly string[] = [];
