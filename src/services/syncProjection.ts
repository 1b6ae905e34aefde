import { z } from 'zod';
import type { ResolvedRepo } from '../config/load.js';
import type { SyncConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import { isFailedConclusion } from '../core/jobConclusion.js';
import type { ActionsPort, JobInfo, RepoRef, RepoRefsState, SecretMeta } from '../core/ports.js';
import { diagnoseLog } from '../core/sync/diagnoseLog.js';
import type { Fetched, SyncFacts } from '../core/sync/facts.js';
import { projectedRunFacts, projectionFreshness, reusableCheck, type MirrorCheck, type ProjectionView, type StoredFindings } from '../core/sync/projection.js';
import { jobNamesOf, workflowPathOf } from '../core/sync/workflowJobNames.js';
import type { SyncPorts } from './syncFacts.js';
import { settle } from './settle.js';

/**
 * /sync-status from the projection (issue 19). When the projection is fresh
 * (core/sync/projection.ts says what that means) the report is the stored run, jobs and
 * log findings plus the mirror check: both hosts' refs and the secrets' dates, asked in
 * parallel (one round trip after the ack), or, within a minute of the last check, that
 * check again and the secrets asked conditionally (GitHub answers 304).
 */

/** How recent a delivery or the poller's confirmation must be: twice the interval the poller looks at (reconcile with webhooks, poll without). */
export function freshnessWindowMs(deps: AppDeps): number {
  const events = deps.config.file.events;
  const seconds = deps.config.env.GITHUB_WEBHOOK_SECRET ? events.reconcileSeconds : events.pollSeconds;
  return 2 * seconds * 1000;
}

/** The projection of one repository's sync workflow, as core/sync/projection.ts reads it. */
export async function projectionView(deps: AppDeps, repo: ResolvedRepo, sync: SyncConfig): Promise<ProjectionView | null> {
  const path = workflowPathOf(sync.workflow);
  if (!path) return null; // a workflow given by id: runs are kept by path only
  const events = deps.store.githubEvents;
  const [runs, confirmedAt, pending] = await Promise.all([
    events.latestRuns(repo.github, path, 1),
    deps.store.syncProjection.confirmedAt(repo.github),
    events.pending(repo.github, 1),
  ]);
  const run = runs[0] ?? null;
  const jobs = run ? await events.jobsOf(repo.github, run.runId) : [];
  const findings: Record<string, unknown> = {};
  for (const j of jobs) if (isFailedConclusion(j.conclusion)) findings[String(j.jobId)] = await deps.store.syncProjection.logFindings(repo.github, j.jobId);
  const jobNamesAtRun = run?.workflowPath && run.headSha ? await storedJobNames(deps, repo.github, run.workflowPath, run.headSha) : null;
  return { run, jobs, findings, confirmedAt, pendingDeliveries: pending.length, jobNamesAtRun };
}

const JobNames = z.record(z.string(), z.string());

/** The job names of a workflow file at a commit as stored, or null (never read, or a row this version cannot read). */
async function storedJobNames(deps: AppDeps, repo: string, path: string, sha: string): Promise<Record<string, string> | null> {
  const parsed = JobNames.safeParse(await deps.store.syncProjection.workflowJobNames(repo, path, sha));
  return parsed.success ? parsed.data : null;
}

/**
 * The job ids → display names of the workflow file a run ran: from the store, or read from
 * GitHub once and stored (a file at a commit never changes).
 */
export async function jobNamesAt(deps: AppDeps, actions: ActionsPort, repo: ResolvedRepo, path: string, sha: string): Promise<Record<string, string>> {
  const stored = await storedJobNames(deps, repo.github, path, sha);
  if (stored) return stored;
  const names = await actions.workflowJobNames({ owner: repo.owner, name: repo.repo }, path, sha);
  await deps.store.syncProjection.setWorkflowJobNames(repo.github, path, sha, names);
  return names;
}

/** A failed job's log, read and reduced to what the report needs; stored so it is read once. */
export async function readLogFindings(deps: AppDeps, actions: ActionsPort, repo: ResolvedRepo, job: JobInfo): Promise<StoredFindings> {
  const log = await settle(actions.jobLog({ owner: repo.owner, name: repo.repo }, job));
  const findings: StoredFindings = log.ok ? { ok: true, value: diagnoseLog(log.value) } : log;
  // A log that could not be read this time may be read next time: only what it said is kept.
  if (findings.ok) await deps.store.syncProjection.setLogFindings(repo.github, job.id, findings);
  return findings;
}

const RefsState = z.object({
  defaultBranch: z.string(),
  headSha: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  totalTags: z.number(),
  fileAtHead: z.string().nullable().optional(),
});
const FetchedOf = <T extends z.ZodType>(value: T) =>
  z.union([z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), reason: z.string(), code: z.string().optional() })]);
const StoredRefs = FetchedOf(RefsState);
const StoredSecrets = FetchedOf(z.array(z.object({ name: z.string(), updatedAt: z.string() })));

/** The last mirror check of a repository, or null (none, or stored by another version in another shape). */
export async function lastMirrorCheck(deps: AppDeps, repo: string): Promise<MirrorCheck | null> {
  const stored = await deps.store.syncProjection.lastCheck(repo);
  if (!stored) return null;
  const gh = StoredRefs.safeParse(stored.githubRefs);
  const mirror = StoredRefs.safeParse(stored.mirrorRefs);
  const secrets = StoredSecrets.safeParse(stored.secrets);
  if (!gh.success || !mirror.success) return null;
  return {
    checkedAt: stored.checkedAt,
    githubRefs: gh.data as Fetched<RepoRefsState>,
    mirrorRefs: mirror.data as Fetched<RepoRefsState>,
    secrets: secrets.success ? (secrets.data as Fetched<SecretMeta[]>) : null,
  };
}

/** Keeps what a report read of both hosts and the secrets, for a repeat within a minute and for the Home tab. */
export async function saveMirrorCheck(deps: AppDeps, repo: string, c: MirrorCheck): Promise<void> {
  await deps.store.syncProjection.saveCheck({ repo, checkedAt: c.checkedAt, githubRefs: c.githubRefs, mirrorRefs: c.mirrorRefs, secrets: c.secrets });
}

function refOf(fullName: string): RepoRef {
  const [owner = '', name = ''] = fullName.split('/');
  return { owner, name };
}

/**
 * SyncFacts from the projection, or null when it is not fresh (the caller walks GitHub as
 * before). The only GitHub round trip is the mirror check with the secrets beside it;
 * rare cases add what the walk would have read (the workflow file at the run's commit
 * when the job is named by its YAML id and the file at head does not say; the log of a
 * failed sync job whose delivery left none).
 */
export async function factsFromProjection(deps: AppDeps, repo: ResolvedRepo, sync: SyncConfig, ports: SyncPorts): Promise<SyncFacts | null> {
  const view = await projectionView(deps, repo, sync);
  if (!view) return null;
  const now = deps.now();
  const freshness = projectionFreshness(view, now, freshnessWindowMs(deps));
  if (!freshness.fresh) {
    deps.logger.debug({ repo: repo.github, reason: freshness.reason }, '/sync-status walks GitHub: the projection is not fresh');
    return null;
  }
  const ghRepo = { owner: repo.owner, name: repo.repo };
  const workflowPath = workflowPathOf(sync.workflow);
  const reused = reusableCheck(await lastMirrorCheck(deps, repo.github), now);
  const secretsP = settle(ports.actions.listSecrets(ghRepo));
  let check: MirrorCheck;
  if (reused) {
    check = { ...reused, secrets: await secretsP };
    await saveMirrorCheck(deps, repo.github, check);
  } else {
    const [githubRefs, mirrorRefs, secrets] = await Promise.all([
      settle(ports.githubRefs.repoRefs(ghRepo, workflowPath ? { fileAtHead: workflowPath } : {})),
      settle(ports.mirrorRefs.repoRefs(refOf(sync.mirror.repo))),
      secretsP,
    ]);
    check = { checkedAt: now, githubRefs, mirrorRefs, secrets };
    await saveMirrorCheck(deps, repo.github, check);
  }
  const atHead = check.githubRefs.ok && typeof check.githubRefs.value.fileAtHead === 'string' ? jobNamesOf(check.githubRefs.value.fileAtHead) : null;
  let run = projectedRunFacts(view, sync.job, { atHead });
  if (run.kind === 'needs_job_names' && run.run.workflowPath) {
    const names = await settle(jobNamesAt(deps, ports.actions, repo, run.run.workflowPath, run.run.headSha));
    run = projectedRunFacts(view, sync.job, { atHead, atRun: names.ok ? names.value : null });
  }
  let runFacts: Pick<SyncFacts, 'run' | 'jobs' | 'syncJobLog' | 'syncJobFindings' | 'workflowJobNames'>;
  if (run.kind === 'needs_log') {
    // What the walk would read: the jobs with their steps, and the log.
    const [jobs, findings] = await Promise.all([settle(ports.actions.runJobs(ghRepo, run.run.id)), readLogFindings(deps, ports.actions, repo, run.job)]);
    if (jobs.ok) {
      const steps = jobs.value.find((j) => j.id === run.job.id)?.steps;
      if (steps) await deps.store.syncProjection.setJobSteps(repo.github, run.job.id, steps);
    }
    runFacts = {
      run: { ok: true, value: run.run },
      jobs,
      syncJobLog: null,
      syncJobFindings: findings,
      ...(run.workflowJobNames ? { workflowJobNames: run.workflowJobNames } : {}),
    };
  } else if (run.kind === 'needs_job_names') {
    runFacts = { run: { ok: true, value: run.run }, jobs: { ok: true, value: run.jobs }, syncJobLog: null };
  } else {
    runFacts = run.facts;
  }
  return {
    repo: { name: repo.shortName, github: repo.github, webUrl: `${ports.githubWebUrl}/${repo.github}` },
    workflow: sync.workflow,
    job: sync.job,
    ...runFacts,
    secrets: check.secrets ?? (await secretsP),
    configuredSecrets: repo.secrets,
    mirror: { host: ports.mirrorWebUrl, repo: sync.mirror.repo, webUrl: `${ports.mirrorWebUrl}/${sync.mirror.repo}` },
    githubRefs: check.githubRefs,
    mirrorRefs: check.mirrorRefs,
    ...(reused ? { mirrorCheckedAt: reused.checkedAt.toISOString() } : {}),
  };
}
