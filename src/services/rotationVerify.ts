import type { AppDeps } from '../deps.js';
import type { RotationEvent } from '../core/rotation/decide.js';
import type { Rotation } from '../core/rotation/state.js';
import type { RotationTarget } from '../core/rotation/target.js';
import type { JobInfo, WorkflowRunInfo } from '../core/ports.js';
import type { DeployKeyTarget } from '../core/secrets/facts.js';
import { toDiagnosis } from '../core/sync/advice.js';
import { diagnoseLog } from '../core/sync/diagnoseLog.js';
import { findSyncJob } from '../core/sync/findSyncJob.js';
import { isChatOpsError } from '../errors.js';
import { webUrlOf } from '../github/octokit.js';
import { rotationText } from '../ui/rotationText.js';
import { repoGateways, type RepoGateways } from './repoGateways.js';
import { planFollowLook, type GitHubLook } from '../core/events/followLook.js';
import { followFallbackSeconds, latestJobs, projectedRun } from './events/projectedRun.js';

/**
 * Step 6 of a rotation: test the new secret by re-running the last sync job, or by
 * dispatching the secret's `verify:` workflow, and read how it ended. Each function
 * returns the event to apply, or null when there is nothing to report yet.
 */

/** A dispatched run not visible after this long never started (never dispatched again: the user may retry). */
const RUN_APPEAR_MS = 180_000;
/**
 * A re-run asked for that GitHub does not show is only asked for again after this
 * long: the replica that asked, if alive, has had its answer by then (a job's lease
 * is at most 30 s, renewed while it works; a dead replica's job is taken over sooner).
 */
export const VERIFY_TAKEOVER_MS = 20_000;
/** A verification run that takes longer than this is reported as failed (the user may retry). */
const RUN_GIVE_UP_MS = 6 * 3_600_000;

type Ev = RotationEvent | null;
const failed = (detail: string): RotationEvent => ({ kind: 'verify_start_failed', detail });

export async function startVerification(deps: AppDeps, r: Rotation, t: RotationTarget): Promise<Ev> {
  try {
    const ctx = await repoGateways(deps, t.repo);
    if (r.state.verify.method === 'dispatch' && t.secret.verify) {
      const v = t.secret.verify;
      const ref = v.ref ?? (await ctx.port.defaultBranch(ctx.ref));
      const res = await ctx.port.dispatch(ctx.ref, v.workflow, ref, v.inputs);
      // Without the run's id (older hosts, unclear answers) the watcher looks for it; it never dispatches twice.
      return res.kind === 'run' ? { kind: 'verify_started', runId: res.runId, runUrl: res.htmlUrl, attemptBefore: null, jobId: null } : null;
    }
    const sync = t.repo.sync;
    if (!sync) return failed('no sync job is configured');
    const run = await ctx.actions.latestRun(ctx.ref, sync.workflow);
    if (!run) return failed(rotationText.verifyStart.noRun(String(sync.workflow)));
    if (run.status !== 'completed') return failed(rotationText.verifyStart.busy);
    const job = await syncJobOf(ctx, run, sync.job);
    if (!job) return failed(rotationText.verifyStart.noJob(sync.job));
    await ctx.actions.rerunJob(ctx.ref, job.id);
    return { kind: 'verify_started', runId: run.id, runUrl: run.htmlUrl, attemptBefore: run.runAttempt, jobId: job.id };
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    return failed(rotationText.verifyStart.refused(e.userMessage));
  }
}

async function syncJobOf(ctx: RepoGateways, run: WorkflowRunInfo, wanted: string): Promise<JobInfo | null> {
  const jobs = await ctx.actions.runJobs(ctx.ref, run.id);
  const direct = findSyncJob(jobs, wanted);
  if (direct || !run.workflowPath) return direct;
  // The configured name may be the YAML id while the API reports the display name.
  return findSyncJob(jobs, wanted, await ctx.actions.workflowJobNames(ctx.ref, run.workflowPath, run.headSha));
}

/**
 * What a watch of a verification run carries between looks: its last read of the run from
 * GitHub, the reference of the freshness rule (core/events/followLook.ts). Updated in place
 * by checkVerification when it reads GitHub.
 */
export interface VerifyFollow {
  lastGitHubLook: GitHubLook | null;
}

/**
 * Looks at the verification: finds a run that was asked for, or reads how it ended. The
 * run's end comes from the projection while webhook deliveries keep it fresh (no GitHub
 * request for the run or its jobs), else from GitHub.
 */
export async function checkVerification(deps: AppDeps, r: Rotation, t: RotationTarget, follow: VerifyFollow = { lastGitHubLook: null }): Promise<Ev> {
  const v = r.state.verify;
  const now = deps.now().getTime();
  const since = v.startedAt ? Date.parse(v.startedAt) : now;
  try {
    const ctx = await repoGateways(deps, t.repo);
    if (v.state === 'starting') {
      if (v.method === 'dispatch' && t.secret.verify) {
        const runs = await ctx.port.workflowRuns(ctx.ref, t.secret.verify.workflow, { event: 'workflow_dispatch', perPage: 10 });
        const found = runs.find((x) => Date.parse(x.createdAt) >= since - 60_000);
        if (found) return { kind: 'verify_started', runId: found.id, runUrl: found.htmlUrl, attemptBefore: null, jobId: null };
        return now - since > RUN_APPEAR_MS ? failed(rotationText.verifyStart.noRunAppeared) : null;
      }
      if (!t.repo.sync) return null;
      // GitHub first: a re-run asked for by a replica that stopped (perhaps killed before
      // it heard the answer) is found there and followed, never asked for twice.
      const run = await ctx.actions.latestRun(ctx.ref, t.repo.sync.workflow);
      if (run && run.runAttempt > 1 && run.runStartedAt && Date.parse(run.runStartedAt) >= since - 5_000) {
        return { kind: 'verify_started', runId: run.id, runUrl: run.htmlUrl, attemptBefore: run.runAttempt - 1, jobId: null };
      }
      // Not there: a replica that is still asking gets its answer first; after that the re-run is asked for again.
      if (now - since < VERIFY_TAKEOVER_MS) return null;
      return startVerification(deps, r, t);
    }
    if (v.state !== 'running' || v.runId === null) return null;
    const { webhooks, fallbackSeconds } = followFallbackSeconds(deps);
    const projected = webhooks ? await projectedRun(deps, t.repo.github, v.runId) : null;
    const projectedJobs = projected ? latestJobs(projected.jobs) : [];
    const look = planFollowLook({
      now: new Date(now).toISOString(),
      webhooks,
      fallbackSeconds,
      followingSince: new Date(since).toISOString(),
      lastGitHubLook: follow.lastGitHubLook,
      projected: projected?.version ?? null,
      jobsBehindRun: projected?.run.status === 'completed' && projectedJobs.some((j) => j.status !== 'completed'),
      rerunsToldApart: true,
    });
    // Nothing delivered about the run yet: its delivery wakes the watch, or the fallback look comes.
    if (look.source === 'wait') return null;
    const fromProjection = look.source === 'projection' && projected !== null;
    const run = fromProjection ? projected.run : await ctx.port.run(ctx.ref, v.runId);
    if (!fromProjection) follow.lastGitHubLook = { at: new Date(now).toISOString(), run: { attempt: run.runAttempt, updatedAt: run.updatedAt } };
    const newAttempt = v.attemptBefore === null || run.runAttempt > v.attemptBefore;
    if (!newAttempt || run.status !== 'completed') {
      return now - since > RUN_GIVE_UP_MS
        ? { kind: 'verify_finished', passed: false, runUrl: run.htmlUrl, detail: 'the run did not finish within 6 hours', advice: [] }
        : null;
    }
    const jobs = fromProjection ? projectedJobs : await ctx.actions.runJobs(ctx.ref, run.id);
    const syncJob = async (wanted: string) =>
      fromProjection
        ? (findSyncJob(jobs, wanted) ??
          (run.workflowPath ? findSyncJob(jobs, wanted, await ctx.actions.workflowJobNames(ctx.ref, run.workflowPath, run.headSha)) : null))
        : syncJobOf(ctx, run, wanted);
    const job = v.method === 'rerun' && t.repo.sync ? (jobs.find((j) => j.id === v.jobId) ?? (await syncJob(t.repo.sync.job))) : null;
    const conclusion = job ? job.conclusion : run.conclusion;
    if (conclusion === 'success') return { kind: 'verify_finished', passed: true, runUrl: job?.htmlUrl ?? run.htmlUrl, detail: null, advice: [] };
    const culprit = job ?? jobs.find((j) => j.conclusion === 'failure') ?? null;
    return {
      kind: 'verify_finished',
      passed: false,
      runUrl: culprit?.htmlUrl ?? run.htmlUrl,
      ...(await explain(deps, ctx, t, culprit, conclusion ?? 'unknown')),
    };
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    deps.logger.warn({ err: e, rotation: r.id }, 'verification not checked; will look again');
    return null;
  }
}

/** What a failed verification means, from the job's log, after the seed's troubleshooting. */
async function explain(
  deps: AppDeps,
  ctx: RepoGateways,
  t: RotationTarget,
  job: JobInfo | null,
  conclusion: string,
): Promise<{ detail: string; advice: string[] }> {
  const plain = { detail: rotationText.verifyFailed(conclusion), advice: [] as string[] };
  if (!job || job.conclusion !== 'failure') return plain;
  let log: string;
  try {
    log = await ctx.actions.jobLog(ctx.ref, job);
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    return plain;
  }
  const d = diagnoseLog(log);
  const mirror = t.repo.sync?.mirror;
  const diagnosis = toDiagnosis(d, {
    repoName: t.repo.shortName,
    github: t.repo.github,
    mirrorHost: mirror ? webUrlOf(mirror.apiUrl) : t.secret.host,
    mirrorRepo: mirror?.repo ?? t.repo.github,
    mirrorWebUrl: mirror ? `${webUrlOf(mirror.apiUrl)}/${mirror.repo}` : `${t.secret.host}/${t.repo.github}`,
    secret: t.secret,
    secretStatus: null,
  });
  const evidence = diagnosis.evidence ? ` ("${diagnosis.evidence}")` : '';
  // "Rotate it" is what this rotation just did: the rest of the advice is what to check.
  return { detail: `${diagnosis.label}${evidence}`, advice: diagnosis.advice.filter((a) => !a.startsWith('Rotate it')) };
}

/** Deletes the deploy key the new one replaces (idempotent: already gone counts as deleted). */
export async function deleteOldDeployKey(deps: AppDeps, key: DeployKeyTarget): Promise<Ev> {
  const mirror = deps.config.repos.map((x) => x.sync?.mirror).find((m) => m?.apiUrl === key.apiUrl && m.repo === key.repo);
  if (!mirror) return { kind: 'old_deleted', detail: `not deleted: ${key.repo} is no longer configured` };
  const [owner = '', name = ''] = key.repo.split('/');
  try {
    await deps.gateways.mirror(mirror).deployKeys.remove({ owner, name }, key.id);
    return { kind: 'old_deleted', detail: key.title };
  } catch (e) {
    if (!isChatOpsError(e)) throw e;
    deps.logger.warn({ err: e, key: key.id }, 'old deploy key not deleted; will try again');
    return null;
  }
}
