/** What a person is told while the bot checks its credentials at start-up (see src/http/startingGate.ts). */
export const startupText = {
  /** The private answer to a slash command that arrives before the bot serves. Says nothing of why. */
  slashCommand: 'Release ChatOps is starting and cannot act yet. Nothing was done; please try again in a minute.',
  /** The body of the 503 that other Slack requests (events, interactions) get meanwhile. */
  other: 'starting: not serving Slack requests yet',
  /** The masked entry page meanwhile: nothing was read or used. */
  entryPage: 'Release ChatOps is starting. Nothing was read or used; reload this page in a minute (the link works until it expires).',
} as const;
