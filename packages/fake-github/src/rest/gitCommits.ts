import { notFound, type Route } from '../http.js';
import { nodeId } from '../serialize.js';
import type { Schema } from '../types.js';

/** Git database commit objects (`git/commits/{sha}`): message, tree, parents. */

export const gitCommitsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/commits/:commit_sha',
    doc: 'git/commits#get-a-commit-object',
    access: { kind: 'repo', level: 'read', perm: 'contents' },
    handle: (ctx) => {
      const c = ctx.repo.commits.get(ctx.params.commit_sha ?? '');
      if (!c) throw notFound();
      const api = `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}`;
      const web = `${ctx.state.urls.webUrl}/${ctx.repo.fullName}`;
      const person = { name: ctx.repo.owner, email: `${ctx.repo.owner.toLowerCase()}@users.noreply.github.com`, date: c.date };
      const body: Schema<'git-commit'> = {
        sha: c.sha,
        node_id: nodeId('C', c.sha),
        url: `${api}/git/commits/${c.sha}`,
        html_url: `${web}/commit/${c.sha}`,
        author: person,
        committer: person,
        message: c.message,
        tree: { sha: c.treeSha, url: `${api}/git/trees/${c.treeSha}` },
        parents: c.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${web}/commit/${p}` })),
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      };
      return { status: 200, body };
    },
  },
];
