/**
 * Every sentence the bot says outside the big reports, in one place, so wording
 * stays consistent. Builders for Block Kit live in blocks.ts; report layouts in
 * their own files beside this one.
 */

export const USAGE = {
  syncStatus: 'Usage: `/sync-status [repo]`, e.g. `/sync-status` or `/sync-status pywats`',
  release: 'Usage: `/release [repo] <tag>`, e.g. `/release v1.3.0` or `/release pywats v0.1.0b39`',
  rotate: 'Usage: `/rotate [repo] <SECRET>`, e.g. `/rotate GHE_TOKEN`',
  secret: 'Usage: `/secret replace|revoke [repo] <SECRET>`, e.g. `/secret replace GHE_TOKEN`',
} as const;

export type CommandName = keyof typeof USAGE;

export const text = {
  help: (usage: string, repos: string[]) => `${usage}\nConfigured repositories: ${repos.map((r) => `\`${r}\``).join(', ')}.`,
  unknownRepo: (given: string, repos: string[]) => `I don't know a repository called \`${given}\`. Configured: ${repos.map((r) => `\`${r}\``).join(', ')}.`,
  repoRequired: (repos: string[]) => `Several repositories are configured; name one: ${repos.map((r) => `\`${r}\``).join(', ')}.`,
  tooManyArgs: 'That is more than this command takes.',
  credentialTyped:
    ':rotating_light: That looks like a credential. Never type a secret into a message or a command: I did not keep it or repeat it, but treat it as exposed: revoke it, and rotate the secret that holds it (`/rotate <SECRET>`).',
  noSyncConfigured: (repo: string) => `\`${repo}\` has no \`sync\` section in the configuration, so there is nothing to check.`,
  notAvailableYet: (command: string) => `\`${command}\` is not available in this version of the bot yet.`,
  reportExpired: 'That report has expired. Run `/sync-status` again for a fresh one.',
  reportNotYours: 'Only the person who asked for this report can share it.',
  sharedInChannel: (channel: string) => `Shared in <#${channel}>.`,
  staleButton: 'That button belongs to a message I no longer act on (it may be old, or from an earlier version). Nothing was changed. Run the command again.',
  staleView: 'This form is no longer active. Nothing was changed. Run the command again.',
  cannotPostInChannel: 'I can’t post in this channel. Invite me with `/invite @Release ChatOps`, or share from a channel I’m in.',
  internalError: (ref: string) =>
    `Something went wrong on my side (reference \`${ref}\`). Nothing was changed. Please try again; if it persists, give the reference to whoever runs the bot.`,
  githubProblem: (message: string) => `:warning: ${message}`,
} as const;
