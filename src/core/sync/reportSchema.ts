import { z } from 'zod';

/**
 * What /sync-status found, as plain JSON-safe data: stored with the message so that
 * "Share in channel" re-renders exactly what the user saw. Times are ISO strings; every
 * string that came from a host or a log is raw text (the renderer escapes it) and already
 * redacted. Lists are capped (`total` keeps the real count).
 */

const IsoTime = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO date-time');

export const HeadlineLevel = z.enum(['ok', 'running', 'warning', 'error', 'unknown']);
export type HeadlineLevel = z.infer<typeof HeadlineLevel>;

export const Headline = z.object({
  level: HeadlineLevel,
  /** One line of plain text; backticks mark code. */
  text: z.string(),
});
export type Headline = z.infer<typeof Headline>;

export const RunSummary = z.object({
  id: z.number(),
  number: z.number(),
  attempt: z.number(),
  name: z.string(),
  event: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  displayTitle: z.string(),
  headSha: z.string(),
  /** The tag or branch the run ran for. */
  headBranch: z.string().nullable(),
  url: z.string(),
  commitUrl: z.string(),
  createdAt: IsoTime,
  startedAt: IsoTime.nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const JobState = z.enum(['success', 'failure', 'timed_out', 'cancelled', 'skipped', 'in_progress', 'queued', 'waiting', 'other']);
export type JobState = z.infer<typeof JobState>;

export const JobSummary = z.object({
  name: z.string(),
  /** The job's page, else the run's. */
  url: z.string(),
  state: JobState,
  /** Raw API conclusion, for states the report does not name (`neutral`, `stale`…). */
  conclusion: z.string().nullable(),
  startedAt: IsoTime.nullable(),
  completedAt: IsoTime.nullable(),
  /** How long a finished job took. */
  durationMs: z.number().nullable(),
  /** How long an unfinished job has been running or waiting, when the report was built. */
  elapsedMs: z.number().nullable(),
});
export type JobSummary = z.infer<typeof JobSummary>;

export const DiagnosisKind = z.enum(['auth_failed', 'push_rejected', 'repo_not_found', 'network', 'other']);
export type DiagnosisKind = z.infer<typeof DiagnosisKind>;

export const Diagnosis = z.object({
  kind: DiagnosisKind,
  /** Short plain text for the headline: "authentication failed". */
  label: z.string(),
  evidence: z.string().nullable(),
  context: z.array(z.string()),
  /** What to do, one sentence each; plain text, backticks mark code. */
  advice: z.array(z.string()),
  /** The configured secret to rotate, when the cause is a credential. */
  rotateSecret: z.string().nullable(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

export const FailureDetail = z.object({
  failedStep: z.object({ number: z.number(), name: z.string() }).nullable(),
  diagnosis: Diagnosis.nullable(),
  /** Why there is no diagnosis (log not fetched, expired, unreadable). */
  logProblem: z.string().nullable(),
});
export type FailureDetail = z.infer<typeof FailureDetail>;

export const LinkedJob = z.object({ name: z.string(), url: z.string(), conclusion: z.string().nullable() });
export type LinkedJob = z.infer<typeof LinkedJob>;

export const SecretCheck = z.discriminatedUnion('readable', [
  z.object({ readable: z.literal(true), checked: z.array(z.string()), missing: z.array(z.string()) }),
  z.object({ readable: z.literal(false), checked: z.array(z.string()), reason: z.string() }),
]);
export type SecretCheck = z.infer<typeof SecretCheck>;

export const SkipDetail = z.object({
  /** Earlier jobs of the run that failed or were cancelled. */
  upstream: z.array(LinkedJob),
  /** Only looked at when nothing upstream failed. */
  secretCheck: SecretCheck.nullable(),
});
export type SkipDetail = z.infer<typeof SkipDetail>;

export const RunPart = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unavailable'), reason: z.string() }),
  z.object({ kind: z.literal('never_ran') }),
  z.object({ kind: z.literal('jobs_unavailable'), run: RunSummary, reason: z.string() }),
  /** The run is still going and the sync job has not been created yet: GitHub creates a job once its `needs` are done. */
  z.object({
    kind: z.literal('job_pending'),
    run: RunSummary,
    jobs: z.array(z.object({ name: z.string(), url: z.string(), status: z.string(), conclusion: z.string().nullable() })),
  }),
  z.object({
    kind: z.literal('job_missing'),
    run: RunSummary,
    jobNames: z.array(z.string()),
    totalJobs: z.number(),
  }),
  z.object({
    kind: z.literal('found'),
    run: RunSummary,
    job: JobSummary,
    failure: FailureDetail.nullable(),
    skipped: SkipDetail.nullable(),
  }),
]);
export type RunPart = z.infer<typeof RunPart>;

export const RefSide = z.discriminatedUnion('reachable', [
  z.object({
    reachable: z.literal(true),
    defaultBranch: z.string(),
    headSha: z.string().nullable(),
    headUrl: z.string().nullable(),
    /** Tags the host returned, and how many it says it has. */
    returnedTags: z.number(),
    totalTags: z.number(),
  }),
  z.object({ reachable: z.literal(false), reason: z.string() }),
]);
export type RefSide = z.infer<typeof RefSide>;

export const TagDifference = z.object({
  name: z.string(),
  githubSha: z.string(),
  mirrorSha: z.string(),
  githubUrl: z.string(),
  mirrorUrl: z.string(),
});
export type TagDifference = z.infer<typeof TagDifference>;

const capped = <T extends z.ZodType>(item: T) => z.object({ total: z.number(), items: z.array(item) });

export const RefComparison = z.object({
  headEqual: z.boolean(),
  /** Newest first. */
  missingOnMirror: capped(z.string()),
  differing: capped(TagDifference),
  onlyOnMirror: capped(z.string()),
  /** A side returned fewer tags than it has: the tag lists cover only those. */
  partial: z.boolean(),
});
export type RefComparison = z.infer<typeof RefComparison>;

export const MirrorPart = z.object({
  github: RefSide,
  mirror: RefSide,
  /** Null when a side could not be read. */
  comparison: RefComparison.nullable(),
});
export type MirrorPart = z.infer<typeof MirrorPart>;

export const SecretState = z.enum(['ok', 'due_soon', 'overdue', 'missing', 'unknown']);
export type SecretState = z.infer<typeof SecretState>;

export const SecretStatus = z.object({
  name: z.string(),
  kind: z.enum(['classic-pat', 'fine-grained-pat', 'deploy-key']),
  host: z.string(),
  /** Holds the credential the sync job pushes to the mirror with. */
  forMirror: z.boolean(),
  maxAgeDays: z.number(),
  state: SecretState,
  updatedAt: IsoTime.nullable(),
  ageDays: z.number().nullable(),
  /** Negative when overdue. */
  daysLeft: z.number().nullable(),
});
export type SecretStatus = z.infer<typeof SecretStatus>;

export const SecretsPart = z.object({
  readable: z.boolean(),
  reason: z.string().nullable(),
  items: z.array(SecretStatus),
});
export type SecretsPart = z.infer<typeof SecretsPart>;

export const SyncReport = z.object({
  version: z.literal(1),
  generatedAt: IsoTime,
  repo: z.object({ name: z.string(), github: z.string(), webUrl: z.string() }),
  mirror: z.object({ host: z.string(), repo: z.string(), webUrl: z.string() }),
  workflow: z.string(),
  job: z.string(),
  headline: Headline,
  run: RunPart,
  mirrorCheck: MirrorPart,
  /** When the mirror check was made, if earlier than `generatedAt` (reused from a report within the last minute). */
  mirrorCheckedAt: IsoTime.optional(),
  secrets: SecretsPart,
});
export type SyncReport = z.infer<typeof SyncReport>;
