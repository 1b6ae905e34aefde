import { z } from 'zod';

/**
 * The YAML configuration file, exactly as docs/CONTRACT.md describes it, plus the
 * README's extensions (`verify`, `approvals`, `reminders`). Every object is strict: an
 * unknown key (a typo such as `chanel`) is an error, not silently dropped. Each field
 * carries a short description (`.describe()`), read by problems.ts to say in plain words
 * what is missing or wrong, e.g. "`repos[0].sync.job` is missing: the job id or name of
 * the sync job".
 */

const ownerRepo = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, 'must be "owner/name"')
    .describe(what);

// One check, so that a bad URL is one problem (a `.url()` and a `.refine()` each reported it).
const httpUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://ghe.example.com/api/v3' })
    .transform((u) => u.replace(/\/+$/, ''))
    .describe(what);

const envName = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .describe(what);

/** Slack user IDs (U…/W…) or user-group IDs (S…). */
export const SlackPrincipal = z
  .string()
  .regex(/^[UWS][A-Z0-9]{2,}$/, 'must be a Slack user ID (U…/W…) or user-group ID (S…)')
  .describe('a Slack user ID (U…/W…) or user-group ID (S…)');
export type SlackPrincipal = z.infer<typeof SlackPrincipal>;

export const SecretKind = z.enum(['classic-pat', 'fine-grained-pat', 'deploy-key']).describe('the kind of credential the secret holds');
export type SecretKind = z.infer<typeof SecretKind>;

const workflowRef = (what: string) => z.union([z.string().min(1), z.number().int().positive()]).describe(what);
const dispatchInputs = z.record(z.string(), z.string()).default({}).describe('workflow_dispatch inputs, name: value');

/** How /rotate tests a new secret: dispatch this workflow (default: re-run the last sync job, when it uses the secret). */
export const VerifyConfig = z
  .strictObject({
    workflow: workflowRef('the workflow (file name or numeric id) that tests the new secret'),
    /** Branch or tag to run it on; default: the repository's default branch. */
    ref: z.string().min(1).optional().describe('the branch or tag to run the verification on'),
    inputs: dispatchInputs,
  })
  .describe('how /rotate tests a new secret');
export type VerifyConfig = z.infer<typeof VerifyConfig>;

export const SecretConfig = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid Actions secret name')
      .describe('the name of the Actions secret on the GitHub repository'),
    kind: SecretKind,
    host: httpUrl('where the credential is created and used').default('https://github.com'),
    scopes: z.array(z.string().min(1).describe('a scope name')).default([]).describe('the scopes a new classic token must have'),
    maxAgeDays: z.number().int().positive().default(365).describe('the age in days after which the secret is due for rotation'),
    verify: VerifyConfig.optional(),
  })
  .describe('an Actions secret the bot manages');
export type SecretConfig = z.infer<typeof SecretConfig>;

export const MirrorConfig = z
  .strictObject({
    apiUrl: httpUrl('the REST API URL of the GHE host (e.g. https://ghe.example.com/api/v3)'),
    repo: ownerRepo('the mirror repository, "owner/name" on the GHE host'),
    tokenEnv: envName("the environment variable holding the bot's credential on the GHE host"),
  })
  .describe('the GitHub Enterprise mirror the sync job pushes to');
export type MirrorConfig = z.infer<typeof MirrorConfig>;

export const ReleaseConfig = z
  .strictObject({
    workflow: workflowRef('the release workflow (file name or numeric id) that /release dispatches'),
    inputs: dispatchInputs,
  })
  .describe('how /release starts a release');
export type ReleaseConfig = z.infer<typeof ReleaseConfig>;

export const SyncConfig = z
  .strictObject({
    workflow: workflowRef('the workflow (file name or numeric id) that runs the sync job'),
    job: z.string().min(1).describe('the job id or name of the sync job'),
    mirror: MirrorConfig,
  })
  .describe('the job that mirrors the repository to GitHub Enterprise');
export type SyncConfig = z.infer<typeof SyncConfig>;

const alertLevel = (what: string) => z.enum(['failures', 'all', 'off']).default('failures').describe(what);

/** What the bot posts in `channel` on its own (CONTRACT.md). */
export const AlertsConfig = z
  .strictObject({
    sync: alertLevel('which sync-to-GHE job results are posted'),
    release: alertLevel('which release runs not started from the bot are posted'),
    tagWithoutRelease: z.number().int().min(0).default(15).describe('minutes after a release tag appears with no release run for it (0 = off)'),
  })
  .describe("what the bot posts in the repository's channel on its own");
export type AlertsConfig = z.infer<typeof AlertsConfig>;

export const RepoConfig = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a short name without spaces')
      .optional()
      .describe('the short name commands use for this repository'),
    github: ownerRepo('the repository, "owner/name" on GITHUB_API_URL'),
    channel: z
      .string()
      .regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel ID (C…)')
      .optional()
      .describe("the Slack channel ID (C…) for this repository's alerts and threads"),
    release: ReleaseConfig.optional(),
    sync: SyncConfig.optional(),
    secrets: z.array(SecretConfig).default([]).describe('the Actions secrets the bot manages'),
    alerts: AlertsConfig.optional(),
  })
  .describe('a repository the bot serves');
export type RepoConfig = z.infer<typeof RepoConfig>;

export const AccessConfig = z
  .strictObject({
    release: z.array(SlackPrincipal).default([]).describe('who may release and request secret changes'),
    approve: z.array(SlackPrincipal).default([]).describe('who may approve a secret change'),
  })
  .describe('who may do what');
export type AccessConfig = z.infer<typeof AccessConfig>;

export const ApprovalsConfig = z
  .strictObject({
    /** A secret change not decided within this time is void (its ciphertext deleted). */
    expiresMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 24 * 60)
      .default(60)
      .describe('minutes after which an undecided secret change is void'),
  })
  .describe('how long a secret change waits for approval');
export type ApprovalsConfig = z.infer<typeof ApprovalsConfig>;

export const RemindersConfig = z
  .strictObject({
    /** Daily reminders in each repo's channel 30, 7 and 1 days before a secret's age limit or token expiry. */
    enabled: z.boolean().default(true).describe('whether daily rotation reminders are posted'),
    /** Hour of day (UTC) of the daily check; it also runs at every start. */
    hourUtc: z.number().int().min(0).max(23).default(9).describe('the hour (UTC) of the daily reminder check'),
  })
  .describe('rotation reminders');
export type RemindersConfig = z.infer<typeof RemindersConfig>;

/** How the bot learns what happens on GitHub (CONTRACT.md). */
export const EventsConfig = z
  .strictObject({
    pollSeconds: z.number().int().positive().default(60).describe('the polling interval in seconds when no webhook reaches the bot'),
    reconcileSeconds: z.number().int().positive().default(600).describe('how often, in seconds, polling checks that no webhook was missed'),
  })
  .describe('how the bot learns what happens on GitHub');
export type EventsConfig = z.infer<typeof EventsConfig>;

export const FileConfig = z
  .strictObject({
    repos: z.array(RepoConfig).min(1, 'must list at least one repository').describe('the repositories the bot serves'),
    access: AccessConfig.default({ release: [], approve: [] }),
    approvals: ApprovalsConfig.default({ expiresMinutes: 60 }),
    reminders: RemindersConfig.default({ enabled: true, hourUtc: 9 }),
    events: EventsConfig.default({ pollSeconds: 60, reconcileSeconds: 600 }),
  })
  .superRefine((cfg, ctx) => {
    // Short names must be unique, and required as soon as there is more than one repo.
    const seen = new Map<string, number>();
    cfg.repos.forEach((repo, i) => {
      if (cfg.repos.length > 1 && !repo.name) {
        ctx.addIssue({ code: 'custom', path: ['repos', i, 'name'], message: 'is required when several repositories are configured' });
      }
      const key = (repo.name ?? repoShortName(repo.github)).toLowerCase();
      const prev = seen.get(key);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['repos', i, 'name'], message: `duplicates the name of repos[${prev}]` });
      }
      seen.set(key, i);
      const names = new Set<string>();
      repo.secrets.forEach((s, j) => {
        if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['repos', i, 'secrets', j, 'name'], message: 'is listed twice' });
        names.add(s.name);
      });
    });
  });
export type FileConfig = z.infer<typeof FileConfig>;

/** The name a repo answers to in commands: `name`, or the repository part of `github`. */
export function repoShortName(github: string): string {
  return github.split('/')[1] ?? github;
}
