import { z } from 'zod';
import type { RefsPort, RepoRef, RepoRefsState } from '../core/ports.js';
import type { GitHubClient } from './octokit.js';
import { callGitHub } from './translateError.js';
import { GitHubError } from '../errors.js';

/**
 * Default-branch head and all tags (peeled to commits) in one GraphQL query per
 * 100 tags: the mirror check asks each host only this.
 */
export const REPO_REFS_QUERY = /* GraphQL */ `
  query RepoRefs($owner: String!, $name: String!, $after: String) {
    repository(owner: $owner, name: $name) {
      defaultBranchRef {
        name
        target { oid }
      }
      refs(refPrefix: "refs/tags/", first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          name
          target {
            __typename
            oid
            ... on Tag { target { oid } }
          }
        }
      }
    }
  }
`;

const RefsPage = z.object({
  repository: z
    .object({
      defaultBranchRef: z.object({ name: z.string(), target: z.object({ oid: z.string() }).nullable() }).nullable(),
      refs: z.object({
        totalCount: z.number(),
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
        nodes: z.array(
          z.object({
            name: z.string(),
            target: z.object({ __typename: z.string(), oid: z.string(), target: z.object({ oid: z.string() }).optional() }).nullable(),
          }),
        ),
      }),
    })
    .nullable(),
});

/** More tags than this are not compared (the report says so). */
const MAX_PAGES = 10;

export class RefsGateway implements RefsPort {
  constructor(private readonly client: GitHubClient) {}

  repoRefs(repo: RepoRef): Promise<RepoRefsState> {
    return callGitHub(this.client.host, `${repo.owner}/${repo.name}`, async () => {
      const tags: Record<string, string> = {};
      let after: string | null = null;
      let state: Omit<RepoRefsState, 'tags'> | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const raw: unknown = await this.client.graphql(REPO_REFS_QUERY, { owner: repo.owner, name: repo.name, after });
        const r = RefsPage.parse(raw).repository;
        if (!r) throw new GitHubError('github_not_found', `${this.client.host}: ${repo.owner}/${repo.name} was not found, or the bot's credential cannot see it.`, this.client.host, 200);
        state ??= {
          defaultBranch: r.defaultBranchRef?.name ?? '',
          headSha: r.defaultBranchRef?.target?.oid ?? null,
          totalTags: r.refs.totalCount,
        };
        for (const n of r.refs.nodes) {
          // An annotated tag points at a Tag object; compare the commit it points at.
          if (n.target) tags[n.name] = n.target.__typename === 'Tag' && n.target.target ? n.target.target.oid : n.target.oid;
        }
        if (!r.refs.pageInfo.hasNextPage) break;
        after = r.refs.pageInfo.endCursor;
      }
      if (!state) throw new Error('no answer');
      return { ...state, tags };
    });
  }
}
