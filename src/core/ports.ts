/**
 * The small interfaces the core and the services depend on. They speak our own
 * vocabulary, not Octokit's: src/github/ implements them against GitHub's APIs,
 * and nothing outside src/github/ imports Octokit.
 */

/** `owner/name` on some host. */
export interface RepoRef {
  owner: string;
  name: string;
}

export type RunStatus = 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
export type Conclusion =
  | 'success'
  | 'failure'
  | 'cancelled'
  | 'skipped'
  | 'timed_out'
  | 'neutral'
  | 'action_required'
  | 'stale'
  | 'startup_failure';

export interface WorkflowRunInfo {
  id: number;
  runNumber: number;
  runAttempt: number;
  name: string;
  event: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  headSha: string;
  /** Branch or tag the run ran for (`v0.1.0b39` for a tag push). */
  headBranch: string | null;
  displayTitle: string;
  createdAt: string;
  runStartedAt: string | null;
  updatedAt: string;
  htmlUrl: string;
  /** `.github/workflows/publish.yml`: the file the run ran. */
  workflowPath?: string;
}

export interface StepInfo {
  number: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobInfo {
  id: number;
  runId: number;
  name: string;
  status: RunStatus;
  conclusion: Conclusion | null;
  startedAt: string | null;
  completedAt: string | null;
  htmlUrl: string | null;
  steps: StepInfo[];
}

export interface SecretMeta {
  name: string;
  updatedAt: string;
}

/** What a host says of a repository's default branch and tags (tags peeled to commits). */
export interface RepoRefsState {
  defaultBranch: string;
  headSha: string | null;
  /** tag name -> commit SHA it points at (annotated tags peeled). */
  tags: Record<string, string>;
  totalTags: number;
}

/** github.com side: Actions runs, jobs, logs, secrets. */
export interface ActionsPort {
  /** The newest run of a workflow (file name or id), or null when it never ran. */
  latestRun(repo: RepoRef, workflow: string | number): Promise<WorkflowRunInfo | null>;
  runJobs(repo: RepoRef, runId: number): Promise<JobInfo[]>;
  /** Plain-text log of one job. */
  jobLog(repo: RepoRef, jobId: number): Promise<string>;
  /** YAML job id -> display name (`name:` or the id), from the workflow file at `ref`. */
  workflowJobNames(repo: RepoRef, path: string, ref: string): Promise<Record<string, string>>;
  /** Names and update times of the repository's Actions secrets (never values). */
  listSecrets(repo: RepoRef): Promise<SecretMeta[]>;
}

/** Any host (github.com or GHES): the state of refs that the mirror check compares. */
export interface RefsPort {
  repoRefs(repo: RepoRef): Promise<RepoRefsState>;
}
