import { z } from 'zod';
import type { RefsPort, RepoRef, RepoRefsState } from '../core/ports.js';
import type { GitHubClient } from './octokit.js';
import { callGitHub } from './translateError.js';
import { GitHubError } from '../errors.js';

/**
 * Default-branch head and all tags (peeled to commits) in one GraphQL query per
 * 100 tags: the mirror check asks each host only this. On the first page it may
 * also bring one file at the default branch's head (`$file`, e.g.
 * "HEAD:.github/workflows/publish.yml"), so /sync-status needs no REST read of the
 * workflow to map job ids to display names.
 */
export const REPO_REFS_QUERY = /* GraphQL */ `
  query RepoRefs($owner: String!, $name: String!, $after: String, $withFile: Boolean = false, $file: String = "") {
    repository(owner: $owner, name: $name) {
      fileAtHead: object(expression: $file) @include(if: $withFile) {
        ... on Blob {
          text
          isTruncated
        }
      }
      defaultBranchRef {
        name
        target {
          oid
        }
      }
      refs(refPrefix: "refs/tags/", first: 100, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          name
          target {
            __typename
            oid
            ... on Tag {
              target {
                oid
              }
            }
          }
        }
      }
    }
  }
`;

const RefsPage = z.object({
  repository: z
    .object({
      // Absent unless asked for; null when the path is not there; no text for a binary file.
      fileAtHead: z.object({ text: z.string().nullable().optional(), isTruncated: z.boolean().optional() }).nullable().optional(),
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

  repoRefs(repo: RepoRef, o: { fileAtHead?: string } = {}): Promise<RepoRefsState> {
    return callGitHub(this.client.host, `${repo.owner}/${repo.name}`, async () => {
      const tags: Record<string, string> = {};
      let after: string | null = null;
      let state: Omit<RepoRefsState, 'tags'> | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const withFile = page === 0 && o.fileAtHead !== undefined;
        const raw: unknown = await this.client.graphql(REPO_REFS_QUERY, {
          owner: repo.owner,
          name: repo.name,
          after,
          ...(withFile ? { withFile, file: `HEAD:${o.fileAtHead}` } : {}),
        });
        const r = RefsPage.parse(raw).repository;
        if (!r)
          throw new GitHubError(
            'github_not_found',
            `${this.client.host}: ${repo.owner}/${repo.name} was not found, or the bot's credential cannot see it.`,
            this.client.host,
            200,
          );
        state ??= {
          defaultBranch: r.defaultBranchRef?.name ?? '',
          headSha: r.defaultBranchRef?.target?.oid ?? null,
          totalTags: r.refs.totalCount,
          ...(withFile ? { fileAtHead: r.fileAtHead && !r.fileAtHead.isTruncated ? (r.fileAtHead.text ?? null) : null } : {}),
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
