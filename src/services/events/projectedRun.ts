import type { AppDeps } from '../../deps.js';
import type { Conclusion, JobInfo, RunStatus, StepInfo, WorkflowRunInfo } from '../../core/ports.js';
import type { RunVersion } from '../../core/events/followLook.js';
import type { JobRow, RunRow } from '../../store/githubEvents.js';
import { webhooksReach } from './poller.js';

/**
 * A followed run as the projection holds it, in the shapes the GitHub port returns, so a
 * follower renders the same message from deliveries as from a read of GitHub. A field a
 * delivery lacks (never for GitHub's `workflow_run`) is left empty rather than made up.
 */
export interface ProjectedRun {
  run: WorkflowRunInfo;
  jobs: JobInfo[];
  version: RunVersion;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function runInfoOf(r: RunRow): WorkflowRunInfo {
  return {
    id: r.runId,
    runNumber: r.runNumber ?? 0,
    runAttempt: r.runAttempt,
    name: r.name ?? '',
    event: r.event ?? '',
    status: r.status as RunStatus,
    conclusion: r.conclusion as Conclusion | null,
    headSha: r.headSha ?? '',
    headBranch: r.headBranch,
    displayTitle: r.displayTitle ?? r.name ?? '',
    createdAt: iso(r.createdAt) ?? r.updatedAt.toISOString(),
    runStartedAt: iso(r.runStartedAt),
    updatedAt: r.updatedAt.toISOString(),
    htmlUrl: r.htmlUrl ?? '',
    ...(r.workflowPath ? { workflowPath: r.workflowPath } : {}),
  };
}

export function jobInfoOf(j: JobRow): JobInfo {
  const steps: StepInfo[] = (j.steps ?? []).map((s) => ({
    number: s.number,
    name: s.name,
    status: s.status as RunStatus,
    conclusion: s.conclusion as Conclusion | null,
    startedAt: s.startedAt,
    completedAt: s.completedAt,
  }));
  return {
    id: j.jobId,
    runId: j.runId,
    name: j.name,
    status: j.status as RunStatus,
    conclusion: j.conclusion as Conclusion | null,
    startedAt: iso(j.startedAt),
    completedAt: iso(j.completedAt),
    htmlUrl: j.htmlUrl,
    steps,
  };
}

/** The projection's version of a run (null: no delivery about it applied yet). */
export async function projectedVersion(deps: AppDeps, repo: string, runId: number): Promise<RunVersion | null> {
  const r = await deps.store.githubEvents.run(repo, runId);
  return r ? { attempt: r.runAttempt, updatedAt: r.updatedAt.toISOString() } : null;
}

/** The run and its jobs from the projection; null when it does not hold the run. */
export async function projectedRun(deps: AppDeps, repo: string, runId: number): Promise<ProjectedRun | null> {
  const [r, jobs] = await Promise.all([deps.store.githubEvents.run(repo, runId), deps.store.githubEvents.jobsOf(repo, runId)]);
  if (!r) return null;
  return { run: runInfoOf(r), jobs: jobs.map(jobInfoOf), version: { attempt: r.runAttempt, updatedAt: r.updatedAt.toISOString() } };
}

/**
 * How long a follower trusts the projection without a look at GitHub when webhooks reach
 * the bot: the events poller's reconciling interval (it checks at that pace that no
 * delivery was missed); without webhooks the follower reads GitHub on its own back-off.
 */
export function followFallbackSeconds(deps: AppDeps): { webhooks: boolean; fallbackSeconds: number } {
  return { webhooks: webhooksReach(deps), fallbackSeconds: deps.config.file.events.reconcileSeconds };
}
