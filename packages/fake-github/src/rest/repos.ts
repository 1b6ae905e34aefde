import { userPermission } from '../auth.js';
import { isoSeconds } from '../clock.js';
import { gitBlobSha } from '../crypto.js';
import { ApiError, bodyObject, notFound, paginate, type Ctx, type Route } from '../http.js';
import { fullRepo, nodeId } from '../serialize.js';
import { normalizeSshPublicKey } from '../sshPublicKey.js';
import type { DeployKeyRec, RepoRec, TagRec } from '../state.js';
import type { Schema } from '../types.js';

/** Repository metadata, contents, tags and refs, deploy keys. */

const META = { kind: 'repo', level: 'read', perm: 'metadata' } as const;
const CONTENTS = { kind: 'repo', level: 'read', perm: 'contents' } as const;
const ADMIN = { kind: 'repo', level: 'admin', perm: 'administration' } as const;

function permissionsFor(ctx: Ctx): Schema<'full-repository'>['permissions'] | undefined {
  const p = ctx.principal;
  if (p.kind !== 'token') return undefined;
  const has = userPermission(ctx.repo, p.user.login);
  const rank = has === 'admin' ? 3 : has === 'write' ? 2 : has === 'read' ? 1 : 0;
  return { admin: rank >= 3, maintain: rank >= 3, push: rank >= 2, triage: rank >= 2, pull: rank >= 1 };
}

/** Natural order, so v0.1.0b10 sorts after v0.1.0b9. */
const natural = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

function resolveRef(repo: RepoRec, ref: string): string | undefined {
  const r = ref.replace(/^refs\/(heads|tags)\//, '');
  return (
    repo.branches.get(r) ?? repo.tags.get(r)?.commitSha ?? (/^[0-9a-f]{7,40}$/.test(r) ? [...repo.commits.keys()].find((s) => s.startsWith(r)) : undefined)
  );
}

function contentFile(ctx: Ctx, path: string, content: string, ref: string): Schema<'content-file'> {
  const repo = ctx.repo;
  const sha = gitBlobSha(content);
  const self = `${ctx.state.urls.apiUrl}/repos/${repo.fullName}/contents/${path}?ref=${encodeURIComponent(ref)}`;
  const html = `${ctx.state.urls.webUrl}/${repo.fullName}/blob/${ref}/${path}`;
  const git = `${ctx.state.urls.apiUrl}/repos/${repo.fullName}/git/blobs/${sha}`;
  // GitHub wraps the base64 at 60 characters.
  const b64 = Buffer.from(content, 'utf8')
    .toString('base64')
    .replace(/(.{60})/g, '$1\n');
  return {
    type: 'file',
    encoding: 'base64',
    size: Buffer.byteLength(content),
    name: path.split('/').pop() ?? path,
    path,
    content: b64.endsWith('\n') ? b64 : `${b64}\n`,
    sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: `${ctx.state.urls.webUrl}/${repo.fullName}/raw/${ref}/${path}`,
    _links: { self, git, html },
  };
}

function getContents(ctx: Ctx): { status: number; body: Schema<'content-file'> | Schema<'content-directory'> } {
  const repo = ctx.repo;
  const ref = ctx.query.ref ?? repo.defaultBranch;
  if (!resolveRef(repo, ref)) throw new ApiError(404, `No commit found for the ref ${ref}`);
  const path = (ctx.params.path ?? '').replace(/\/+$/, '');
  const file = repo.files.get(path);
  if (file !== undefined) return { status: 200, body: contentFile(ctx, path, file, ref) };
  const inDir = [...repo.files.entries()].filter(([p]) => p.startsWith(`${path}/`));
  if (inDir.length === 0) throw notFound();
  const entries = new Map<string, Schema<'content-directory'>[number]>();
  for (const [p, c] of inDir) {
    const rest = p.slice(path.length + 1);
    const [head, ...tail] = rest.split('/');
    if (!head) continue;
    const childPath = `${path}/${head}`;
    if (tail.length === 0) {
      const { content: _content, encoding: _encoding, ...meta } = contentFile(ctx, childPath, c, ref);
      entries.set(head, meta);
    } else if (!entries.has(head)) {
      const self = `${ctx.state.urls.apiUrl}/repos/${repo.fullName}/contents/${childPath}?ref=${encodeURIComponent(ref)}`;
      const html = `${ctx.state.urls.webUrl}/${repo.fullName}/tree/${ref}/${childPath}`;
      entries.set(head, {
        type: 'dir',
        size: 0,
        name: head,
        path: childPath,
        sha: gitBlobSha(childPath),
        url: self,
        git_url: null,
        html_url: html,
        download_url: null,
        _links: { self, git: null, html },
      });
    }
  }
  return { status: 200, body: [...entries.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}

function tagJson(ctx: Ctx, t: TagRec): Schema<'tag'> {
  const api = `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}`;
  return {
    name: t.name,
    commit: { sha: t.commitSha, url: `${api}/commits/${t.commitSha}` },
    zipball_url: `${api}/zipball/refs/tags/${t.name}`,
    tarball_url: `${api}/tarball/refs/tags/${t.name}`,
    node_id: nodeId('REF', `${ctx.repo.id}:refs/tags/${t.name}`),
  };
}

function allRefs(ctx: Ctx): Schema<'git-ref'>[] {
  const api = `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}`;
  const heads = [...ctx.repo.branches.entries()].map(([name, sha]): Schema<'git-ref'> => ({
    ref: `refs/heads/${name}`,
    node_id: nodeId('REF', `${ctx.repo.id}:refs/heads/${name}`),
    url: `${api}/git/refs/heads/${name}`,
    object: { sha, type: 'commit', url: `${api}/git/commits/${sha}` },
  }));
  const tags = [...ctx.repo.tags.values()].map((t): Schema<'git-ref'> => ({
    ref: `refs/tags/${t.name}`,
    node_id: nodeId('REF', `${ctx.repo.id}:refs/tags/${t.name}`),
    url: `${api}/git/refs/tags/${t.name}`,
    object: t.annotated
      ? { sha: t.annotated.sha, type: 'tag', url: `${api}/git/tags/${t.annotated.sha}` }
      : { sha: t.commitSha, type: 'commit', url: `${api}/git/commits/${t.commitSha}` },
  }));
  return [...heads, ...tags].sort((a, b) => natural(a.ref, b.ref));
}

function keyJson(ctx: Ctx, k: DeployKeyRec): Schema<'deploy-key'> {
  return {
    id: k.id,
    key: k.key,
    url: `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}/keys/${k.id}`,
    title: k.title,
    verified: true,
    created_at: k.createdAt,
    read_only: k.readOnly,
    added_by: k.addedBy,
    last_used: k.lastUsed,
    enabled: true,
  };
}

function validationFailed(message: string): ApiError {
  return new ApiError(422, 'Validation Failed', { body: { errors: [{ resource: 'PublicKey', code: 'custom', field: 'key', message }] } });
}

function addKey(ctx: Ctx): { status: number; body: Schema<'deploy-key'> } {
  const body = bodyObject(ctx);
  const key = typeof body.key === 'string' ? normalizeSshPublicKey(body.key) : null;
  if (!key) throw validationFailed('key is invalid. You must supply a key in OpenSSH public key format');
  // A deploy key can be used by one repository only, across the whole host (GitHub also
  // refuses users' SSH keys, which the fake does not model).
  for (const r of ctx.state.repos.values()) if (r.deployKeys.some((k) => k.key === key)) throw validationFailed('key is already in use');
  const rec: DeployKeyRec = {
    id: ctx.state.nextId('key'),
    title: typeof body.title === 'string' && body.title ? body.title : 'deploy key',
    key,
    readOnly: body.read_only !== false,
    createdAt: isoSeconds(ctx.state.clock.wallNow()),
    addedBy: ctx.login ?? null,
    lastUsed: null,
  };
  ctx.repo.deployKeys.push(rec);
  return { status: 201, body: keyJson(ctx, rec) };
}

function keyOf(ctx: Ctx): DeployKeyRec {
  const k = ctx.repo.deployKeys.find((x) => String(x.id) === ctx.params.key_id);
  if (!k) throw notFound();
  return k;
}

export const reposRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo',
    doc: 'repos/repos#get-a-repository',
    access: META,
    handle: (ctx) => ({ status: 200, body: fullRepo(ctx.state, ctx.repo, permissionsFor(ctx)) }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/contents/*path',
    doc: 'repos/contents#get-repository-content',
    access: CONTENTS,
    handle: getContents,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/tags',
    doc: 'repos/repos#list-repository-tags',
    access: CONTENTS,
    handle: (ctx) => {
      const tags = [...ctx.repo.tags.values()].sort((a, b) => natural(b.name, a.name));
      const { page, headers } = paginate(ctx, tags);
      return { status: 200, body: page.map((t) => tagJson(ctx, t)), headers };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/branches',
    doc: 'branches/branches#list-branches',
    access: CONTENTS,
    handle: (ctx) => {
      const api = `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}`;
      const all = [...ctx.repo.branches.entries()].sort(([a], [b]) => natural(a, b));
      const { page, headers } = paginate(ctx, all);
      const body: Schema<'short-branch'>[] = page.map(([name, sha]) => ({ name, commit: { sha, url: `${api}/commits/${sha}` }, protected: false }));
      return { status: 200, body, headers };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/ref/*ref',
    doc: 'git/refs#get-a-reference',
    access: CONTENTS,
    handle: (ctx) => {
      const ref = allRefs(ctx).find((r) => r.ref === `refs/${ctx.params.ref ?? ''}`);
      if (!ref) throw notFound();
      return { status: 200, body: ref };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/matching-refs/*ref',
    doc: 'git/refs#list-matching-references',
    access: CONTENTS,
    handle: (ctx) => ({ status: 200, body: allRefs(ctx).filter((r) => r.ref.startsWith(`refs/${ctx.params.ref ?? ''}`)) }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/tags/:tag_sha',
    doc: 'git/tags#get-a-tag',
    access: CONTENTS,
    handle: (ctx) => {
      const t = [...ctx.repo.tags.values()].find((x) => x.annotated?.sha === ctx.params.tag_sha);
      if (!t?.annotated) throw notFound();
      const api = `${ctx.state.urls.apiUrl}/repos/${ctx.repo.fullName}`;
      const body: Schema<'git-tag'> = {
        node_id: nodeId('TAG', t.annotated.sha),
        tag: t.name,
        sha: t.annotated.sha,
        url: `${api}/git/tags/${t.annotated.sha}`,
        message: `${t.annotated.message}\n`,
        tagger: { name: ctx.repo.owner, email: `${ctx.repo.owner.toLowerCase()}@users.noreply.github.com`, date: t.annotated.date },
        object: { sha: t.commitSha, type: 'commit', url: `${api}/git/commits/${t.commitSha}` },
        verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
      };
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/keys',
    doc: 'deploy-keys/deploy-keys#list-deploy-keys',
    access: ADMIN,
    handle: (ctx) => {
      const { page, headers } = paginate(ctx, ctx.repo.deployKeys);
      return { status: 200, body: page.map((k) => keyJson(ctx, k)), headers };
    },
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/keys',
    doc: 'deploy-keys/deploy-keys#create-a-deploy-key',
    access: ADMIN,
    handle: addKey,
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/keys/:key_id',
    doc: 'deploy-keys/deploy-keys#get-a-deploy-key',
    access: ADMIN,
    handle: (ctx) => ({ status: 200, body: keyJson(ctx, keyOf(ctx)) }),
  },
  {
    method: 'DELETE',
    pattern: '/repos/:owner/:repo/keys/:key_id',
    doc: 'deploy-keys/deploy-keys#delete-a-deploy-key',
    access: ADMIN,
    handle: (ctx) => {
      const k = keyOf(ctx);
      ctx.repo.deployKeys = ctx.repo.deployKeys.filter((x) => x !== k);
      return { status: 204 };
    },
  },
];
