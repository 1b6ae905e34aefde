import type { JobInfo, WorkflowRunInfo } from '../ports.js';
import { toDiagnosis, type AdviceContext } from './advice.js';
import { diagnoseLog } from './diagnoseLog.js';
import { msBetween } from './durations.js';
import type { SyncFacts } from './facts.js';
import { findSyncJob } from './findSyncJob.js';
import { secretsForHost } from './hosts.js';
import type { FailureDetail, JobState, JobSummary, RunPart, RunSummary, SkipDetail } from './reportSchema.js';
import { finishedJobState } from '../jobConclusion.js';

/** Longest list of job names kept when the sync job is not found. */
const MAX_JOB_NAMES = 50;

function runSummary(run: WorkflowRunInfo, webUrl: string): RunSummary {
  return {
    id: run.id,
    number: run.runNumber,
    attempt: run.runAttempt,
    name: run.name,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    displayTitle: run.displayTitle,
    headSha: run.headSha,
    headBranch: run.headBranch,
    url: run.htmlUrl,
    commitUrl: `${webUrl}/commit/${run.headSha}`,
    createdAt: run.createdAt,
    startedAt: run.runStartedAt,
  };
}

export function jobState(job: Pick<JobInfo, 'status' | 'conclusion'>): JobState {
  if (job.status !== 'completed') {
    if (job.status === 'in_progress') return 'in_progress';
    if (job.status === 'waiting') return 'waiting';
    return 'queued';
  }
  return finishedJobState(job.conclusion);
}

function jobSummary(job: JobInfo, run: WorkflowRunInfo, state: JobState, now: Date): JobSummary {
  const finished = job.status === 'completed';
  // A skipped job "ran" for no time: a duration would only mislead.
  const durationMs = finished && state !== 'skipped' ? msBetween(job.startedAt, job.completedAt) : null;
  const since = job.startedAt ?? run.runStartedAt ?? run.createdAt;
  return {
    name: job.name,
    url: job.htmlUrl ?? run.htmlUrl,
    state,
    conclusion: job.conclusion,
    startedAt: job.startedAt,
    completedAt: job.completedAt,
    durationMs,
    elapsedMs: finished ? null : msBetween(since, now),
  };
}

function failureDetail(job: JobInfo, facts: SyncFacts, adviceContext: AdviceContext): FailureDetail {
  const step = job.steps.find((s) => s.conclusion === 'failure');
  const failedStep = step ? { number: step.number, name: step.name } : null;
  const findings = facts.syncJobFindings;
  if (findings) {
    if (!findings.ok) return { failedStep, diagnosis: null, logProblem: findings.reason };
    return { failedStep, diagnosis: toDiagnosis(findings.value, adviceContext), logProblem: null };
  }
  const log = facts.syncJobLog;
  if (log === null) return { failedStep, diagnosis: null, logProblem: 'the job log was not fetched' };
  if (!log.ok) return { failedStep, diagnosis: null, logProblem: log.reason };
  return { failedStep, diagnosis: toDiagnosis(diagnoseLog(log.value), adviceContext), logProblem: null };
}

const BLOCKING = new Set(['failure', 'cancelled', 'timed_out', 'startup_failure']);

function skipDetail(job: JobInfo, jobs: readonly JobInfo[], run: WorkflowRunInfo, facts: SyncFacts): SkipDetail {
  const index = jobs.indexOf(job);
  const upstream = jobs
    .filter((j, i) => j !== job && BLOCKING.has(j.conclusion ?? '') && (i < index || finishedBefore(j, job)))
    .map((j) => ({ name: j.name, url: j.htmlUrl ?? run.htmlUrl, conclusion: j.conclusion }));
  if (upstream.length > 0) return { upstream, secretCheck: null };
  const checked = secretsForHost(facts.configuredSecrets, facts.mirror.host).map((s) => s.name);
  if (!facts.secrets.ok) return { upstream, secretCheck: { readable: false, checked, reason: facts.secrets.reason } };
  const existing = new Set(facts.secrets.value.map((s) => s.name.toUpperCase()));
  return {
    upstream,
    secretCheck: { readable: true, checked, missing: checked.filter((n) => !existing.has(n.toUpperCase())) },
  };
}

function finishedBefore(a: JobInfo, b: JobInfo): boolean {
  if (!a.completedAt || !(b.startedAt ?? b.completedAt)) return false;
  return Date.parse(a.completedAt) <= Date.parse((b.startedAt ?? b.completedAt) as string);
}

/** The last run of the publish workflow and what happened to the sync job in it. */
export function runPart(facts: SyncFacts, now: Date, adviceContext: AdviceContext): RunPart {
  if (!facts.run.ok) return { kind: 'unavailable', reason: facts.run.reason };
  const run = facts.run.value;
  if (run === null) return { kind: 'never_ran' };
  const summary = runSummary(run, facts.repo.webUrl);
  if (facts.jobs === null) return { kind: 'jobs_unavailable', run: summary, reason: 'the jobs of this run were not fetched' };
  if (!facts.jobs.ok) return { kind: 'jobs_unavailable', run: summary, reason: facts.jobs.reason };
  const jobs = facts.jobs.value;
  const job = findSyncJob(jobs, facts.job, facts.workflowJobNames);
  if (!job && run.status !== 'completed') {
    return {
      kind: 'job_pending',
      run: summary,
      jobs: jobs.slice(0, MAX_JOB_NAMES).map((j) => ({ name: j.name, url: j.htmlUrl ?? run.htmlUrl, status: j.status, conclusion: j.conclusion })),
    };
  }
  if (!job) {
    return {
      kind: 'job_missing',
      run: summary,
      jobNames: jobs.slice(0, MAX_JOB_NAMES).map((j) => j.name),
      totalJobs: jobs.length,
    };
  }
  const state = jobState(job);
  return {
    kind: 'found',
    run: summary,
    job: jobSummary(job, run, state, now),
    failure: state === 'failure' || state === 'timed_out' ? failureDetail(job, facts, adviceContext) : null,
    skipped: state === 'skipped' ? skipDetail(job, jobs, run, facts) : null,
  };
}
