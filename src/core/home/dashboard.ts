import type { SecretConfig } from '../../config/schema.js';
import { startedByBot, type BotRelease } from '../release/startedByBot.js';
import { parseReleaseTag } from '../release/tag.js';
import { deadlineOf, THRESHOLDS } from '../reminders/due.js';
import { compareRefStates, driftSummary } from '../sync/compareRefs.js';
import { findSyncJob } from '../sync/findSyncJob.js';
import { jobState } from '../sync/runPart.js';
import { jobInfoOf, projectionFreshness, runInfoOf, type MirrorCheck, type ProjectedRun, type ProjectionView } from '../sync/projection.js';
import type { JobState, SecretState } from '../sync/reportSchema.js';
import { secretAges } from '../sync/secretAges.js';
import { jobNamesOf } from '../sync/workflowJobNames.js';

/**
 * The App Home tab as a dashboard (issue 19), from what the bot keeps: no GitHub request.
 * Pure: the service loads the projection, the last mirror check, releases and approvals;
 * this says what the tab shows, as plain JSON-safe data (src/ui/home.ts renders it).
 */

export interface HomeRelease {
  tag: string;
  requestedBy: string;
  at: Date;
  status: 'pending' | 'dispatching' | 'dispatched' | 'succeeded' | 'run_failed' | 'failed' | 'cancelled' | 'expired';
  conclusion: string | null;
  runUrl: string | null;
}

export interface HomeApproval {
  id: string;
  repoName: string;
  secret: string;
  action: string;
  requestedBy: string;
  expiresAt: Date;
  channel: string;
  messageTs: string | null;
}

/** A run of the release workflow as the projection keeps it, with who started it. */
export type ReleaseRunInput = ProjectedRun & { actor?: string | null };

export interface HomeRepoInput {
  name: string;
  github: string;
  webUrl: string;
  /** The newest release the bot started. */
  release: HomeRelease | null;
  /** The projection's newest runs of the release workflow, newest first (empty without one, or without a projection). */
  releaseRuns: ReleaseRunInput[];
  /** The bot's releases that may have started those runs (store/releases.ts forRuns). */
  botReleases: BotRelease[];
  /** Null when the repository has no `sync:`. */
  sync: { job: string; mirrorRepo: string; mirrorWebUrl: string; view: ProjectionView | null } | null;
  check: MirrorCheck | null;
  configuredSecrets: readonly SecretConfig[];
  /** Runs of any workflow the projection has as not completed. */
  inProgress: ProjectedRun[];
}

export interface HomeInput {
  now: Date;
  /** How recent a delivery or confirmation must be for the projection to count as fresh. */
  windowMs: number;
  reminders: { enabled: boolean; hourUtc: number };
  repos: HomeRepoInput[];
  /** Requests the person looking may decide (pending, not their own). */
  approvals: HomeApproval[];
}

export type ReleaseResult = 'waiting' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

export interface HomeRepo {
  name: string;
  github: string;
  webUrl: string;
  /** Whether the sync facts below are the projection's as GitHub last told it (else: as of `confirmedAt`). */
  fresh: boolean;
  confirmedAt: string | null;
  /**
   * The last release: the bot's own (`from: 'slack'`), or a release-workflow run not started
   * from Slack when it is newer (`from: 'github'`: a tag push, semantic-release's dispatch).
   * `tag` is null for such a run on a branch; `ref` is then the branch; `event` is GitHub's.
   */
  release: {
    from: 'slack' | 'github';
    tag: string | null;
    ref: string | null;
    by: string | null;
    at: string;
    result: ReleaseResult;
    url: string | null;
    event: string | null;
  } | null;
  sync:
    | { kind: 'not_configured' }
    | { kind: 'unknown' }
    | {
        kind: 'job';
        state: JobState;
        jobName: string;
        url: string;
        runName: string;
        runNumber: number;
        headBranch: string | null;
        at: string;
        failingStep: string | null;
      }
    | { kind: 'job_not_found'; runName: string; runNumber: number; url: string; at: string };
  mirror:
    | { kind: 'not_configured' }
    | { kind: 'never_checked' }
    | { kind: 'unreachable'; checkedAt: string; side: 'GitHub' | 'GHE'; reason: string }
    | { kind: 'checked'; checkedAt: string; inSync: boolean; drift: string | null; partial: boolean };
  secrets: Array<{ name: string; state: SecretState; ageDays: number | null; daysLeft: number | null; nextReminder: string | null; checkedAt: string | null }>;
  inProgress: Array<{ name: string; number: number | null; url: string | null; status: string; headBranch: string | null; since: string | null }>;
}

export interface HomeModel {
  generatedAt: string;
  approvals: Array<{
    id: string;
    repoName: string;
    secret: string;
    action: string;
    requestedBy: string;
    expiresAt: string;
    channel: string;
    messageTs: string | null;
  }>;
  repos: HomeRepo[];
}

const DAY = 86_400_000;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

function releaseResult(r: HomeRelease): ReleaseResult {
  switch (r.status) {
    case 'pending':
      return 'waiting';
    case 'dispatching':
    case 'dispatched':
      return 'running';
    case 'succeeded':
      return 'succeeded';
    case 'run_failed':
    case 'failed':
      return r.conclusion === 'cancelled' ? 'cancelled' : 'failed';
    case 'cancelled':
      return 'cancelled';
    case 'expired':
      return 'expired';
  }
}

/**
 * When the next rotation reminder for a secret goes out: the first of its thresholds (30,
 * 7, 1 days left, then the deadline) still ahead, at the daily check's hour on or after it.
 */
export function nextReminder(updatedAt: Date | null, maxAgeDays: number, now: Date, reminders: HomeInput['reminders']): Date | null {
  if (!reminders.enabled || !updatedAt) return null;
  const d = deadlineOf({ repo: '', secret: '', maxAgeDays, updatedAt, expiresAt: null });
  if (!d) return null;
  for (const t of [...THRESHOLDS, 0]) {
    const crossing = d.deadline.getTime() - t * DAY;
    if (crossing <= now.getTime()) continue;
    const day = new Date(crossing);
    const check = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), reminders.hourUtc);
    return new Date(check >= crossing ? check : check + DAY);
  }
  return null;
}

function runResult(run: ProjectedRun): ReleaseResult {
  if (run.status !== 'completed') return 'running';
  if (run.conclusion === 'success') return 'succeeded';
  return run.conclusion === 'cancelled' ? 'cancelled' : 'failed';
}

/** The bot's last release, unless a release run it did not start is newer (when it started, against when the bot's was confirmed). */
function releasePart(r: HomeRepoInput): HomeRepo['release'] {
  const own: HomeRepo['release'] = r.release && {
    from: 'slack',
    tag: r.release.tag,
    ref: r.release.tag,
    by: r.release.requestedBy,
    at: r.release.at.toISOString(),
    result: releaseResult(r.release),
    url: r.release.runUrl,
    event: 'workflow_dispatch',
  };
  const other = r.releaseRuns.find((run) => !startedByBot(run, r.botReleases));
  const at = other ? (other.runStartedAt ?? other.createdAt ?? other.updatedAt) : null;
  if (!other || !at || (r.release && at.getTime() <= r.release.at.getTime())) return own;
  return {
    from: 'github',
    tag: other.headBranch && parseReleaseTag(other.headBranch).ok ? other.headBranch : null,
    ref: other.headBranch,
    by: other.actor ?? null,
    at: at.toISOString(),
    result: runResult(other),
    url: other.htmlUrl,
    event: other.event,
  };
}

function syncPart(r: HomeRepoInput): HomeRepo['sync'] {
  if (!r.sync) return { kind: 'not_configured' };
  const view = r.sync.view;
  const run = view?.run ? runInfoOf(view.run) : null;
  if (!view || !run) return { kind: 'unknown' };
  const jobs = view.jobs.filter((j) => j.runId === run.id).map(jobInfoOf);
  const file = r.check?.githubRefs.ok ? r.check.githubRefs.value.fileAtHead : null;
  // The names of the file the run ran (read once when its sync job had to be found), else the file at the head.
  const job =
    findSyncJob(jobs, r.sync.job) ??
    (view.jobNamesAtRun ? findSyncJob(jobs, r.sync.job, view.jobNamesAtRun) : null) ??
    (typeof file === 'string' ? findSyncJob(jobs, r.sync.job, jobNamesOf(file)) : null);
  const at = job?.completedAt ?? job?.startedAt ?? run.runStartedAt ?? run.createdAt;
  if (!job) return { kind: 'job_not_found', runName: run.name, runNumber: run.runNumber, url: run.htmlUrl, at };
  return {
    kind: 'job',
    state: jobState(job),
    jobName: job.name,
    url: job.htmlUrl ?? run.htmlUrl,
    runName: run.name,
    runNumber: run.runNumber,
    headBranch: run.headBranch,
    at,
    failingStep: job.steps.find((s) => s.conclusion === 'failure')?.name ?? null,
  };
}

function mirrorPart(r: HomeRepoInput): HomeRepo['mirror'] {
  if (!r.sync) return { kind: 'not_configured' };
  const c = r.check;
  if (!c) return { kind: 'never_checked' };
  const checkedAt = c.checkedAt.toISOString();
  if (!c.githubRefs.ok) return { kind: 'unreachable', checkedAt, side: 'GitHub', reason: c.githubRefs.reason };
  if (!c.mirrorRefs.ok) return { kind: 'unreachable', checkedAt, side: 'GHE', reason: c.mirrorRefs.reason };
  const cmp = compareRefStates(c.githubRefs.value, c.mirrorRefs.value, { github: r.webUrl, mirror: r.sync.mirrorWebUrl });
  const drift = driftSummary(cmp, c.githubRefs.value.defaultBranch);
  return { kind: 'checked', checkedAt, inSync: drift === null, drift, partial: cmp.partial };
}

function repoPart(r: HomeRepoInput, input: HomeInput): HomeRepo {
  const view = r.sync?.view ?? null;
  const fresh = view ? projectionFreshness(view, input.now, input.windowMs).fresh : false;
  const secretsRead = r.check?.secrets ?? { ok: false as const, reason: 'not read yet' };
  const ages = secretAges(r.configuredSecrets, secretsRead, r.sync?.mirrorWebUrl ?? '', input.now);
  return {
    name: r.name,
    github: r.github,
    webUrl: r.webUrl,
    fresh,
    confirmedAt: iso(view?.confirmedAt),
    release: releasePart(r),
    sync: syncPart(r),
    mirror: mirrorPart(r),
    secrets: ages.items.map((s) => ({
      name: s.name,
      state: s.state,
      ageDays: s.ageDays,
      daysLeft: s.daysLeft,
      nextReminder: iso(nextReminder(s.updatedAt ? new Date(s.updatedAt) : null, s.maxAgeDays, input.now, input.reminders)),
      checkedAt: r.check?.secrets ? r.check.checkedAt.toISOString() : null,
    })),
    inProgress: r.inProgress
      .filter((run) => run.status !== 'completed')
      .map((run) => ({
        name: run.name ?? run.workflowPath ?? 'workflow',
        number: run.runNumber ?? null,
        url: run.htmlUrl,
        status: run.status,
        headBranch: run.headBranch,
        since: iso(run.runStartedAt ?? run.createdAt),
      })),
  };
}

export function buildHomeModel(input: HomeInput): HomeModel {
  return {
    generatedAt: input.now.toISOString(),
    approvals: [...input.approvals].sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime()).map((a) => ({ ...a, expiresAt: a.expiresAt.toISOString() })),
    repos: input.repos.map((r) => repoPart(r, input)),
  };
}
