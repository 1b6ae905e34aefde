import { signedLogUrl } from '../blob.js';
import { isoSeconds } from '../clock.js';
import { ApiError, bodyObject, invalid, notFound, paginate, type Ctx, type Route } from '../http.js';
import { allJobs, rerunJob, startRun } from '../runs.js';
import { jobJson, runJson, workflowJson } from '../serialize.js';
import type { RunRec, WorkflowRec } from '../state.js';
import type { Schema } from '../types.js';

/** Actions: workflows, runs, jobs, job logs, workflow_dispatch. */

const READ = { kind: 'repo', level: 'read', perm: 'actions' } as const;

function workflowOf(ctx: Ctx): WorkflowRec {
  const wf = ctx.state.findWorkflow(ctx.repo, ctx.params.workflow_id ?? '');
  if (!wf) throw notFound();
  return wf;
}

/** GitHub's `created` filter: `2026-01-27`, `>=2026-01-27`, `<2026-01-27T10:00:00Z`, `a..b` (`*` open). */
export function createdMatcher(spec: string): (iso: string) => boolean {
  const bare = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s);
  const start = (s: string): number => new Date(bare(s) ? `${s}T00:00:00Z` : s).getTime();
  const end = (s: string): number => (bare(s) ? start(s) + 86_400_000 : new Date(s).getTime() + 1);
  const range = /^(.+)\.\.(.+)$/.exec(spec);
  let lo = -Infinity;
  let hi = Infinity; // exclusive
  if (range?.[1] && range[2]) {
    if (range[1] !== '*') lo = start(range[1]);
    if (range[2] !== '*') hi = end(range[2]);
  } else {
    const m = /^(>=|<=|>|<)?(.+)$/.exec(spec);
    const op = m?.[1] ?? '';
    const v = m?.[2] ?? spec;
    if (op === '>=') lo = start(v);
    else if (op === '>') lo = end(v);
    else if (op === '<=') hi = end(v);
    else if (op === '<') hi = start(v);
    else {
      lo = start(v);
      hi = end(v);
    }
  }
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw invalid(`Invalid created filter: ${spec}`);
  return (iso) => {
    const t = new Date(iso).getTime();
    return t >= lo && t < hi;
  };
}

const visible = (r: RunRec): boolean => r.visibleAfter === undefined || r.visibleAfter <= Date.now();

const RUN_STATUSES = new Set(['completed', 'in_progress', 'queued', 'requested', 'waiting', 'pending', 'action_required']);

function listRuns(
  ctx: Ctx,
  runs: RunRec[],
): { status: number; body: { total_count: number; workflow_runs: Schema<'workflow-run'>[] }; headers: Record<string, string> } {
  const q = ctx.query;
  const created = q.created ? createdMatcher(q.created) : undefined;
  const filtered = runs
    .filter(visible)
    .filter((r) => !q.branch || r.headBranch === q.branch)
    .filter((r) => !q.event || r.event === q.event)
    .filter((r) => !q.head_sha || r.headSha === q.head_sha)
    .filter((r) => !q.actor || r.actor.toLowerCase() === q.actor.toLowerCase())
    .filter((r) => !q.status || (RUN_STATUSES.has(q.status) ? r.status === q.status : r.conclusion === q.status))
    .filter((r) => !created || created(r.createdAt))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
  const { page, headers } = paginate(ctx, filtered);
  return { status: 200, body: { total_count: filtered.length, workflow_runs: page.map((r) => runJson(ctx.state, ctx.repo, r)) }, headers };
}

function findRun(ctx: Ctx): RunRec {
  const run = ctx.repo.runs.find((r) => String(r.id) === ctx.params.run_id);
  if (!run || !visible(run)) throw notFound();
  return run;
}

/** A job of any attempt of any run of the repository. */
function findJob(ctx: Ctx): { run: RunRec; job: RunRec['jobs'][number] } {
  for (const run of ctx.repo.runs) {
    const job = [...run.jobs, ...run.replacedJobs].find((j) => String(j.id) === ctx.params.job_id);
    if (job) return { run, job };
  }
  throw notFound();
}

function attemptNumber(ctx: Ctx, run: RunRec): number {
  const n = Number(ctx.params.attempt_number);
  if (!Number.isInteger(n) || n < 1 || n > run.runAttempt) throw notFound();
  return n;
}

function jobsReply(
  ctx: Ctx,
  run: RunRec,
  jobs: RunRec['jobs'],
): { status: number; body: { total_count: number; jobs: Schema<'job'>[] }; headers: Record<string, string> } {
  const { page, headers } = paginate(ctx, jobs);
  return { status: 200, body: { total_count: jobs.length, jobs: page.map((j) => jobJson(ctx.state, ctx.repo, run, j)) }, headers };
}

/**
 * Re-runs the job and those that need it, as a new attempt of the run. GitHub refuses
 * while any job of the run is still going, with a 403 worded as below.
 */
function rerun(ctx: Ctx): { status: number; body: Record<string, never> } {
  const body = bodyObject(ctx);
  for (const k of ['enable_debug_logging', 'enable_debugger']) {
    if (body[k] !== undefined && typeof body[k] !== 'boolean') throw invalid(`For 'properties/${k}', ${JSON.stringify(body[k])} is not a boolean.`);
  }
  const { run, job } = findJob(ctx);
  if (run.status !== 'completed') throw new ApiError(403, 'The workflow run containing this job is already running');
  rerunJob(ctx.state, run.id, job.key, ctx.login ?? run.actor);
  for (const listener of ctx.state.rerunListeners) listener(run, ctx.repo);
  return { status: 201, body: {} };
}

function dispatch(ctx: Ctx): { status: number; body?: Schema<'workflow-dispatch-response'> } {
  const body = bodyObject(ctx);
  const allowed = ctx.state.flavor === 'dotcom' ? ['ref', 'inputs', 'return_run_details'] : ['ref', 'inputs'];
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k))
      throw new ApiError(ctx.state.flavor === 'ghes' && k === 'return_run_details' ? 400 : 422, `Invalid request.\n\n"${k}" is not a permitted key.`);
  }
  if (typeof body.ref !== 'string' || !body.ref) throw invalid('"ref" wasn\'t supplied.');
  const inputs = body.inputs ?? {};
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs))
    throw invalid("For 'properties/inputs', " + JSON.stringify(inputs) + ' is not an object.');
  const wf = workflowOf(ctx);
  if (!wf.def.dispatch) throw new ApiError(422, "Workflow does not have 'workflow_dispatch' trigger");
  if (wf.state !== 'active') throw new ApiError(422, "Cannot trigger a 'workflow_dispatch' on a disabled workflow");
  const refName = body.ref.replace(/^refs\/(heads|tags)\//, '');
  const repo = ctx.repo;
  const sha = repo.branches.get(refName) ?? repo.tags.get(refName)?.commitSha;
  if (!sha) throw new ApiError(422, `No ref found for: ${body.ref}`);
  const declared = wf.def.dispatch;
  const unexpected = Object.keys(inputs).filter((k) => !(k in declared));
  if (unexpected.length) throw new ApiError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
  for (const [k, d] of Object.entries(declared)) {
    if (d.required && d.default === undefined && !(k in inputs)) throw new ApiError(422, `Required input '${k}' not provided`);
  }
  const run = startRun(ctx.state, repo, wf, {
    event: 'workflow_dispatch',
    headBranch: refName,
    headSha: sha,
    actor: ctx.login ?? repo.owner,
    createdAt: isoSeconds(ctx.state.clock.wallNow()),
  });
  if (ctx.state.dispatchDelayMs > 0) run.visibleAfter = Date.now() + ctx.state.dispatchDelayMs;
  for (const listener of ctx.state.dispatchListeners) listener(run, repo);
  if (body.return_run_details === true) {
    return {
      status: 200,
      body: {
        workflow_run_id: run.id,
        run_url: `${ctx.state.urls.apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`,
        html_url: `${ctx.state.urls.webUrl}/${repo.fullName}/actions/runs/${run.id}`,
      },
    };
  }
  return { status: 204 };
}

export const actionsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/workflows',
    doc: 'actions/workflows#list-repository-workflows',
    access: READ,
    handle: (ctx) => {
      const { page, headers } = paginate(ctx, ctx.repo.workflows);
      const body: { total_count: number; workflows: Schema<'workflow'>[] } = {
        total_count: ctx.repo.workflows.length,
        workflows: page.map((w) => workflowJson(ctx.state, ctx.repo, w)),
      };
      return { status: 200, body, headers };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/workflows/:workflow_id',
    doc: 'actions/workflows#get-a-workflow',
    access: READ,
    handle: (ctx) => ({ status: 200, body: workflowJson(ctx.state, ctx.repo, workflowOf(ctx)) }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/workflows/:workflow_id/runs',
    doc: 'actions/workflow-runs#list-workflow-runs-for-a-workflow',
    access: READ,
    handle: (ctx) => {
      const wf = workflowOf(ctx);
      return listRuns(
        ctx,
        ctx.repo.runs.filter((r) => r.workflowId === wf.id),
      );
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/actions/workflows/:workflow_id/dispatches',
    doc: 'actions/workflows#create-a-workflow-dispatch-event',
    access: { kind: 'repo', level: 'write', perm: 'actions' },
    handle: dispatch,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs',
    doc: 'actions/workflow-runs#list-workflow-runs-for-a-repository',
    access: READ,
    handle: (ctx) => listRuns(ctx, ctx.repo.runs),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs/:run_id',
    doc: 'actions/workflow-runs#get-a-workflow-run',
    access: READ,
    handle: (ctx) => ({ status: 200, body: runJson(ctx.state, ctx.repo, findRun(ctx)) }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs/:run_id/jobs',
    doc: 'actions/workflow-jobs#list-jobs-for-a-workflow-run',
    access: READ,
    handle: (ctx) => {
      const run = findRun(ctx);
      const filter = ctx.query.filter ?? 'latest';
      if (filter !== 'latest' && filter !== 'all') throw invalid(`${filter} is not a valid filter. Valid values are: latest, all`);
      // latest: the current attempt's jobs, including those it kept from earlier attempts.
      return jobsReply(ctx, run, filter === 'all' ? allJobs(run) : run.jobs);
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt_number',
    doc: 'actions/workflow-runs#get-a-workflow-run-attempt',
    access: READ,
    handle: (ctx) => {
      const run = findRun(ctx);
      const n = attemptNumber(ctx, run);
      return { status: 200, body: runJson(ctx.state, ctx.repo, run, n === run.runAttempt ? undefined : run.previousAttempts.find((a) => a.attempt === n)) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/runs/:run_id/attempts/:attempt_number/jobs',
    doc: 'actions/workflow-jobs#list-jobs-for-a-workflow-run-attempt',
    access: READ,
    handle: (ctx) => {
      const run = findRun(ctx);
      const n = attemptNumber(ctx, run);
      return jobsReply(
        ctx,
        run,
        allJobs(run).filter((j) => j.runAttempt === n),
      );
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/actions/jobs/:job_id/rerun',
    doc: 'actions/workflow-runs#re-run-a-job-from-a-workflow-run',
    access: { kind: 'repo', level: 'write', perm: 'actions' },
    handle: rerun,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/jobs/:job_id',
    doc: 'actions/workflow-jobs#get-a-job-for-a-workflow-run',
    access: READ,
    handle: (ctx) => {
      const { run, job } = findJob(ctx);
      return { status: 200, body: jobJson(ctx.state, ctx.repo, run, job) };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/jobs/:job_id/logs',
    doc: 'actions/workflow-jobs#download-job-logs-for-a-workflow-run',
    access: READ,
    handle: (ctx) => {
      const { job } = findJob(ctx);
      // Skipped and unfinished jobs have no log to download.
      if (!job.logText) throw notFound();
      return { status: 302, headers: { location: signedLogUrl(ctx.state, ctx.repo, job) } };
    },
  },
];
