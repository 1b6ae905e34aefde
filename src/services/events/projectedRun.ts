import type { AppDeps } from '../../deps.js';
import type { JobInfo, WorkflowRunInfo } from '../../core/ports.js';
import type { RunVersion } from '../../core/events/followLook.js';
import { jobInfoOf, runInfoOf } from '../../core/sync/projection.js';
import { webhooksReach } from './poller.js';

/**
 * A followed run as the projection holds it, in the shapes the GitHub port returns (the
 * mapping /sync-status uses), so a follower renders the same message from deliveries as
 * from a read of GitHub.
 */
export interface ProjectedRun {
  run: WorkflowRunInfo;
  jobs: JobInfo[];
  version: RunVersion;
}

/**
 * The run and its jobs from the projection; null when it does not hold the run, or holds it
 * without a field the message shows (rows stored before migration 0015): a delivery about
 * the run completes it.
 */
export async function projectedRun(deps: AppDeps, repo: string, runId: number): Promise<ProjectedRun | null> {
  const [r, jobs] = await Promise.all([deps.store.githubEvents.run(repo, runId), deps.store.githubEvents.jobsOf(repo, runId)]);
  const run = r && runInfoOf(r);
  if (!r || !run) return null;
  return { run, jobs: jobs.map(jobInfoOf), version: { attempt: r.runAttempt, updatedAt: r.updatedAt.toISOString() } };
}

/**
 * How long a follower trusts the projection without a look at GitHub when webhooks reach
 * the bot: the events poller's reconciling interval (it checks at that pace that no
 * delivery was missed); without webhooks the follower reads GitHub on its own back-off.
 */
export function followFallbackSeconds(deps: AppDeps): { webhooks: boolean; fallbackSeconds: number } {
  return { webhooks: webhooksReach(deps), fallbackSeconds: deps.config.file.events.reconcileSeconds };
}

/**
 * Each job's latest attempt: a re-run job gets a new id (ids grow), and the projection
 * keeps the earlier attempt's row beside it under the same name.
 */
export function latestJobs(jobs: JobInfo[]): JobInfo[] {
  const byName = new Map<string, JobInfo>();
  for (const j of jobs) {
    const seen = byName.get(j.name);
    if (!seen || j.id > seen.id) byName.set(j.name, j);
  }
  return [...byName.values()];
}
