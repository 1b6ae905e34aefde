import type { ResolvedRepo } from '../config/load.js';
import type { SyncConfig } from '../config/schema.js';
import type { ActionsPort, JobInfo, RefsPort, RepoRef, WorkflowRunInfo } from '../core/ports.js';
import type { SyncFacts } from '../core/sync/facts.js';
import { findSyncJob } from '../core/sync/findSyncJob.js';
import { jobNamesOf, workflowPathOf } from '../core/sync/workflowJobNames.js';
import { GitHubError, NotFoundError } from '../errors.js';
import { settle } from './settle.js';

export interface SyncPorts {
  actions: ActionsPort;
  githubRefs: RefsPort;
  mirrorRefs: RefsPort;
  /** Web URLs for links: https://github.com and https://wats.ghe.com */
  githubWebUrl: string;
  mirrorWebUrl: string;
}

function refOf(fullName: string): RepoRef {
  const [owner = '', name = ''] = fullName.split('/');
  return { owner, name };
}

/**
 * The newest run, its jobs, and the sync job's log when that job failed: each step needs the one before.
 * `namesAtHead`: job id -> display name from the workflow file at the default branch's head (it came
 * with the mirror-check query); the file at the run's own commit is read only when that does not match.
 */
async function runFacts(actions: ActionsPort, repo: RepoRef, sync: SyncConfig, namesAtHead: Promise<Record<string, string> | null>) {
  const run = await settle(actions.latestRun(repo, sync.workflow));
  if (!run.ok || !run.value) return { run, jobs: null, syncJobLog: null };
  const r: WorkflowRunInfo = run.value;
  const jobs = await settle(actions.runJobs(repo, r.id));
  if (!jobs.ok) return { run, jobs, syncJobLog: null };
  let workflowJobNames: Record<string, string> | undefined;
  let job: JobInfo | null = findSyncJob(jobs.value, sync.job);
  if (!job) {
    const names = await namesAtHead;
    if (names) {
      job = findSyncJob(jobs.value, sync.job, names);
      if (job) workflowJobNames = names;
    }
  }
  if (!job && r.workflowPath) {
    // `sync.job` may be the YAML id while the API reports display names: read the file the run ran.
    const names = await settle(actions.workflowJobNames(repo, r.workflowPath, r.headSha));
    if (names.ok) {
      workflowJobNames = names.value;
      job = findSyncJob(jobs.value, sync.job, workflowJobNames);
    }
  }
  const failed = job && (job.conclusion === 'failure' || job.conclusion === 'timed_out');
  const syncJobLog = failed && job ? await settle(actions.jobLog(repo, job)) : null;
  return { run, jobs, syncJobLog, ...(workflowJobNames ? { workflowJobNames } : {}) };
}

/**
 * Gathers what /sync-status reports, asking both hosts in parallel. Only a
 * repository the bot cannot see at all is fatal; every other failure is kept as
 * the reason of its part.
 */
export async function gatherSyncFacts(repo: ResolvedRepo, sync: SyncConfig, ports: SyncPorts): Promise<SyncFacts> {
  const ghRepo = { owner: repo.owner, name: repo.repo };
  const workflowPath = workflowPathOf(sync.workflow);
  const githubRefsP = settle(ports.githubRefs.repoRefs(ghRepo, workflowPath ? { fileAtHead: workflowPath } : {}));
  const namesAtHead = githubRefsP.then((r) => (r.ok && typeof r.value.fileAtHead === 'string' ? jobNamesOf(r.value.fileAtHead) : null));
  const [githubRefs, mirrorRefs, secrets, runs] = await Promise.all([
    githubRefsP,
    settle(ports.mirrorRefs.repoRefs(refOf(sync.mirror.repo))),
    settle(ports.actions.listSecrets(ghRepo)),
    runFacts(ports.actions, ghRepo, sync, namesAtHead),
  ]);
  return {
    repo: { name: repo.shortName, github: repo.github, webUrl: `${ports.githubWebUrl}/${repo.github}` },
    workflow: sync.workflow,
    job: sync.job,
    ...runs,
    secrets,
    configuredSecrets: repo.secrets,
    mirror: { host: ports.mirrorWebUrl, repo: sync.mirror.repo, webUrl: `${ports.mirrorWebUrl}/${sync.mirror.repo}` },
    githubRefs,
    mirrorRefs,
  };
}

/**
 * When github.com says the repository itself is missing or unreadable, or refuses
 * the bot's own credential, there is no report to give: that is the answer.
 */
export function assertRepoVisible(facts: SyncFacts, host: string): void {
  const refs = facts.githubRefs;
  if (refs.ok) return;
  if (refs.code === 'github_not_found') {
    throw new NotFoundError(
      `I can't see \`${facts.repo.github}\` on ${host}: it does not exist, or the bot's credential has no access to it. Check \`github:\` in the configuration and the bot's access.`,
    );
  }
  if (refs.code === 'github_auth') throw new GitHubError('github_auth', refs.reason, host, 401);
}
