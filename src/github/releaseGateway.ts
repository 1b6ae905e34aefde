import { RequestError } from '@octokit/request-error';
import { z } from 'zod';
import type { DispatchResult, ReleasePort, RepoRef, TagInfo, WorkflowInfo, WorkflowRunInfo } from '../core/ports.js';
import { GitHubError } from '../errors.js';
import { RELEASES_PER_LOOK } from '../core/events/poll.js';
import { toRunInfo, WorkflowRunJson } from './actionsGateway.js';
import type { GitHubClient } from './octokit.js';
import { callGitHub, translateGitHubError } from './translateError.js';

// GitHub's answers are a trust boundary: parse the fields we rely on.
export const GitObjectJson = z.object({ type: z.string(), sha: z.string() });
export type GitObjectJson = z.infer<typeof GitObjectJson>;
export const GitRefJson = z.object({ ref: z.string(), object: GitObjectJson });
export type GitRefJson = z.infer<typeof GitRefJson>;
export const GitTagJson = z.object({ sha: z.string(), object: GitObjectJson });
export type GitTagJson = z.infer<typeof GitTagJson>;
export const GitCommitJson = z.object({ sha: z.string(), message: z.string() });
export type GitCommitJson = z.infer<typeof GitCommitJson>;
export const TagListJson = z.array(z.object({ name: z.string() }));
export type TagListJson = z.infer<typeof TagListJson>;
export const WorkflowJson = z.object({ id: z.number(), name: z.string(), path: z.string(), state: z.string(), html_url: z.string() });
export type WorkflowJson = z.infer<typeof WorkflowJson>;
export const ContentFileJson = z.object({ type: z.literal('file'), encoding: z.string(), content: z.string() });
export type ContentFileJson = z.infer<typeof ContentFileJson>;
export const WorkflowRunsJson = z.object({ workflow_runs: z.array(WorkflowRunJson) });
export type WorkflowRunsJson = z.infer<typeof WorkflowRunsJson>;
export const DispatchRunJson = z.object({ workflow_run_id: z.number(), html_url: z.string() });
export type DispatchRunJson = z.infer<typeof DispatchRunJson>;
export const ReleaseJson = z.object({ html_url: z.string() });
export type ReleaseJson = z.infer<typeof ReleaseJson>;
export const ReleaseListJson = z.array(z.object({ tag_name: z.string(), html_url: z.string(), draft: z.boolean().optional() }));
export type ReleaseListJson = z.infer<typeof ReleaseListJson>;
export const RepoJson = z.object({ default_branch: z.string() });
export type RepoJson = z.infer<typeof RepoJson>;

/** Tags of tags are legal; GitHub's own peeling stops well before this. */
const MAX_TAG_DEPTH = 5;

/**
 * Whether git could have created a tag of this name (git check-ref-format): a name
 * it refuses cannot exist, so it is not worth a request. Encoding is still left to
 * Octokit, which percent-encodes every path parameter.
 */
export function isPossibleTagName(name: string): boolean {
  if (name === '' || name === '@' || name.length > 255) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.$/.test(name)) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

/** ReleasePort over GitHub's REST API: tags, the release workflow, its dispatch and runs, releases. */
export class ReleaseGateway implements ReleasePort {
  constructor(private readonly client: GitHubClient) {}

  tag(repo: RepoRef, name: string): Promise<TagInfo | null> {
    if (!isPossibleTagName(name)) return Promise.resolve(null);
    return callGitHub(this.client.host, `tag ${name} in ${full(repo)}`, async () => {
      const o = { owner: repo.owner, repo: repo.name };
      const ref = await orNullOn404(async () => GitRefJson.parse((await this.client.rest.git.getRef({ ...o, ref: `tags/${name}` })).data));
      if (!ref) return null;
      let target = ref.object;
      for (let depth = 0; target.type === 'tag'; depth++) {
        if (depth >= MAX_TAG_DEPTH)
          throw new GitHubError(
            'github_error',
            `${this.client.host}: tag ${name} in ${full(repo)} is nested too deeply to follow.`,
            this.client.host,
            undefined,
          );
        target = GitTagJson.parse((await this.client.rest.git.getTag({ ...o, tag_sha: target.sha })).data).object;
      }
      if (target.type !== 'commit') {
        throw new GitHubError(
          'github_error',
          `${this.client.host}: tag ${name} in ${full(repo)} points at a ${target.type}, not a commit.`,
          this.client.host,
          undefined,
        );
      }
      const commit = GitCommitJson.parse((await this.client.rest.git.getCommit({ ...o, commit_sha: target.sha })).data);
      return { name, sha: commit.sha, subject: subjectOf(commit.message) };
    });
  }

  latestTags(repo: RepoRef, count: number): Promise<string[]> {
    const perPage = Math.min(100, Math.max(1, Math.floor(count)));
    return callGitHub(this.client.host, `the tags of ${full(repo)}`, async () => {
      const { data } = await this.client.rest.repos.listTags({ owner: repo.owner, repo: repo.name, per_page: perPage });
      return TagListJson.parse(data).map((t) => t.name);
    });
  }

  workflow(repo: RepoRef, workflow: string | number): Promise<WorkflowInfo | null> {
    return callGitHub(this.client.host, `workflow ${workflow} in ${full(repo)}`, () =>
      orNullOn404(async () => {
        const { data } = await this.client.rest.actions.getWorkflow({ owner: repo.owner, repo: repo.name, workflow_id: workflow });
        const w = WorkflowJson.parse(data);
        return { id: w.id, name: w.name, path: w.path, state: w.state, htmlUrl: w.html_url };
      }),
    );
  }

  fileOnDefaultBranch(repo: RepoRef, path: string): Promise<string | null> {
    return callGitHub(this.client.host, `${path} in ${full(repo)}`, () =>
      orNullOn404(async () => {
        // No ref: the contents API then reads the default branch.
        const { data } = await this.client.rest.repos.getContent({ owner: repo.owner, repo: repo.name, path });
        // A directory (an array) or a symlink/submodule is not a file to read.
        const file = ContentFileJson.safeParse(data);
        if (!file.success) return null;
        if (file.data.encoding !== 'base64') {
          // Files over 1 MB come back with encoding "none" and no content.
          throw new GitHubError(
            'github_error',
            `${this.client.host}: ${path} in ${full(repo)} is too large to read through the contents API.`,
            this.client.host,
            200,
          );
        }
        return Buffer.from(file.data.content, 'base64').toString('utf8');
      }),
    );
  }

  workflowRuns(repo: RepoRef, workflow: string | number, o: { headSha?: string; event?: string; perPage?: number }): Promise<WorkflowRunInfo[]> {
    return callGitHub(this.client.host, `the runs of ${workflow} in ${full(repo)}`, async () => {
      const { data } = await this.client.rest.actions.listWorkflowRuns({
        owner: repo.owner,
        repo: repo.name,
        workflow_id: workflow,
        per_page: Math.min(100, Math.max(1, Math.floor(o.perPage ?? 30))),
        ...(o.headSha ? { head_sha: o.headSha } : {}),
        ...(o.event ? { event: o.event } : {}),
      });
      return WorkflowRunsJson.parse(data).workflow_runs.map(toRunInfo);
    });
  }

  run(repo: RepoRef, runId: number): Promise<WorkflowRunInfo> {
    return callGitHub(this.client.host, `run ${runId} in ${full(repo)}`, async () => {
      const { data } = await this.client.rest.actions.getWorkflowRun({ owner: repo.owner, repo: repo.name, run_id: runId });
      return toRunInfo(WorkflowRunJson.parse(data));
    });
  }

  async dispatch(repo: RepoRef, workflow: string | number, ref: string, inputs: Record<string, string>): Promise<DispatchResult> {
    const base = { owner: repo.owner, repo: repo.name, workflow_id: workflow, ref, inputs };
    // A dispatch is not idempotent: every POST may start a run, so none is ever repeated automatically.
    const noRetry = { retries: 0 };
    const what = `${workflow} in ${full(repo)}`;
    try {
      return toDispatchResult(await this.client.rest.actions.createWorkflowDispatch({ ...base, return_run_details: true, request: noRetry }));
    } catch (e) {
      if (!refusedRunDetails(e)) return this.dispatchFailure(e, what);
    }
    // GHES (and older APIs) refuse the field before doing anything, so asking again is safe.
    try {
      return toDispatchResult(await this.client.rest.actions.createWorkflowDispatch({ ...base, request: noRetry }));
    } catch (e) {
      return this.dispatchFailure(e, what);
    }
  }

  defaultBranch(repo: RepoRef): Promise<string> {
    return callGitHub(
      this.client.host,
      full(repo),
      async () => RepoJson.parse((await this.client.rest.repos.get({ owner: repo.owner, repo: repo.name })).data).default_branch,
    );
  }

  releaseUrl(repo: RepoRef, tag: string): Promise<string | null> {
    if (!isPossibleTagName(tag)) return Promise.resolve(null);
    return callGitHub(this.client.host, `the release for ${tag} in ${full(repo)}`, async () => {
      const o = { owner: repo.owner, repo: repo.name };
      // The events poller's query (core/events/poll.ts): asked with the ETag it left in the client's cache.
      const listed = ReleaseListJson.parse((await this.client.rest.repos.listReleases({ ...o, per_page: RELEASES_PER_LOOK })).data);
      // A draft is not a published release (GitHub's by-tag read does not return one either).
      const found = listed.find((r) => r.tag_name === tag && !r.draft);
      if (found) return found.html_url;
      // A page not full is every release there is. A full one may hide the tag's behind newer
      // ones (GitHub orders by the tagged commit's date, so an old tag released late sorts low).
      if (listed.length < RELEASES_PER_LOOK) return null;
      return orNullOn404(async () => ReleaseJson.parse((await this.client.rest.repos.getReleaseByTag({ ...o, tag })).data).html_url);
    });
  }

  /** No answer, or a 5xx: the run may exist. Anything else GitHub refused is thrown with its meaning. */
  private dispatchFailure(e: unknown, what: string): DispatchResult {
    const host = this.client.host;
    if (e instanceof RequestError && (e.response === undefined || e.status >= 500)) {
      const how = e.response === undefined ? networkReason(e) : `answered HTTP ${e.status}`;
      return { kind: 'ambiguous', reason: `${host} ${how} when asked to start ${what}; the run may or may not have started.` };
    }
    if (!(e instanceof RequestError) && !(e instanceof GitHubError)) {
      return { kind: 'ambiguous', reason: `${host} ${networkReason(e)} when asked to start ${what}; the run may or may not have started.` };
    }
    throw dispatchError(e, host, what);
  }
}

function full(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}

function subjectOf(message: string): string {
  return (message.split('\n')[0] ?? '').trim();
}

async function orNullOn404<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof RequestError && e.status === 404) return null;
    throw e;
  }
}

function toDispatchResult(response: { status: number; data: unknown }): DispatchResult {
  const details = DispatchRunJson.safeParse(response.data);
  if (response.status === 200 && details.success) return { kind: 'run', runId: details.data.workflow_run_id, htmlUrl: details.data.html_url };
  // Accepted without (usable) details: the caller finds the run among the workflow's runs.
  return { kind: 'accepted' };
}

function githubMessage(e: RequestError): string {
  const data = e.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' ? data.message : '';
}

/** GHES answers 400 (some versions 422) naming the field it does not know. */
function refusedRunDetails(e: unknown): boolean {
  return e instanceof RequestError && (e.status === 400 || e.status === 422) && githubMessage(e).includes('return_run_details');
}

function dispatchError(e: RequestError | GitHubError, host: string, what: string): GitHubError {
  if (e instanceof GitHubError) return e;
  const status = e.status;
  const message = githubMessage(e);
  const fail = (code: GitHubError['code'], text: string): GitHubError => new GitHubError(code, text, host, status, { cause: e });
  if (status === 422 && /workflow_dispatch.*trigger/i.test(message)) {
    return fail(
      'github_error',
      `${host}: ${what} has no workflow_dispatch trigger, so it cannot be started from here. Add \`workflow_dispatch:\` to its \`on:\` section.`,
    );
  }
  if (status === 422 && /disabled workflow/i.test(message)) return fail('github_error', `${host}: ${what} is disabled; enable it in the Actions tab first.`);
  if (status === 422) {
    // GitHub's validation messages (unknown ref, missing or unexpected inputs) name no secret and say what to fix.
    const detail = message
      .replace(/^Invalid request\.\s*/, '')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200);
    return fail('github_error', `${host} refused to start ${what}${detail ? `: ${detail}` : ' (HTTP 422)'}.`);
  }
  const translated = translateGitHubError(e, host, what);
  if (translated.code === 'github_forbidden') {
    return fail('github_forbidden', `The bot may not start ${what} on ${host} (403): its credential lacks the Actions write permission.`);
  }
  return translated;
}

function networkReason(e: unknown): string {
  for (let c: unknown = e; c instanceof Error; c = c.cause) {
    if (c.name === 'TimeoutError' || c.name === 'AbortError') return 'timed out';
  }
  return 'could not be reached';
}
