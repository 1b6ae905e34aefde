import { isoSeconds } from '../clock.js';
import { notFound, paginate, type Ctx, type Route } from '../http.js';
import { nodeId, simpleUser } from '../serialize.js';
import type { GitHubState, RepoRec } from '../state.js';
import type { Schema } from '../types.js';

/** Releases: published releases, listed (newest first) and found by tag. */

export interface ReleaseRec {
  id: number;
  tagName: string;
  name: string;
  prerelease: boolean;
  targetCommitish: string;
  author: string;
  createdAt: string;
}

// Kept beside the repository record rather than in it, so the fake's core model stays as it is.
const releasesByRepo = new WeakMap<RepoRec, ReleaseRec[]>();
let nextReleaseId = 180_000_001;

export function releasesOf(repo: RepoRec): ReleaseRec[] {
  let list = releasesByRepo.get(repo);
  if (!list) {
    list = [];
    releasesByRepo.set(repo, list);
  }
  return list;
}

/** A published release for an existing tag (as the release workflow's `gh release create` makes). */
export function addRelease(state: GitHubState, repo: RepoRec, tag: string, o: { name?: string; prerelease?: boolean } = {}): ReleaseRec {
  if (!repo.tags.has(tag)) throw new Error(`fake GitHub: cannot release ${tag} in ${repo.fullName}: no such tag (createTag first)`);
  const list = releasesOf(repo);
  if (list.some((r) => r.tagName === tag)) throw new Error(`fake GitHub: ${repo.fullName} already has a release for ${tag}`);
  const rec: ReleaseRec = {
    id: nextReleaseId++,
    tagName: tag,
    name: o.name ?? tag,
    prerelease: o.prerelease ?? false,
    targetCommitish: repo.defaultBranch,
    author: repo.owner,
    createdAt: isoSeconds(state.clock.wallNow()),
  };
  list.push(rec);
  return rec;
}

function releaseJson(ctx: Ctx, r: ReleaseRec): Schema<'release'> {
  const api = `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}`;
  const web = `${ctx.state.urls.webUrl}/${ctx.repo.fullName}`;
  return {
    url: `${api}/releases/${r.id}`,
    html_url: `${web}/releases/tag/${encodeURIComponent(r.tagName)}`,
    assets_url: `${api}/releases/${r.id}/assets`,
    // uploads.github.com on github.com, /api/uploads on GHES: both served here by the fake's own origin.
    upload_url: `${ctx.state.urls.url}${ctx.state.flavor === 'ghes' ? '/api/uploads' : ''}/repos/${ctx.repo.fullName}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${api}/tarball/${r.tagName}`,
    zipball_url: `${api}/zipball/${r.tagName}`,
    id: r.id,
    node_id: nodeId('RE', r.id),
    tag_name: r.tagName,
    target_commitish: r.targetCommitish,
    name: r.name,
    body: '',
    draft: false,
    prerelease: r.prerelease,
    immutable: false,
    created_at: r.createdAt,
    published_at: r.createdAt,
    updated_at: r.createdAt,
    author: simpleUser(ctx.state, r.author),
    assets: [],
  };
}

export const releasesRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/releases',
    doc: 'releases/releases#list-releases',
    access: { kind: 'repo', level: 'read', perm: 'contents' },
    handle: (ctx) => {
      // GitHub lists the newest first (by created_at); the fake keeps no drafts, so every one is published.
      const all = [...releasesOf(ctx.repo)].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
      const { page, headers } = paginate(ctx, all);
      return { status: 200, body: page.map((r) => releaseJson(ctx, r)), headers };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/releases/tags/*tag',
    doc: 'releases/releases#get-a-release-by-tag-name',
    access: { kind: 'repo', level: 'read', perm: 'contents' },
    handle: (ctx) => {
      const r = releasesOf(ctx.repo).find((x) => x.tagName === ctx.params.tag);
      if (!r) throw notFound();
      return { status: 200, body: releaseJson(ctx, r) };
    },
  },
];
