import { looksLikeJwt, verifyAppJwt } from './apps.js';
import { ApiError } from './http.js';
import type { AppRec, GitHubState, InstallationRec, InstallationTokenRec, RepoRec, TokenRec, UserRec } from './state.js';
import type { Permission, RepoPermissionName } from './types.js';

/** Who is calling, and what GitHub lets them see and do. */

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'token'; rec: TokenRec; user: UserRec }
  | { kind: 'installation'; rec: InstallationTokenRec; installation: InstallationRec }
  | { kind: 'app'; app: AppRec };

export type AuthResult = { ok: true; principal: Principal } | { ok: false; message: string };

/** Reads `Authorization: token X` / `Bearer X`. Unknown, revoked and expired tokens are all "Bad credentials". */
export function authenticate(state: GitHubState, header: string | undefined): AuthResult {
  if (!header) return { ok: true, principal: { kind: 'anonymous' } };
  const m = /^(?:token|bearer)\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return { ok: false, message: 'Bad credentials' };
  const token = m[1];
  if (looksLikeJwt(token)) {
    const r = verifyAppJwt(state, token);
    return r.ok ? { ok: true, principal: { kind: 'app', app: r.app } } : { ok: false, message: r.message };
  }
  const now = Date.now();
  const rec = state.tokens.get(token);
  if (rec) {
    if (rec.expiresAt && new Date(rec.expiresAt).getTime() <= now) return { ok: false, message: 'Bad credentials' };
    return { ok: true, principal: { kind: 'token', rec, user: state.ensureUser(rec.login) } };
  }
  const inst = state.installationTokens.get(token);
  const installation = inst && state.installations.get(inst.installationId);
  if (inst && installation && new Date(inst.expiresAt).getTime() > now) {
    return { ok: true, principal: { kind: 'installation', rec: inst, installation } };
  }
  return { ok: false, message: 'Bad credentials' };
}

const RANK: Record<Permission, number> = { read: 1, write: 2, admin: 3 };

/** The collaborator permission of a user: explicit access, or admin for the owning account. */
export function userPermission(repo: RepoRec, login: string): Permission | undefined {
  const explicit = repo.access.get(login.toLowerCase());
  if (explicit) return explicit;
  if (repo.owner.toLowerCase() === login.toLowerCase()) return 'admin';
  return repo.private ? undefined : 'read';
}

export function loginOf(p: Principal, state: GitHubState): string | undefined {
  if (p.kind === 'token') return p.user.login;
  if (p.kind === 'installation') return `${state.apps.get(p.installation.appId)?.slug ?? 'app'}[bot]`;
  return undefined;
}

function canSee(p: Principal, repo: RepoRec): boolean {
  if (!repo.private) return p.kind !== 'app';
  const key = repo.fullName.toLowerCase();
  switch (p.kind) {
    case 'anonymous':
    case 'app':
      return false;
    case 'token':
      if (userPermission(repo, p.user.login) === undefined) return false;
      return p.rec.kind === 'classic' ? p.rec.scopes.includes('repo') : (p.rec.repos ?? []).includes(key);
    case 'installation':
      return p.rec.repos.includes(key);
  }
}

function grantCovers(grant: 'read' | 'write' | undefined, level: Permission): boolean {
  if (!grant) return false;
  return level === 'read' || grant === 'write';
}

/**
 * Throws what GitHub answers when `p` may not do `level` on `repo`: 404 when the repo
 * is invisible to it (GitHub does not reveal private repos), 403 when it is visible but
 * the permission is missing, worded per kind of credential.
 */
export function checkRepoAccess(p: Principal, repo: RepoRec | undefined, level: Permission, perm: RepoPermissionName): void {
  if (!repo || !canSee(p, repo)) {
    if (p.kind === 'app') throw new ApiError(403, 'Resource not accessible by integration');
    throw new ApiError(404, 'Not Found');
  }
  const key = repo.fullName.toLowerCase();
  // Every credential may read public repositories.
  if (level === 'read' && !repo.private && p.kind !== 'app') return;
  switch (p.kind) {
    case 'anonymous':
      throw new ApiError(401, 'Requires authentication');
    case 'app':
      throw new ApiError(403, 'Resource not accessible by integration');
    case 'token': {
      const has = userPermission(repo, p.user.login);
      const enough = has !== undefined && RANK[has] >= RANK[level];
      if (p.rec.kind === 'classic') {
        const scoped = level === 'read' || p.rec.scopes.includes('repo') || (!repo.private && p.rec.scopes.includes('public_repo'));
        if (!enough || !scoped) throw new ApiError(403, 'Must have admin rights to Repository.');
        return;
      }
      // Without explicit permissions a fine-grained token is taken to have them all.
      const grant = p.rec.permissions ? p.rec.permissions[perm] : 'write';
      const granted = (p.rec.repos ?? []).includes(key) && ((perm === 'metadata' && level === 'read') || grantCovers(grant, level));
      if (!enough || !granted) throw new ApiError(403, 'Resource not accessible by personal access token');
      return;
    }
    case 'installation': {
      const inRepos = p.rec.repos.includes(key);
      const granted = inRepos && ((perm === 'metadata' && level === 'read') || grantCovers(p.rec.permissions[perm], level));
      if (!granted) throw new ApiError(403, 'Resource not accessible by integration');
      return;
    }
  }
}
