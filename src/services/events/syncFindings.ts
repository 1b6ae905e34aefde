import type { ResolvedRepo } from '../../config/load.js';
import type { AppDeps } from '../../deps.js';
import type { JobInfo } from '../../core/ports.js';
import { jobFactOfInfo, type RunFact } from '../../core/events/facts.js';
import { isFailedConclusion } from '../../core/jobConclusion.js';
import { findSyncJob } from '../../core/sync/findSyncJob.js';
import { jobInfoOf, StoredFindings } from '../../core/sync/projection.js';
import { isChatOpsError } from '../../errors.js';
import { jobNamesAt, readLogFindings } from '../syncProjection.js';

/**
 * A sync workflow run completed: make sure the projection holds what /sync-status reports
 * of it without GitHub, whatever the alert settings: its jobs with their steps, and, when
 * the sync job failed, what its log says (read once, here). The sync alert reads the same
 * findings. A GitHub failure here is logged and left: /sync-status then reads what is missing.
 * Returns the run's sync job as the projection now holds it, once completed (the alert then
 * needs no read of its own), or null (not found, not completed, or GitHub failed).
 */
export async function recordSyncFindings(deps: AppDeps, repo: ResolvedRepo, run: RunFact): Promise<JobInfo | null> {
  const sync = repo.sync;
  if (!sync) return null;
  const store = deps.store.githubEvents;
  const ref = { owner: repo.owner, name: repo.repo };
  try {
    const stored = await store.jobsOf(repo.github, run.runId);
    let jobs: JobInfo[] = stored.map(jobInfoOf);
    const actions = (await deps.gateways.repo(ref)).actions;
    // `sync.job` may be the YAML id while GitHub reports display names: the file the run ran maps them.
    let names: Record<string, string> | undefined;
    const find = async () => {
      const direct = findSyncJob(jobs, sync.job, names);
      if (direct || names || !run.workflowPath || !run.headSha || jobs.length === 0) return direct;
      names = await jobNamesAt(deps, actions, repo, run.workflowPath, run.headSha);
      return findSyncJob(jobs, sync.job, names);
    };
    let job = await find();
    const storedJob = job && stored.find((j) => j.jobId === job?.id);
    if (!job || job.status !== 'completed' || (isFailedConclusion(job.conclusion) && !storedJob?.steps)) {
      // The deliveries of the jobs did not all arrive (or carried no steps): read them once.
      jobs = await actions.runJobs(ref, run.runId);
      for (const j of jobs) await store.upsertJob({ repo: repo.github, ...jobFactOfInfo(j) });
      for (const j of jobs) if (j.steps.length > 0) await deps.store.syncProjection.setJobSteps(repo.github, j.id, j.steps);
      job = await find();
    }
    if (!job || job.status !== 'completed') return null;
    if (!isFailedConclusion(job.conclusion)) return job;
    const known = StoredFindings.safeParse(await deps.store.syncProjection.logFindings(repo.github, job.id));
    if (!known.success) await readLogFindings(deps, actions, repo, job);
    return job;
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    deps.logger.warn({ err: e, repo: repo.github, run: run.runId }, 'the sync run could not be completed in the projection; /sync-status will read GitHub');
    return null;
  }
}

/** The stored findings of a job, parsed (for the sync alert, so the log is read once for both). */
export async function storedFindings(deps: AppDeps, repo: string, jobId: number): Promise<StoredFindings | null> {
  const p = StoredFindings.safeParse(await deps.store.syncProjection.logFindings(repo, jobId));
  return p.success ? p.data : null;
}
