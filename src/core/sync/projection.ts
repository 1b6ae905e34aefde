import { z } from 'zod';
import type { Conclusion, JobInfo, RepoRefsState, RunStatus, SecretMeta, WorkflowRunInfo } from '../ports.js';
import type { LogDiagnosis } from './diagnoseLog.js';
import type { Fetched, SyncFacts } from './facts.js';
import type { JobFact, RunFact, StepFact } from '../events/facts.js';
import { findSyncJob } from './findSyncJob.js';

/**
 * /sync-status from the stored projection (issue 19): whether what the bot was told by
 * GitHub (webhooks, the poller) can stand in for the walk runs → jobs → workflow file →
 * log, and the facts it gives when it can. Pure: the service loads the rows and asks.
 */

/** A run, a step and a job as the projection keeps them: the delivery's facts (store/githubEvents.ts stores these). */
export type ProjectedRun = Omit<RunFact, 'workflowId'>;
export type ProjectedStep = StepFact;
export type ProjectedJob = Omit<JobFact, 'failingStep'>;

export interface ProjectionView {
  /** The newest run of the sync workflow in the projection, or null. */
  run: ProjectedRun | null;
  /** Its jobs (only the latest attempt's, as the API's `filter=latest` gives). */
  jobs: ProjectedJob[];
  /** Log findings stored per job id (only failed jobs have any). */
  findings: Record<string, unknown>;
  /** When a delivery for the repository last arrived, or the poller last confirmed it. */
  confirmedAt: Date | null;
  /** Deliveries stored and not applied yet: the projection is about to change. */
  pendingDeliveries: number;
  /** The job names of the workflow file the run ran, when the bot read them once (store 0018). */
  jobNamesAtRun?: Record<string, string> | null;
}

export type Freshness = { fresh: true } | { fresh: false; reason: string };

/** The stored findings of a log: the shape core/sync/diagnoseLog.ts returns, or why the log could not be read. */
export const StoredFindings = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    value: z.strictObject({
      kind: z.enum(['auth_failed', 'push_rejected', 'repo_not_found', 'network', 'other']),
      evidence: z.string().nullable(),
      context: z.array(z.string()),
    }),
  }),
  z.strictObject({ ok: z.literal(false), reason: z.string(), code: z.string().optional() }),
]);
export type StoredFindings = z.infer<typeof StoredFindings>;

const FAILED = new Set(['failure', 'timed_out']);
const RUN_STATUSES = new Set<string>(['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending']);
const CONCLUSIONS = new Set<string>(['success', 'failure', 'cancelled', 'skipped', 'timed_out', 'neutral', 'action_required', 'stale', 'startup_failure']);

/** GitHub gives times to the second: `2026-12-07T20:00:00Z`, as the API writes them. */
export function apiTime(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z');
}
const status = (s: string): RunStatus => (RUN_STATUSES.has(s) ? (s as RunStatus) : 'pending');
const conclusion = (c: string | null): Conclusion | null => (c !== null && CONCLUSIONS.has(c) ? (c as Conclusion) : null);

/** The run as the API would give it, or null when the projection lacks a field the report shows. */
export function runInfoOf(r: ProjectedRun): WorkflowRunInfo | null {
  if (r.runNumber == null || r.headSha === null || r.htmlUrl === null || r.createdAt === null || r.event === null) return null;
  return {
    id: r.runId,
    runNumber: r.runNumber,
    runAttempt: r.runAttempt,
    name: r.name ?? '',
    event: r.event,
    status: status(r.status),
    conclusion: conclusion(r.conclusion),
    headSha: r.headSha,
    headBranch: r.headBranch,
    displayTitle: r.displayTitle ?? r.name ?? '',
    createdAt: apiTime(r.createdAt),
    runStartedAt: r.runStartedAt ? apiTime(r.runStartedAt) : null,
    updatedAt: apiTime(r.updatedAt),
    htmlUrl: r.htmlUrl,
    ...(r.workflowPath ? { workflowPath: r.workflowPath } : {}),
  };
}

export function jobInfoOf(j: ProjectedJob): JobInfo {
  return {
    id: j.jobId,
    runId: j.runId,
    name: j.name,
    status: status(j.status),
    conclusion: conclusion(j.conclusion),
    startedAt: j.startedAt ? apiTime(j.startedAt) : null,
    completedAt: j.completedAt ? apiTime(j.completedAt) : null,
    htmlUrl: j.htmlUrl,
    steps: (j.steps ?? []).map((s) => ({
      number: s.number,
      name: s.name,
      status: status(s.status),
      conclusion: conclusion(s.conclusion),
      startedAt: s.startedAt,
      completedAt: s.completedAt,
    })),
  };
}

/**
 * Fresh means the projection can answer for GitHub: a delivery arrived or the poller
 * confirmed the repository within `windowMs`, none is waiting to be applied, the sync
 * workflow's newest run is there with every field the report shows, its jobs are there,
 * and (once the sync job is known) a failed one has its log findings and steps.
 */
export function projectionFreshness(view: ProjectionView, now: Date, windowMs: number): Freshness {
  if (!view.confirmedAt) return { fresh: false, reason: 'nothing was ever received for this repository' };
  const age = now.getTime() - view.confirmedAt.getTime();
  if (age > windowMs) return { fresh: false, reason: `nothing was received or confirmed for ${Math.round(age / 1000)} s` };
  if (view.pendingDeliveries > 0) return { fresh: false, reason: `${view.pendingDeliveries} deliveries are not applied yet` };
  if (!view.run) return { fresh: false, reason: 'no run of the sync workflow is in the projection' };
  if (!runInfoOf(view.run)) return { fresh: false, reason: 'the stored run lacks fields the report shows' };
  const jobs = view.jobs.filter((j) => j.runId === view.run?.runId);
  if (jobs.length === 0 && view.run.status === 'completed') return { fresh: false, reason: 'the jobs of the run are not in the projection' };
  return { fresh: true };
}

/** The findings stored for a job, parsed; null when none (or unusable) are stored. */
export function findingsOf(view: ProjectionView, jobId: number): Fetched<LogDiagnosis> | null {
  const raw = view.findings[String(jobId)];
  if (raw === undefined || raw === null) return null;
  const p = StoredFindings.safeParse(raw);
  return p.success ? p.data : null;
}

export type ProjectedRunFacts =
  | { kind: 'facts'; facts: Pick<SyncFacts, 'run' | 'jobs' | 'syncJobLog' | 'syncJobFindings' | 'workflowJobNames'> }
  /** The sync job was not found by its name: the workflow file the run ran is needed (as the walk reads it). */
  | { kind: 'needs_job_names'; run: WorkflowRunInfo; jobs: JobInfo[] }
  /** The sync job failed and its log was never read (or its steps never stored): read it now. */
  | { kind: 'needs_log'; run: WorkflowRunInfo; jobs: JobInfo[]; job: JobInfo; workflowJobNames?: Record<string, string> };

/**
 * The run part of SyncFacts from a fresh projection. `namesAtHead` / `namesAtRun`: YAML
 * job id → display name from the workflow file at the default branch's head (it comes
 * with the mirror check) and at the run's commit (read only when asked for).
 */
export function projectedRunFacts(
  view: ProjectionView,
  wantedJob: string,
  names: { atHead: Record<string, string> | null; atRun?: Record<string, string> | null },
): ProjectedRunFacts {
  const stored = view.run;
  const run = stored ? runInfoOf(stored) : null;
  if (!stored || !run) return { kind: 'facts', facts: { run: { ok: true, value: null }, jobs: null, syncJobLog: null } };
  const jobs = view.jobs.filter((j) => j.runId === stored.runId).map(jobInfoOf);
  let workflowJobNames: Record<string, string> | undefined;
  let job = findSyncJob(jobs, wantedJob);
  if (!job && names.atHead) {
    job = findSyncJob(jobs, wantedJob, names.atHead);
    if (job) workflowJobNames = names.atHead;
  }
  if (!job && run.workflowPath) {
    if (names.atRun === undefined) return { kind: 'needs_job_names', run, jobs };
    if (names.atRun) {
      workflowJobNames = names.atRun;
      job = findSyncJob(jobs, wantedJob, names.atRun);
    }
  }
  const base = { run: { ok: true as const, value: run }, jobs: { ok: true as const, value: jobs }, ...(workflowJobNames ? { workflowJobNames } : {}) };
  if (!job || job.status !== 'completed' || !FAILED.has(job.conclusion ?? '')) return { kind: 'facts', facts: { ...base, syncJobLog: null } };
  const findings = findingsOf(view, job.id);
  const storedJob = view.jobs.find((j) => j.jobId === job.id);
  if (!findings || !storedJob?.steps) return { kind: 'needs_log', run, jobs, job, ...(workflowJobNames ? { workflowJobNames } : {}) };
  return { kind: 'facts', facts: { ...base, syncJobLog: null, syncJobFindings: findings } };
}

/** A mirror check kept for reuse: both hosts' refs and the secrets' dates, as read at `checkedAt`. */
export interface MirrorCheck {
  checkedAt: Date;
  githubRefs: Fetched<RepoRefsState>;
  mirrorRefs: Fetched<RepoRefsState>;
  secrets: Fetched<SecretMeta[]> | null;
}

/** How long a mirror check is reused by /sync-status (the issue: "a repeat within a minute"). */
export const MIRROR_CHECK_REUSE_MS = 60_000;

export function reusableCheck(check: MirrorCheck | null, now: Date): MirrorCheck | null {
  if (!check) return null;
  const age = now.getTime() - check.checkedAt.getTime();
  return age >= 0 && age <= MIRROR_CHECK_REUSE_MS ? check : null;
}
