import { z } from 'zod';

/**
 * The YAML configuration file, exactly as docs/CONTRACT.md describes it.
 * Every problem is reported with its path (e.g. `repos[0].sync.job`) by load.ts.
 */

const ownerRepo = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, 'must be "owner/name"');

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

/** Slack user IDs (U…/W…) or user-group IDs (S…). */
export const SlackPrincipal = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'must be a Slack user ID (U…/W…) or user-group ID (S…)');
export type SlackPrincipal = z.infer<typeof SlackPrincipal>;

export const SecretKind = z.enum(['classic-pat', 'fine-grained-pat', 'deploy-key']);
export type SecretKind = z.infer<typeof SecretKind>;

const workflowRef = z.union([z.string().min(1), z.number().int().positive()]);

/** How /rotate tests a new secret: dispatch this workflow (default: re-run the last sync job, when it uses the secret). */
export const VerifyConfig = z.object({
  workflow: workflowRef,
  /** Branch or tag to run it on; default: the repository's default branch. */
  ref: z.string().min(1).optional(),
  inputs: z.record(z.string(), z.string()).default({}),
});
export type VerifyConfig = z.infer<typeof VerifyConfig>;

export const SecretConfig = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a valid Actions secret name'),
  kind: SecretKind,
  host: httpUrl.default('https://github.com'),
  scopes: z.array(z.string().min(1)).default([]),
  maxAgeDays: z.number().int().positive().default(365),
  verify: VerifyConfig.optional(),
});
export type SecretConfig = z.infer<typeof SecretConfig>;

export const MirrorConfig = z.object({
  apiUrl: httpUrl,
  repo: ownerRepo,
  tokenEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'),
});
export type MirrorConfig = z.infer<typeof MirrorConfig>;

export const ReleaseConfig = z.object({
  workflow: workflowRef,
  inputs: z.record(z.string(), z.string()).default({}),
});
export type ReleaseConfig = z.infer<typeof ReleaseConfig>;

export const SyncConfig = z.object({
  workflow: workflowRef,
  job: z.string().min(1),
  mirror: MirrorConfig,
});
export type SyncConfig = z.infer<typeof SyncConfig>;

export const RepoConfig = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a short name without spaces').optional(),
  github: ownerRepo,
  channel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'must be a Slack channel ID (C…)').optional(),
  release: ReleaseConfig.optional(),
  sync: SyncConfig.optional(),
  secrets: z.array(SecretConfig).default([]),
});
export type RepoConfig = z.infer<typeof RepoConfig>;

export const AccessConfig = z.object({
  release: z.array(SlackPrincipal).default([]),
  approve: z.array(SlackPrincipal).default([]),
});
export type AccessConfig = z.infer<typeof AccessConfig>;

export const ApprovalsConfig = z.object({
  /** A secret change not decided within this time is void (its ciphertext deleted). */
  expiresMinutes: z.number().int().min(5).max(7 * 24 * 60).default(60),
});
export type ApprovalsConfig = z.infer<typeof ApprovalsConfig>;

export const RemindersConfig = z.object({
  /** Daily reminders in each repo's channel 30, 7 and 1 days before a secret's age limit or token expiry. */
  enabled: z.boolean().default(true),
  /** Hour of day (UTC) of the daily check; it also runs at every start. */
  hourUtc: z.number().int().min(0).max(23).default(9),
});
export type RemindersConfig = z.infer<typeof RemindersConfig>;

export const FileConfig = z
  .object({
    repos: z.array(RepoConfig).min(1, 'configure at least one repository'),
    access: AccessConfig.default({ release: [], approve: [] }),
    approvals: ApprovalsConfig.default({ expiresMinutes: 60 }),
    reminders: RemindersConfig.default({ enabled: true, hourUtc: 9 }),
  })
  .superRefine((cfg, ctx) => {
    // Short names must be unique, and required as soon as there is more than one repo.
    const seen = new Map<string, number>();
    cfg.repos.forEach((repo, i) => {
      if (cfg.repos.length > 1 && !repo.name) {
        ctx.addIssue({ code: 'custom', path: ['repos', i, 'name'], message: 'required when several repositories are configured' });
      }
      const key = (repo.name ?? repoShortName(repo.github)).toLowerCase();
      const prev = seen.get(key);
      if (prev !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['repos', i, 'name'], message: `duplicates the name of repos[${prev}]` });
      }
      seen.set(key, i);
      const names = new Set<string>();
      repo.secrets.forEach((s, j) => {
        if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['repos', i, 'secrets', j, 'name'], message: 'listed twice' });
        names.add(s.name);
      });
    });
  });
export type FileConfig = z.infer<typeof FileConfig>;

/** The name a repo answers to in commands: `name`, or the repository part of `github`. */
export function repoShortName(github: string): string {
  return github.split('/')[1] ?? github;
}
