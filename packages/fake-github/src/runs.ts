import { isoSeconds } from './clock.js';
import { renderJobLog } from './logs.js';
import type { GitHubState, JobRec, RepoRec, RunRec, StepRec, WorkflowRec } from './state.js';
import type { JobConclusion, JobStatus } from './types.js';
import { jobShouldRun, type JobDef } from './workflowModel.js';

/**
 * Workflow runs as Actions plays them out: jobs appear when their `needs` are
 * settled, a job whose needs did not succeed is skipped (no steps, no log), and the
 * run's status and conclusion follow from its jobs.
 */

export interface StartRunOptions {
  event?: string;
  headBranch: string;
  headSha?: string;
  actor?: string;
  createdAt?: string;
  displayTitle?: string;
}

export interface JobUpdate {
  status: JobStatus;
  conclusion?: JobConclusion;
  failedStep?: string;
  log?: string;
}

export type JobOutcome = 'success' | 'cancelled' | 'skipped' | 'failure' | { conclusion: 'failure'; failedStep?: string; log?: string };

function resolveHeadSha(repo: RepoRec, ref: string): string | undefined {
  return repo.branches.get(ref) ?? repo.tags.get(ref)?.commitSha ?? (repo.commits.has(ref) ? ref : undefined);
}

export function startRun(state: GitHubState, repo: RepoRec, wf: WorkflowRec, o: StartRunOptions): RunRec {
  const headSha = o.headSha ?? resolveHeadSha(repo, o.headBranch) ?? repo.branches.get(repo.defaultBranch);
  if (!headSha) throw new Error(`fake GitHub: ${repo.fullName} has no commit for ${o.headBranch}; pushCommit first`);
  const event = o.event ?? 'push';
  const created = isoSeconds(o.createdAt ? new Date(o.createdAt) : state.clock.tick(30));
  if (o.createdAt) state.clock.advanceTo(o.createdAt);
  const headline = (repo.commits.get(headSha)?.message ?? '').split('\n')[0] ?? '';
  const title =
    o.displayTitle ??
    (event === 'push' || event === 'pull_request' ? headline || wf.def.name : wf.def.runName && !wf.def.runName.includes('${{') ? wf.def.runName : wf.def.name);
  wf.runCounter += 1;
  const run: RunRec = {
    id: state.nextId('run'),
    repoKey: repo.fullName.toLowerCase(),
    workflowId: wf.id,
    runNumber: wf.runCounter,
    event,
    status: 'queued',
    conclusion: null,
    headBranch: o.headBranch,
    headSha,
    actor: o.actor ?? repo.owner,
    triggeringActor: o.actor ?? repo.owner,
    displayTitle: title,
    createdAt: created,
    runStartedAt: created,
    updatedAt: created,
    runAttempt: 1,
    jobs: [],
    replacedJobs: [],
    previousAttempts: [],
  };
  repo.runs.push(run);
  state.changed({ kind: 'workflow_run', action: 'requested', repo, run });
  settle(state, run, wf);
  return run;
}

function workflowOf(repo: RepoRec, run: RunRec): WorkflowRec {
  const wf = repo.workflows.find((w) => w.id === run.workflowId);
  if (!wf) throw new Error(`fake GitHub: workflow ${run.workflowId} of run ${run.id} is gone`);
  return wf;
}

function jobDef(wf: WorkflowRec, key: string): JobDef {
  const def = wf.def.jobs.find((j) => j.key === key);
  if (!def) throw new Error(`fake GitHub: ${wf.path} has no job '${key}' (jobs: ${wf.def.jobs.map((j) => j.key).join(', ')})`);
  return def;
}

function createJob(state: GitHubState, run: RunRec, def: JobDef): JobRec {
  const created = isoSeconds(state.clock.tick(2));
  const job: JobRec = {
    id: state.nextId('job'),
    runId: run.id,
    runAttempt: run.runAttempt,
    key: def.key,
    name: def.name,
    status: 'queued',
    conclusion: null,
    createdAt: created,
    startedAt: created,
    completedAt: null,
    steps: [],
    runnerId: null,
    runnerName: null,
  };
  run.jobs.push(job);
  jobChanged(state, run, job, 'queued');
  return job;
}

function jobChanged(state: GitHubState, run: RunRec, job: JobRec, action: 'queued' | 'waiting' | 'in_progress' | 'completed'): void {
  state.changed({ kind: 'workflow_job', action, repo: state.repoOfRun(run), run, job });
}

function assignRunner(state: GitHubState, job: JobRec): void {
  if (job.runnerId !== null) return;
  job.runnerId = state.nextId('runner');
  job.runnerName = `GitHub Actions ${job.runnerId % 1000}`;
}

function begin(state: GitHubState, run: RunRec, job: JobRec, def: JobDef): void {
  job.status = 'in_progress';
  job.conclusion = null;
  job.completedAt = null;
  job.startedAt = isoSeconds(state.clock.tick(4));
  assignRunner(state, job);
  const t = job.startedAt;
  job.steps = def.steps.map((s, i): StepRec => ({
    number: i + 1,
    name: s.name,
    status: i === 0 ? 'completed' : i === 1 ? 'in_progress' : 'queued',
    conclusion: i === 0 ? 'success' : null,
    startedAt: i <= 1 ? t : null,
    completedAt: i === 0 ? t : null,
  }));
  jobChanged(state, run, job, 'in_progress');
}

function failedIndex(def: JobDef, failedStep: string | undefined): number {
  const userSteps = def.steps.map((s, i) => ({ s, i })).filter(({ s }) => s.name !== 'Set up job' && s.name !== 'Complete job' && !s.name.startsWith('Post '));
  if (failedStep === undefined) return userSteps.at(-1)?.i ?? 0;
  const hit = def.steps.findIndex((s) => s.name.toLowerCase() === failedStep.toLowerCase());
  if (hit < 0) throw new Error(`fake GitHub: job '${def.key}' has no step '${failedStep}' (steps: ${def.steps.map((s) => s.name).join(', ')})`);
  return hit;
}

function finish(state: GitHubState, run: RunRec, job: JobRec, def: JobDef, u: JobUpdate): void {
  const conclusion = u.conclusion ?? 'success';
  job.status = 'completed';
  job.conclusion = conclusion;
  delete job.logText;
  if (conclusion === 'skipped') {
    // Skipped jobs never get a runner, steps or a log.
    job.steps = [];
    job.runnerId = null;
    job.runnerName = null;
    job.startedAt = isoSeconds(state.clock.tick(1));
    job.completedAt = job.startedAt;
    jobChanged(state, run, job, 'completed');
    return;
  }
  if (job.runnerId === null || job.steps.length === 0) {
    // Ended without having been seen to start: GitHub still tells of the start first.
    job.startedAt = isoSeconds(state.clock.tick(4));
    assignRunner(state, job);
    job.status = 'in_progress';
    job.conclusion = null;
    jobChanged(state, run, job, 'in_progress');
    job.status = 'completed';
    job.conclusion = conclusion;
  }
  const stopAt = conclusion === 'failure' ? failedIndex(def, u.failedStep) : conclusion === 'cancelled' ? Math.min(1, def.steps.length - 1) : -1;
  let stopped = false;
  job.steps = def.steps.map((s, i): StepRec => {
    const cleanup = s.name === 'Complete job' || s.name.startsWith('Post ');
    if (stopped && !cleanup) {
      const t = job.steps[i - 1]?.completedAt ?? job.startedAt;
      return { number: i + 1, name: s.name, status: 'completed', conclusion: 'skipped', startedAt: t, completedAt: t };
    }
    const started = isoSeconds(i === 0 ? new Date(job.startedAt) : state.clock.peek());
    const done = isoSeconds(state.clock.tick(i === 0 ? 2 : 1 + ((i * 7 + s.name.length) % 19)));
    let c = 'success';
    if (i === stopAt) {
      c = conclusion;
      stopped = true;
    }
    return { number: i + 1, name: s.name, status: 'completed', conclusion: c, startedAt: started, completedAt: done };
  });
  job.completedAt = job.steps.at(-1)?.completedAt ?? isoSeconds(state.clock.tick(1));
  if (conclusion === 'failure') {
    job.failedStep = def.steps[stopAt]?.name ?? '';
    job.failureOutput = u.log ?? '';
  }
  job.logText = renderJobLog(run, job, def);
  jobChanged(state, run, job, 'completed');
}

/** Creates the jobs whose needs are settled (queued, or skipped) and derives the run's status. */
function settle(state: GitHubState, run: RunRec, wf: WorkflowRec): void {
  for (let changed = true; changed;) {
    changed = false;
    for (const def of wf.def.jobs) {
      if (run.jobs.some((j) => j.key === def.key)) continue;
      const needs = def.needs.map((k) => run.jobs.find((j) => j.key === k));
      if (needs.some((j) => !j || j.status !== 'completed')) continue;
      const job = createJob(state, run, def);
      if (
        !jobShouldRun(
          def.condition,
          needs.map((j) => j?.conclusion ?? 'skipped'),
        )
      )
        finish(state, run, job, def, { status: 'completed', conclusion: 'skipped' });
      changed = true;
    }
  }
  const all = wf.def.jobs.every((d) => run.jobs.some((j) => j.key === d.key));
  const prev = `${run.status}/${run.conclusion}`;
  const prevStatus = run.status;
  if (run.jobs.some((j) => j.status === 'waiting')) run.status = 'waiting';
  else if (all && run.jobs.every((j) => j.status === 'completed')) run.status = 'completed';
  // Jobs a re-run kept from an earlier attempt are done already; they do not start the new one.
  else if (run.jobs.some((j) => j.runAttempt === run.runAttempt && j.status !== 'queued')) run.status = 'in_progress';
  else run.status = 'queued';
  run.conclusion =
    run.status !== 'completed'
      ? null
      : run.jobs.some((j) => j.conclusion === 'failure')
        ? 'failure'
        : run.jobs.some((j) => j.conclusion === 'cancelled')
          ? 'cancelled'
          : 'success';
  if (`${run.status}/${run.conclusion}` !== prev || run.status !== 'queued') {
    run.updatedAt = isoSeconds(state.clock.tick(1));
  }
  if (run.status !== prevStatus && (run.status === 'in_progress' || run.status === 'completed')) {
    state.changed({ kind: 'workflow_run', action: run.status, repo: state.repoOfRun(run), run });
  }
}

export function setJob(state: GitHubState, runId: number, key: string, u: JobUpdate): JobRec {
  const { repo, run } = state.findRun(runId);
  const wf = workflowOf(repo, run);
  const def = jobDef(wf, key);
  const job = run.jobs.find((j) => j.key === key) ?? createJob(state, run, def);
  if (u.status === 'queued' || u.status === 'waiting') {
    job.status = u.status;
    job.conclusion = null;
    job.steps = [];
    job.completedAt = null;
    jobChanged(state, run, job, u.status);
  } else if (u.status === 'in_progress') {
    begin(state, run, job, def);
  } else {
    finish(state, run, job, def, u);
  }
  settle(state, run, wf);
  return job;
}

export function completeRun(state: GitHubState, runId: number, outcomes: Record<string, JobOutcome>): RunRec {
  const { repo, run } = state.findRun(runId);
  const wf = workflowOf(repo, run);
  for (const k of Object.keys(outcomes)) jobDef(wf, k);
  for (let progress = true; progress;) {
    progress = false;
    for (const def of wf.def.jobs) {
      const job = run.jobs.find((j) => j.key === def.key);
      if (!job || job.status === 'completed') continue;
      const o = outcomes[def.key] ?? 'success';
      const u: JobUpdate =
        typeof o === 'string' ? { status: 'completed', conclusion: o } : { status: 'completed', conclusion: 'failure', failedStep: o.failedStep, log: o.log };
      finish(state, run, job, def, u);
      settle(state, run, wf);
      progress = true;
    }
  }
  for (const [k, o] of Object.entries(outcomes)) {
    const job = run.jobs.find((j) => j.key === k);
    const wanted = typeof o === 'string' ? o : o.conclusion;
    if (job?.conclusion !== wanted) {
      throw new Error(`fake GitHub: job '${k}' of run ${run.id} ended ${job?.conclusion ?? 'never started'}, not ${wanted} (its needs did not all succeed)`);
    }
  }
  return run;
}

/** `key` and every job that needs it, directly or through others. */
function withDependents(wf: WorkflowRec, key: string): Set<string> {
  const keys = new Set([key]);
  for (let grew = true; grew;) {
    grew = false;
    for (const d of wf.def.jobs) {
      if (!keys.has(d.key) && d.needs.some((n) => keys.has(n))) {
        keys.add(d.key);
        grew = true;
      }
    }
  }
  return keys;
}

/**
 * Re-runs a job and the jobs that depend on it, as Actions does: a new attempt of the
 * run (run_attempt + 1, queued again, started now by `actor`); the other jobs are
 * kept from the attempt before, the re-run ones are replaced by new jobs (new ids)
 * that appear as their needs settle. The caller checks that the run has completed.
 */
export function rerunJob(state: GitHubState, runId: number, key: string, actor: string): RunRec {
  const { repo, run } = state.findRun(runId);
  if (run.status !== 'completed') throw new Error(`fake GitHub: run ${runId} is ${run.status}; a job can be re-run only once its run has completed`);
  const wf = workflowOf(repo, run);
  jobDef(wf, key);
  const again = withDependents(wf, key);
  run.previousAttempts.push({
    attempt: run.runAttempt,
    status: run.status,
    conclusion: run.conclusion,
    runStartedAt: run.runStartedAt,
    updatedAt: run.updatedAt,
    triggeringActor: run.triggeringActor,
  });
  run.replacedJobs.push(...run.jobs.filter((j) => again.has(j.key)));
  run.jobs = run.jobs.filter((j) => !again.has(j.key));
  run.runAttempt += 1;
  run.triggeringActor = actor;
  run.status = 'queued';
  run.conclusion = null;
  run.runStartedAt = isoSeconds(state.clock.wallNow());
  run.updatedAt = run.runStartedAt;
  state.changed({ kind: 'workflow_run', action: 'requested', repo, run });
  settle(state, run, wf);
  return run;
}

/** Every job the run ever had, earlier attempts first (`filter=all`). */
export function allJobs(run: RunRec): JobRec[] {
  return [...run.replacedJobs, ...run.jobs].sort((a, b) => a.runAttempt - b.runAttempt || a.id - b.id);
}
