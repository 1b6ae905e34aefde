import type { Conclusion, JobInfo, StepInfo, WorkflowRunInfo } from '../ports.js';
import { msBetween } from '../sync/durations.js';
import { finishedJobState } from '../jobConclusion.js';

/** A release the bot dispatched and now follows until its run completes. */
export interface FollowedRelease {
  /** `owner/name` on github.com. */
  repo: string;
  /** Short name used in commands (`jankins`). */
  repoName: string;
  tag: string;
  /** File name or id of the dispatched workflow. */
  workflow: string;
  /** The workflow's file name (`release.yml`) once known, shown instead of a numeric id. */
  workflowFile?: string;
  /**
   * How many jobs the workflow file declares (a call of a reusable workflow counts once),
   * or null when the file could not be read: then the message counts the jobs seen so far.
   */
  declaredJobs?: number | null;
  /** Slack user id of who asked for the release. */
  startedBy: string;
  /** The run's page, when the dispatch told us (shown before the run is visible). */
  runUrl?: string;
  /** The GitHub release of the tag once it exists; fetch it before planning on a completed run. */
  releaseUrl?: string | null;
}

/**
 * - `dispatched`: GitHub accepted the dispatch but the run is not visible yet.
 * - `queued`: the run exists, no job has started.
 * - `waiting_approval`: a job waits for a required reviewer of its environment.
 */
export type ReleasePhase = 'dispatched' | 'queued' | 'running' | 'waiting_approval' | 'completed';

export type JobState = 'queued' | 'running' | 'waiting_approval' | 'success' | 'failure' | 'timed_out' | 'cancelled' | 'skipped' | 'other';

export interface JobProgress {
  id: number;
  /** Full name as GitHub shows it (`Generate SLSA Provenance / generator`). */
  name: string;
  /** Caller job's name for a job of a reusable workflow, else null. */
  group: string | null;
  /** Name within its group (the full name when ungrouped). */
  shortName: string;
  state: JobState;
  /** From start to completion; null until the job is done (or when it never started). */
  durationMs: number | null;
  url: string | null;
  /** The step that failed, for failed and timed-out jobs (null when none is marked). */
  failedStep: string | null;
}

export type ProgressEntry =
  { kind: 'job'; job: JobProgress } | { kind: 'group'; name: string; state: JobState; durationMs: number | null; jobs: JobProgress[] };

export interface RunProgress {
  number: number;
  attempt: number;
  url: string;
  conclusion: Conclusion | null;
  /** Start of the attempt to its last update, once completed. */
  durationMs: number | null;
}

/** Everything the release message shows, derived from what GitHub reported; no time-of-poll in it. */
export interface ReleaseProgressState {
  release: FollowedRelease;
  phase: ReleasePhase;
  run: RunProgress | null;
  /** Where to open the run (and review pending deployments); null before the run is known. */
  runUrl: string | null;
  jobs: JobProgress[];
  /** Jobs in display order, those of a reusable workflow grouped under their caller. */
  entries: ProgressEntry[];
  jobsDone: number;
  /** Declared jobs (top-level entries) finished, and how many the workflow file declares (null: unknown). */
  declared: { done: number; total: number } | null;
  /** Names of the jobs waiting for approval. */
  waitingJobs: string[];
  releaseUrl: string | null;
}

/** Job conclusions that get a reply in the thread. */
export const FAILED_STATES: ReadonlySet<JobState> = new Set<JobState>(['failure', 'timed_out']);

// GitHub names the jobs of a called workflow `<caller job name> / <called job name>`.
const GROUP_SEPARATOR = ' / ';

function jobState(job: Pick<JobInfo, 'status' | 'conclusion'>): JobState {
  switch (job.status) {
    case 'completed':
      return finishedJobState(job.conclusion);
    case 'in_progress':
      return 'running';
    case 'waiting':
      return 'waiting_approval';
    default:
      return 'queued';
  }
}

function failedStep(steps: readonly StepInfo[], state: JobState): string | null {
  if (!FAILED_STATES.has(state)) return null;
  const failed = steps.find((s) => s.conclusion === 'failure' || s.conclusion === 'timed_out');
  // A job that timed out marks the step it was in as cancelled.
  const cut = state === 'timed_out' ? steps.find((s) => s.conclusion === 'cancelled') : undefined;
  return (failed ?? cut)?.name ?? null;
}

function toJobProgress(job: JobInfo): JobProgress {
  const state = jobState(job);
  const at = job.name.indexOf(GROUP_SEPARATOR);
  const group = at > 0 ? job.name.slice(0, at) : null;
  return {
    id: job.id,
    name: job.name,
    group,
    shortName: group === null ? job.name : job.name.slice(at + GROUP_SEPARATOR.length),
    state,
    durationMs: job.status === 'completed' && state !== 'skipped' ? msBetween(job.startedAt, job.completedAt) : null,
    url: job.htmlUrl,
    failedStep: failedStep(job.steps, state),
  };
}

// The state a group shows: its most pressing job's.
const URGENCY: readonly JobState[] = ['failure', 'timed_out', 'waiting_approval', 'running', 'queued', 'cancelled', 'other', 'success', 'skipped'];
const DONE: ReadonlySet<JobState> = new Set<JobState>(['success', 'failure', 'timed_out', 'cancelled', 'skipped', 'other']);

function groupState(jobs: readonly JobProgress[]): JobState {
  const worst = URGENCY.find((s) => jobs.some((j) => j.state === s)) ?? 'other';
  // Some done, the rest waiting for a runner: the group as a whole is under way.
  return worst === 'queued' && jobs.some((j) => DONE.has(j.state)) ? 'running' : worst;
}

function groupDuration(jobs: readonly JobProgress[], raw: ReadonlyMap<number, JobInfo>): number | null {
  if (!jobs.every((j) => DONE.has(j.state))) return null;
  // A skipped job never ran: GitHub still stamps it, but its times say nothing about how long the group took.
  const ran = jobs
    .filter((j) => j.state !== 'skipped')
    .map((j) => raw.get(j.id))
    .filter((j): j is JobInfo => !!j && j.startedAt !== null && j.completedAt !== null);
  if (ran.length === 0) return null;
  const start = ran.map((j) => j.startedAt as string).sort()[0] ?? null;
  const end =
    ran
      .map((j) => j.completedAt as string)
      .sort()
      .at(-1) ?? null;
  return msBetween(start, end);
}

function entriesOf(jobs: readonly JobProgress[], raw: ReadonlyMap<number, JobInfo>): ProgressEntry[] {
  const out: ProgressEntry[] = [];
  const groups = new Map<string, JobProgress[]>();
  for (const job of jobs) {
    if (job.group === null) {
      out.push({ kind: 'job', job });
      continue;
    }
    const members = groups.get(job.group);
    if (members) members.push(job);
    else {
      const fresh = [job];
      groups.set(job.group, fresh);
      // Placeholder at the group's first member; filled in below once all members are known.
      out.push({ kind: 'group', name: job.group, state: 'other', durationMs: null, jobs: fresh });
    }
  }
  return out.map((e) => (e.kind === 'group' ? { ...e, state: groupState(e.jobs), durationMs: groupDuration(e.jobs, raw) } : e));
}

function phaseOf(run: WorkflowRunInfo | null, jobs: readonly JobProgress[]): ReleasePhase {
  if (run === null) return 'dispatched';
  if (run.status === 'completed') return 'completed';
  if (run.status === 'waiting' || jobs.some((j) => j.state === 'waiting_approval')) return 'waiting_approval';
  if (jobs.some((j) => j.state !== 'queued')) return 'running';
  return run.status === 'in_progress' ? 'running' : 'queued';
}

/** What the release message shows for this poll. Pure; the order of `jobs` is kept (GitHub's). */
export function progressState(release: FollowedRelease, run: WorkflowRunInfo | null, jobs: readonly JobInfo[]): ReleaseProgressState {
  const progress = jobs.map(toJobProgress);
  const raw = new Map(jobs.map((j) => [j.id, j]));
  const phase = phaseOf(run, progress);
  const entries = entriesOf(progress, raw);
  return {
    release,
    phase,
    run: run && {
      number: run.runNumber,
      attempt: run.runAttempt,
      url: run.htmlUrl,
      conclusion: run.status === 'completed' ? run.conclusion : null,
      durationMs: run.status === 'completed' ? msBetween(run.runStartedAt ?? run.createdAt, run.updatedAt) : null,
    },
    runUrl: run?.htmlUrl ?? release.runUrl ?? null,
    jobs: progress,
    entries,
    jobsDone: progress.filter((j) => DONE.has(j.state)).length,
    declared: declaredCount(release.declaredJobs, entries),
    waitingJobs: progress.filter((j) => j.state === 'waiting_approval').map((j) => j.name),
    releaseUrl: release.releaseUrl ?? null,
  };
}

/**
 * Counted as the workflow file declares its jobs: one entry per declared job, a called
 * reusable workflow being one entry however many jobs it runs. Never fewer than the
 * entries GitHub shows (a file edited since the run started).
 */
function declaredCount(declared: number | null | undefined, entries: readonly ProgressEntry[]): { done: number; total: number } | null {
  if (declared === undefined || declared === null) return null;
  const done = entries.filter((e) => DONE.has(e.kind === 'job' ? e.job.state : e.state)).length;
  return { done, total: Math.max(declared, entries.length) };
}
