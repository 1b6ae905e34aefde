import type { RepoRefsState } from '../ports.js';
import type { Fetched } from './facts.js';
import type { MirrorPart, RefComparison, RefSide, TagDifference } from './reportSchema.js';
import { sortTagsNewestFirst } from './versionOrder.js';

/** Longest list kept in a report; the renderer shows fewer, `total` keeps the count. */
export const MAX_LISTED = 100;

const commitUrl = (webUrl: string, sha: string) => `${webUrl}/commit/${sha}`;
const sameSha = (a: string | null, b: string | null) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

function side(refs: Fetched<RepoRefsState>, webUrl: string): RefSide {
  if (!refs.ok) return { reachable: false, reason: refs.reason };
  const v = refs.value;
  return {
    reachable: true,
    defaultBranch: v.defaultBranch,
    headSha: v.headSha,
    headUrl: v.headSha ? commitUrl(webUrl, v.headSha) : null,
    returnedTags: Object.keys(v.tags).length,
    totalTags: Math.max(v.totalTags, Object.keys(v.tags).length),
  };
}

function cap<T>(items: T[], limit: number) {
  return { total: items.length, items: items.slice(0, limit) };
}

/** Tags and default-branch head of GitHub against the mirror's. */
export function compareRefStates(github: RepoRefsState, mirror: RepoRefsState, urls: { github: string; mirror: string }, limit = MAX_LISTED): RefComparison {
  const gh = github.tags;
  const gm = mirror.tags;
  const missing: string[] = [];
  const differingNames: string[] = [];
  for (const name of Object.keys(gh)) {
    if (!Object.hasOwn(gm, name)) missing.push(name);
    else if (!sameSha(gh[name] ?? null, gm[name] ?? null)) differingNames.push(name);
  }
  const onlyOnMirror = Object.keys(gm).filter((name) => !Object.hasOwn(gh, name));
  const differing: TagDifference[] = sortTagsNewestFirst(differingNames).map((name) => {
    const githubSha = gh[name] ?? '';
    const mirrorSha = gm[name] ?? '';
    return {
      name,
      githubSha,
      mirrorSha,
      githubUrl: commitUrl(urls.github, githubSha),
      mirrorUrl: commitUrl(urls.mirror, mirrorSha),
    };
  });
  const partial = github.totalTags > Object.keys(gh).length || mirror.totalTags > Object.keys(gm).length;
  return {
    headEqual: sameSha(github.headSha, mirror.headSha),
    missingOnMirror: cap(sortTagsNewestFirst(missing), limit),
    differing: cap(differing, limit),
    onlyOnMirror: cap(sortTagsNewestFirst(onlyOnMirror), limit),
    partial,
  };
}

/** The mirror part of the report; a side that could not be read leaves the other intact. */
export function mirrorPart(githubRefs: Fetched<RepoRefsState>, mirrorRefs: Fetched<RepoRefsState>, urls: { github: string; mirror: string }): MirrorPart {
  return {
    github: side(githubRefs, urls.github),
    mirror: side(mirrorRefs, urls.mirror),
    comparison: githubRefs.ok && mirrorRefs.ok ? compareRefStates(githubRefs.value, mirrorRefs.value, urls) : null,
  };
}

/** Short plain-text summary of what differs, or null when nothing does. */
export function driftSummary(c: RefComparison, branch: string): string | null {
  const parts: string[] = [];
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  if (c.missingOnMirror.total > 0) parts.push(n(c.missingOnMirror.total, 'tag missing', 'tags missing'));
  if (c.differing.total > 0) parts.push(n(c.differing.total, 'tag differs', 'tags differ'));
  if (!c.headEqual) parts.push(`\`${branch}\` differs`);
  return parts.length > 0 ? parts.join(', ') : null;
}
