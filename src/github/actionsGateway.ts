import { observeSecretDates } from '../metrics/registry.js';
import { RequestError } from '@octokit/request-error';
import { z } from 'zod';
import type { ActionsPort, JobInfo, RepoRef, SecretMeta, WorkflowRunInfo } from '../core/ports.js';
import { GitHubError } from '../errors.js';
import type { GitHubClient } from './octokit.js';
import { callGitHub, translateGitHubError } from './translateError.js';
import { jobNamesOf } from '../core/sync/workflowJobNames.js';

// GitHub's answers are a trust boundary: parse the fields we rely on.
const RunStatus = z.enum(['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending']).catch('pending');
const Conclusion = z
  .enum(['success', 'failure', 'cancelled', 'skipped', 'timed_out', 'neutral', 'action_required', 'stale', 'startup_failure'])
  .nullable()
  .catch(null);

export const WorkflowRunJson = z.object({
  id: z.number(),
  run_number: z.number(),
  run_attempt: z.number().optional(),
  name: z.string().nullish(),
  event: z.string(),
  status: RunStatus.nullable(),
  conclusion: Conclusion,
  head_sha: z.string(),
  head_branch: z.string().nullable(),
  display_title: z.string().optional(),
  created_at: z.string(),
  run_started_at: z.string().nullish(),
  updated_at: z.string(),
  html_url: z.string(),
  path: z.string().optional(),
});
export type WorkflowRunJson = z.infer<typeof WorkflowRunJson>;

export const JobJson = z.object({
  id: z.number(),
  run_id: z.number(),
  name: z.string(),
  status: RunStatus,
  conclusion: Conclusion,
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  html_url: z.string().nullable(),
  steps: z
    .array(
      z.object({
        number: z.number(),
        name: z.string(),
        status: RunStatus,
        conclusion: Conclusion,
        started_at: z.string().nullish(),
        completed_at: z.string().nullish(),
      }),
    )
    .optional(),
});
export type JobJson = z.infer<typeof JobJson>;

// Built once: constructing a zod schema costs far more than using it.
const RunsPage = z.object({ workflow_runs: z.array(WorkflowRunJson) });
const JobsPage = z.object({ jobs: z.array(JobJson) });
const FileContent = z.object({ content: z.string(), encoding: z.literal('base64') });

const SecretsJson = z.object({ total_count: z.number(), secrets: z.array(z.object({ name: z.string(), updated_at: z.string() })) });

/** Keep the tail of a job log: the failure is at the end, and logs can be megabytes. */
const LOG_TAIL_BYTES = 256 * 1024;

export function toRunInfo(r: WorkflowRunJson): WorkflowRunInfo {
  return {
    id: r.id,
    runNumber: r.run_number,
    runAttempt: r.run_attempt ?? 1,
    name: r.name ?? '',
    event: r.event,
    status: r.status ?? 'pending',
    conclusion: r.conclusion,
    headSha: r.head_sha,
    headBranch: r.head_branch,
    displayTitle: r.display_title ?? r.name ?? '',
    createdAt: r.created_at,
    runStartedAt: r.run_started_at ?? null,
    updatedAt: r.updated_at,
    htmlUrl: r.html_url,
    ...(r.path ? { workflowPath: r.path.split('@')[0] } : {}),
  };
}

export function toJobInfo(j: JobJson): JobInfo {
  return {
    id: j.id,
    runId: j.run_id,
    name: j.name,
    status: j.status,
    conclusion: j.conclusion,
    startedAt: j.started_at ?? null,
    completedAt: j.completed_at ?? null,
    htmlUrl: j.html_url,
    steps: (j.steps ?? []).map((s) => ({
      number: s.number,
      name: s.name,
      status: s.status,
      conclusion: s.conclusion,
      startedAt: s.started_at ?? null,
      completedAt: s.completed_at ?? null,
    })),
  };
}

/** ActionsPort over GitHub's REST API (runs, jobs, logs, secrets' metadata). */
export class ActionsGateway implements ActionsPort {
  constructor(private readonly client: GitHubClient) {}

  latestRun(repo: RepoRef, workflow: string | number): Promise<WorkflowRunInfo | null> {
    return callGitHub(this.client.host, `the runs of ${workflow} in ${repo.owner}/${repo.name}`, async () => {
      const { data } = await this.client.rest.actions.listWorkflowRuns({ owner: repo.owner, repo: repo.name, workflow_id: workflow, per_page: 1 });
      const first = RunsPage.parse(data).workflow_runs[0];
      return first ? toRunInfo(first) : null;
    });
  }

  runJobs(repo: RepoRef, runId: number): Promise<JobInfo[]> {
    return callGitHub(this.client.host, `the jobs of run ${runId}`, async () => {
      const { data } = await this.client.rest.actions.listJobsForWorkflowRun({
        owner: repo.owner,
        repo: repo.name,
        run_id: runId,
        filter: 'latest',
        per_page: 100,
      });
      return JobsPage.parse(data).jobs.map(toJobInfo);
    });
  }

  jobLog(repo: RepoRef, job: Pick<JobInfo, 'id' | 'status'>): Promise<string> {
    const key = `${repo.owner}/${repo.name}#${job.id}`.toLowerCase();
    const kept = job.status === 'completed' ? this.client.finishedJobLogs.get(key) : undefined;
    if (kept !== undefined) return Promise.resolve(kept);
    return callGitHub(this.client.host, `the log of job ${job.id}`, async () => {
      const { data } = await this.client.rest.actions.downloadJobLogsForWorkflowRun({ owner: repo.owner, repo: repo.name, job_id: job.id });
      const text = typeof data === 'string' ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : String(data);
      const tail = text.length > LOG_TAIL_BYTES ? text.slice(-LOG_TAIL_BYTES) : text;
      if (job.status === 'completed') this.client.finishedJobLogs.set(key, tail);
      return tail;
    });
  }

  rerunJob(repo: RepoRef, jobId: number): Promise<void> {
    const host = this.client.host;
    const what = `job ${jobId} of ${repo.owner}/${repo.name}`;
    return callGitHub(host, what, async () => {
      try {
        await this.client.rest.actions.reRunJobForWorkflowRun({ owner: repo.owner, repo: repo.name, job_id: jobId });
      } catch (e) {
        throw rerunError(e, host, what);
      }
    });
  }

  workflowJobNames(repo: RepoRef, path: string, ref: string): Promise<Record<string, string>> {
    return callGitHub(this.client.host, `${path} in ${repo.owner}/${repo.name}`, async () => {
      const { data } = await this.client.rest.repos.getContent({ owner: repo.owner, repo: repo.name, path, ref });
      const file = FileContent.parse(data);
      return jobNamesOf(Buffer.from(file.content, 'base64').toString('utf8'));
    });
  }

  listSecrets(repo: RepoRef): Promise<SecretMeta[]> {
    return callGitHub(this.client.host, `the Actions secrets of ${repo.owner}/${repo.name}`, async () => {
      const { data } = await this.client.rest.actions.listRepoSecrets({ owner: repo.owner, repo: repo.name, per_page: 100 });
      const secrets = SecretsJson.parse(data).secrets.map((s) => ({ name: s.name, updatedAt: s.updated_at }));
      observeSecretDates(`${repo.owner}/${repo.name}`, secrets);
      return secrets;
    });
  }
}

/**
 * GitHub answers 403 both for a run that has not finished ("The workflow run containing
 * this job is already running") and for a credential without Actions write: the
 * message tells them apart.
 */
function rerunError(e: unknown, host: string, what: string): GitHubError {
  if (!(e instanceof RequestError) || e.status !== 403) return translateGitHubError(e, host, what);
  const translated = translateGitHubError(e, host, what);
  if (translated.code === 'github_rate_limited') return translated;
  const data = e.response?.data as { message?: unknown } | undefined;
  const message = typeof data?.message === 'string' ? data.message : '';
  if (/already running|not completed|in progress/i.test(message)) {
    return new GitHubError(
      'github_conflict',
      `${host} will not re-run ${what} yet: its workflow run is still in progress. Try again once it has finished.`,
      host,
      403,
      { cause: e },
    );
  }
  return new GitHubError('github_forbidden', `The bot may not re-run ${what} on ${host} (403): its credential lacks the Actions write permission.`, host, 403, {
    cause: e,
  });
}
