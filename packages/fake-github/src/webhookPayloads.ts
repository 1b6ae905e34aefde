import { fullRepo, jobJson, minimalRepo, runJson, simpleUser, workflowJson } from './serialize.js';
import type { GitHubState, RepoRec, StateChange } from './state.js';

/**
 * The bodies GitHub's webhooks carry, built from the REST shapes of the same things
 * (serialize.ts) and trimmed to what the webhook schemas of `@octokit/webhooks-schemas`
 * allow: webhook users have no `user_view_type`, a run's repositories are the "lite"
 * ones (no clone URLs), and the full repository has `custom_properties` but no counts
 * of subscribers or networks.
 */

type Json = Record<string, unknown>;

export interface HookView {
  id: number;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

function without(o: Json, keys: string[]): Json {
  const out = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

export function hookUser(state: GitHubState, login: string): Json {
  return without(simpleUser(state, login) as Json, ['user_view_type']);
}

function liteRepo(state: GitHubState, repo: RepoRec): Json {
  return { ...without(minimalRepo(state, repo) as Json, ['git_url', 'ssh_url', 'clone_url', 'svn_url']), owner: hookUser(state, repo.owner) };
}

export function hookRepository(state: GitHubState, repo: RepoRec): Json {
  return {
    ...without(fullRepo(state, repo, undefined) as Json, ['subscribers_count', 'network_count']),
    owner: hookUser(state, repo.owner),
    custom_properties: {},
  };
}

function hookRun(state: GitHubState, repo: RepoRec, run: Parameters<typeof runJson>[2]): Json {
  const r = runJson(state, repo, run) as Json;
  return {
    ...r,
    name: r.name ?? '',
    actor: hookUser(state, run.actor),
    triggering_actor: hookUser(state, run.triggeringActor),
    repository: liteRepo(state, repo),
    head_repository: liteRepo(state, repo),
  };
}

/** The event name and body GitHub sends for a change of the world. */
export function payloadOf(state: GitHubState, c: StateChange): Array<{ event: string; action?: string; body: Json }> {
  const repository = hookRepository(state, c.repo);
  if (c.kind === 'workflow_run') {
    const wf = c.repo.workflows.find((w) => w.id === c.run.workflowId);
    if (!wf) return [];
    return [
      {
        event: 'workflow_run',
        action: c.action,
        body: {
          action: c.action,
          workflow_run: hookRun(state, c.repo, c.run),
          workflow: workflowJson(state, c.repo, wf),
          repository,
          sender: hookUser(state, c.run.triggeringActor),
        },
      },
    ];
  }
  if (c.kind === 'workflow_job') {
    return [
      {
        event: 'workflow_job',
        action: c.action,
        body: { action: c.action, workflow_job: jobJson(state, c.repo, c.run, c.job), repository, sender: hookUser(state, c.run.triggeringActor) },
      },
    ];
  }
  // A tag pushed: GitHub sends `push` (the ref) and `create` (the tag), in no promised order.
  const commit = c.repo.commits.get(c.tag.commitSha);
  const pusher = c.repo.owner;
  const email = `${pusher.toLowerCase()}@users.noreply.${new URL(state.urls.webUrl).host}`;
  const sender = hookUser(state, pusher);
  const headCommit = commit
    ? {
        id: commit.sha,
        tree_id: commit.treeSha,
        distinct: true,
        message: commit.message,
        timestamp: commit.date,
        url: `${state.urls.webUrl}/${c.repo.fullName}/commit/${commit.sha}`,
        author: { name: pusher, email, username: pusher },
        committer: { name: pusher, email, username: pusher },
        added: [],
        removed: [],
        modified: [],
      }
    : null;
  return [
    {
      event: 'push',
      body: {
        ref: `refs/tags/${c.tag.name}`,
        before: '0'.repeat(40),
        after: c.tag.annotated?.sha ?? c.tag.commitSha,
        created: true,
        deleted: false,
        forced: false,
        base_ref: null,
        compare: `${state.urls.webUrl}/${c.repo.fullName}/compare/${encodeURIComponent(c.tag.name)}`,
        commits: [],
        head_commit: headCommit,
        repository,
        pusher: { name: pusher, email },
        sender,
      },
    },
    {
      event: 'create',
      body: { ref: c.tag.name, ref_type: 'tag', master_branch: c.repo.defaultBranch, description: null, pusher_type: 'user', repository, sender },
    },
  ];
}

/** What GitHub sends when a hook is created: `ping`, with the hook's configuration (the secret masked). */
export function pingPayload(state: GitHubState, repo: RepoRec, hook: HookView): Json {
  const api = `${state.urls.apiUrl}/repos/${repo.fullName}/hooks/${hook.id}`;
  return {
    zen: 'Keep it logically awesome.',
    hook_id: hook.id,
    hook: {
      type: 'Repository',
      id: hook.id,
      name: 'web',
      active: hook.active,
      events: hook.events,
      config: { content_type: 'json', secret: '********', url: hook.url, insecure_ssl: '0' },
      updated_at: hook.updatedAt,
      created_at: hook.createdAt,
      url: api,
      test_url: `${api}/test`,
      ping_url: `${api}/pings`,
      deliveries_url: `${api}/deliveries`,
      last_response: { code: null, status: 'unused', message: null },
    },
    repository: hookRepository(state, repo),
    sender: hookUser(state, repo.owner),
  };
}
