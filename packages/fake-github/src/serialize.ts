import type { GitHubState, JobRec, RepoRec, RunAttemptRec, RunRec, WorkflowRec } from './state.js';
import type { Schema } from './types.js';

/**
 * The model turned into the JSON GitHub answers, typed with the published schemas.
 * API URLs point at the fake (so following them works); html URLs at the web host.
 */

/** GitHub's global node ids: a type prefix and an opaque base64url tail. */
export function nodeId(prefix: string, id: number | string): string {
  return `${prefix}_kgDO${Buffer.from(String(id)).toString('base64url')}`;
}

export function webHost(state: GitHubState): string {
  return new URL(state.urls.webUrl).host;
}

export function simpleUser(state: GitHubState, login: string): Schema<'simple-user'> {
  const u = state.ensureUser(login);
  const api = `${state.urls.apiUrl}/users/${u.login}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(state.accountType(u.login) === 'User' ? 'U' : 'O', u.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${state.urls.webUrl}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: state.accountType(u.login),
    user_view_type: 'public',
    site_admin: false,
  };
}

export function privateUser(state: GitHubState, login: string): Schema<'private-user'> {
  const u = state.ensureUser(login);
  const owned = [...state.repos.values()].filter((r) => r.owner.toLowerCase() === login.toLowerCase());
  return {
    ...simpleUser(state, login),
    name: u.login,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    notification_email: null,
    public_repos: owned.filter((r) => !r.private).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: u.createdAt,
    updated_at: u.createdAt,
    private_gists: 0,
    total_private_repos: owned.filter((r) => r.private).length,
    owned_private_repos: owned.filter((r) => r.private).length,
    disk_usage: 1024,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

function repoUrls(state: GitHubState, repo: RepoRec) {
  const api = `${state.urls.apiUrl}/repos/${repo.fullName}`;
  const host = webHost(state);
  return {
    url: api,
    html_url: `${state.urls.webUrl}/${repo.fullName}`,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.fullName}.git`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
    clone_url: `${state.urls.webUrl}/${repo.fullName}.git`,
    svn_url: `${state.urls.webUrl}/${repo.fullName}`,
  };
}

function repoCore(state: GitHubState, repo: RepoRec) {
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(state, repo.owner),
    private: repo.private,
    description: null,
    fork: false,
    ...repoUrls(state, repo),
  };
}

export function minimalRepo(state: GitHubState, repo: RepoRec): Schema<'minimal-repository'> {
  return repoCore(state, repo);
}

export function fullRepo(state: GitHubState, repo: RepoRec, permissions: Schema<'full-repository'>['permissions'] | undefined): Schema<'full-repository'> {
  const out: Schema<'full-repository'> = {
    ...repoCore(state, repo),
    mirror_url: null,
    homepage: null,
    language: 'Python',
    forks_count: 0,
    stargazers_count: 3,
    watchers_count: 3,
    size: 2048,
    default_branch: repo.defaultBranch,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? 'private' : 'public',
    pushed_at: repo.pushedAt,
    created_at: repo.createdAt,
    updated_at: repo.updatedAt,
    allow_forking: true,
    web_commit_signoff_required: false,
    subscribers_count: 1,
    network_count: 0,
    license: null,
    forks: 0,
    open_issues: 0,
    watchers: 3,
  };
  if (permissions) out.permissions = permissions;
  return out;
}

export function workflowJson(state: GitHubState, repo: RepoRec, wf: WorkflowRec): Schema<'workflow'> {
  const file = wf.path.split('/').pop() ?? wf.path;
  return {
    id: wf.id,
    node_id: nodeId('W', wf.id),
    name: wf.def.name,
    path: wf.path,
    state: wf.state,
    created_at: wf.createdAt,
    updated_at: wf.updatedAt,
    url: `${state.urls.apiUrl}/repos/${repo.fullName}/actions/workflows/${wf.id}`,
    html_url: `${state.urls.webUrl}/${repo.fullName}/blob/${repo.defaultBranch}/${wf.path}`,
    badge_url: `${state.urls.webUrl}/${repo.fullName}/workflows/${encodeURIComponent(file)}/badge.svg`,
  };
}

/** The run now, or as it stood at the end of an earlier `attempt`. */
export function runJson(state: GitHubState, repo: RepoRec, run: RunRec, attempt?: RunAttemptRec): Schema<'workflow-run'> {
  const wf = repo.workflows.find((w) => w.id === run.workflowId);
  const api = `${state.urls.apiUrl}/repos/${repo.fullName}`;
  const commit = repo.commits.get(run.headSha);
  const checkSuiteId = run.id + 17_000_000_000;
  const actor = simpleUser(state, run.actor);
  const a = attempt ?? {
    attempt: run.runAttempt,
    status: run.status,
    conclusion: run.conclusion,
    runStartedAt: run.runStartedAt,
    updatedAt: run.updatedAt,
    triggeringActor: run.triggeringActor,
  };
  const min = minimalRepo(state, repo);
  return {
    id: run.id,
    name: wf?.def.name ?? null,
    node_id: nodeId('WFR', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: wf?.path ?? '',
    display_title: run.displayTitle,
    run_number: run.runNumber,
    event: run.event,
    status: a.status,
    conclusion: a.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: checkSuiteId,
    check_suite_node_id: nodeId('CS', checkSuiteId),
    url: `${api}/actions/runs/${run.id}`,
    html_url: `${state.urls.webUrl}/${repo.fullName}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: a.updatedAt,
    actor,
    run_attempt: a.attempt,
    referenced_workflows: [],
    run_started_at: a.runStartedAt,
    triggering_actor: a.triggeringActor === run.actor ? actor : simpleUser(state, a.triggeringActor),
    jobs_url: `${api}/actions/runs/${run.id}/jobs`,
    logs_url: `${api}/actions/runs/${run.id}/logs`,
    check_suite_url: `${api}/check-suites/${checkSuiteId}`,
    artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
    cancel_url: `${api}/actions/runs/${run.id}/cancel`,
    rerun_url: `${api}/actions/runs/${run.id}/rerun`,
    previous_attempt_url: a.attempt > 1 ? `${api}/actions/runs/${run.id}/attempts/${a.attempt - 1}` : null,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    head_commit: commit
      ? {
          id: commit.sha,
          tree_id: commit.treeSha,
          message: commit.message,
          timestamp: commit.date,
          author: { name: repo.owner, email: `${repo.owner.toLowerCase()}@users.noreply.${webHost(state)}` },
          committer: { name: repo.owner, email: `${repo.owner.toLowerCase()}@users.noreply.${webHost(state)}` },
        }
      : null,
    repository: min,
    head_repository: min,
  };
}

export function jobJson(state: GitHubState, repo: RepoRec, run: RunRec, job: JobRec): Schema<'job'> {
  const api = `${state.urls.apiUrl}/repos/${repo.fullName}`;
  const wf = repo.workflows.find((w) => w.id === run.workflowId);
  const ran = job.runnerId !== null;
  return {
    id: job.id,
    run_id: run.id,
    workflow_name: wf?.def.name ?? null,
    head_branch: run.headBranch,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: job.runAttempt,
    node_id: nodeId('CR', job.id),
    head_sha: run.headSha,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${state.urls.webUrl}/${repo.fullName}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: job.createdAt,
    started_at: job.startedAt,
    completed_at: job.completedAt,
    name: job.name,
    steps: job.steps.map((s) => ({
      name: s.name,
      status: s.status,
      conclusion: s.conclusion,
      number: s.number,
      started_at: s.startedAt,
      completed_at: s.completedAt,
    })),
    check_run_url: `${api}/check-runs/${job.id}`,
    labels: ['ubuntu-latest'],
    runner_id: ran ? job.runnerId : null,
    runner_name: ran ? job.runnerName : null,
    runner_group_id: ran ? 0 : null,
    runner_group_name: ran ? 'GitHub Actions' : null,
  };
}
