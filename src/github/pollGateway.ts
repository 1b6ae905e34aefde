import { RequestError } from '@octokit/request-error';
import { z } from 'zod';
import type { ConditionalRead, EventsPollPort, RepoRef } from '../core/ports.js';
import type { GitHubClient } from './octokit.js';
import { callGitHub } from './translateError.js';

// Only the list around the items is checked here; the intake checks each item (core/events/facts.ts).
const Item = z.record(z.string(), z.unknown());
const RunsPage = z.object({ workflow_runs: z.array(Item) });
const JobsPage = z.object({ jobs: z.array(Item) });
const TagsPage = z.array(Item);
const ReleasesPage = z.array(Item);

/**
 * EventsPollPort over REST, every read conditional. The client's own ETag cache
 * (etagCache.ts) answers a 304 with the response it kept, so a kept answer whose ETag is
 * the one asked with is a 304 too; the ETags the poller keeps in its job ask after a
 * restart or on another replica, where that cache is empty.
 */
export class PollGateway implements EventsPollPort {
  constructor(private readonly client: GitHubClient) {}

  recentRuns(repo: RepoRef, workflow: string | number, etag: string | null, perPage: number): Promise<ConditionalRead> {
    return this.read(`the runs of ${workflow} in ${repo.owner}/${repo.name}`, etag, async (headers) => {
      const r = await this.client.rest.actions.listWorkflowRuns({ owner: repo.owner, repo: repo.name, workflow_id: workflow, per_page: perPage, headers });
      return { etag: r.headers.etag, items: RunsPage.parse(r.data).workflow_runs };
    });
  }

  runJobs(repo: RepoRef, runId: number, etag: string | null): Promise<ConditionalRead> {
    return this.read(`the jobs of run ${runId}`, etag, async (headers) => {
      // The same query as ActionsGateway.runJobs, so both share one ETag cache entry.
      const r = await this.client.rest.actions.listJobsForWorkflowRun({
        owner: repo.owner,
        repo: repo.name,
        run_id: runId,
        filter: 'latest',
        per_page: 100,
        headers,
      });
      return { etag: r.headers.etag, items: JobsPage.parse(r.data).jobs };
    });
  }

  tags(repo: RepoRef, etag: string | null, perPage: number): Promise<ConditionalRead> {
    return this.read(`the tags of ${repo.owner}/${repo.name}`, etag, async (headers) => {
      const r = await this.client.rest.repos.listTags({ owner: repo.owner, repo: repo.name, per_page: perPage, headers });
      return { etag: r.headers.etag, items: TagsPage.parse(r.data) };
    });
  }

  releases(repo: RepoRef, etag: string | null, perPage: number): Promise<ConditionalRead> {
    return this.read(`the releases of ${repo.owner}/${repo.name}`, etag, async (headers) => {
      // The same query as ReleaseGateway.releaseUrl, so both share one ETag cache entry.
      const r = await this.client.rest.repos.listReleases({ owner: repo.owner, repo: repo.name, per_page: perPage, headers });
      return { etag: r.headers.etag, items: ReleasesPage.parse(r.data) };
    });
  }

  private read(
    what: string,
    etag: string | null,
    get: (headers: Record<string, string>) => Promise<{ etag: string | undefined; items: Record<string, unknown>[] }>,
  ): Promise<ConditionalRead> {
    return callGitHub(this.client.host, what, async () => {
      try {
        const r = await get(etag ? { 'if-none-match': etag } : {});
        if (etag && r.etag === etag) return { status: 'not_modified' };
        return { status: 'ok', etag: r.etag ?? null, items: r.items };
      } catch (e) {
        if (e instanceof RequestError && e.status === 304) return { status: 'not_modified' };
        throw e;
      }
    });
  }
}
