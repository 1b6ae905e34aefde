import { randomBytes } from 'node:crypto';
import { isoSeconds } from '../clock.js';
import { ApiError, bodyObject, notFound, type Ctx, type Route } from '../http.js';
import { simpleUser } from '../serialize.js';
import { repoKey, type AppRec, type InstallationRec } from '../state.js';
import type { PermissionGrants, RepoPermissionName, Schema } from '../types.js';

/** GitHub App endpoints that take the app's JWT, and installation access tokens. */

function appOf(ctx: Ctx): AppRec {
  if (ctx.principal.kind !== 'app') throw new ApiError(401, 'A JSON web token could not be decoded');
  return ctx.principal.app;
}

function installationJson(ctx: Ctx, inst: InstallationRec): Schema<'installation'> {
  const app = ctx.state.apps.get(inst.appId);
  const account = simpleUser(ctx.state, inst.account);
  return {
    id: inst.id,
    account,
    repository_selection: 'selected',
    access_tokens_url: `${ctx.state.urls.apiUrl}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${ctx.state.urls.apiUrl}/installation/repositories`,
    html_url: `${ctx.state.urls.webUrl}/${account.type === 'Organization' ? `organizations/${inst.account}/` : ''}settings/installations/${inst.id}`,
    app_id: inst.appId,
    app_slug: app?.slug ?? `app-${inst.appId}`,
    target_id: Number(account.id),
    target_type: account.type,
    permissions: inst.permissions,
    events: [],
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function createToken(ctx: Ctx): { status: number; body: Schema<'installation-token'> } {
  const app = appOf(ctx);
  const inst = ctx.state.installations.get(Number(ctx.params.installation_id));
  if (!inst || inst.appId !== app.appId) throw notFound();
  const body = bodyObject(ctx);
  let repos = inst.repos;
  if (Array.isArray(body.repositories)) {
    const asked = body.repositories.map((n) => repoKey(`${inst.account}/${String(n)}`));
    if (asked.some((r) => !inst.repos.includes(r))) {
      throw new ApiError(422, 'There is at least one repository that does not exist or is not accessible to the parent installation.');
    }
    repos = asked;
  }
  let permissions: PermissionGrants = inst.permissions;
  if (body.permissions && typeof body.permissions === 'object') {
    const asked = body.permissions as Record<string, string>;
    const narrowed: PermissionGrants = {};
    for (const [k, v] of Object.entries(asked)) {
      const have = inst.permissions[k as RepoPermissionName];
      if (!have || (v === 'write' && have !== 'write') || (v !== 'read' && v !== 'write')) {
        throw new ApiError(422, 'The permissions requested are not granted to this installation.');
      }
      narrowed[k as RepoPermissionName] = v;
    }
    permissions = narrowed;
  }
  const token = `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
  const expiresAt = isoSeconds(new Date(Date.now() + 3600_000));
  ctx.state.installationTokens.set(token, { token, installationId: inst.id, expiresAt, repos, permissions });
  return { status: 201, body: { token, expires_at: expiresAt, permissions, repository_selection: 'selected' } };
}

export const appsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/app',
    doc: 'apps/apps#get-the-authenticated-app',
    access: { kind: 'app' },
    handle: (ctx) => {
      const app = appOf(ctx);
      const owner = [...ctx.state.installations.values()].find((i) => i.appId === app.appId)?.account ?? 'octo-org';
      const body: NonNullable<Schema<'integration'>> = {
        id: app.appId,
        slug: app.slug,
        node_id: `A_kwDO${Buffer.from(String(app.appId)).toString('base64url')}`,
        owner: simpleUser(ctx.state, owner),
        name: app.slug,
        description: null,
        external_url: ctx.state.urls.webUrl,
        html_url: `${ctx.state.urls.webUrl}/apps/${app.slug}`,
        created_at: '2025-06-01T12:00:00Z',
        updated_at: '2025-06-01T12:00:00Z',
        permissions: app.permissions,
        events: [],
        installations_count: [...ctx.state.installations.values()].filter((i) => i.appId === app.appId).length,
      };
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: '/app/installations',
    doc: 'apps/apps#list-installations-for-the-authenticated-app',
    access: { kind: 'app' },
    handle: (ctx) => {
      const app = appOf(ctx);
      const body = [...ctx.state.installations.values()].filter((i) => i.appId === app.appId).map((i) => installationJson(ctx, i));
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/installation',
    doc: 'apps/apps#get-a-repository-installation-for-the-authenticated-app',
    access: { kind: 'app' },
    handle: (ctx) => {
      const app = appOf(ctx);
      const key = repoKey(`${ctx.params.owner ?? ''}/${ctx.params.repo ?? ''}`);
      const inst = [...ctx.state.installations.values()].find((i) => i.appId === app.appId && i.repos.includes(key));
      if (!inst) throw notFound();
      return { status: 200, body: installationJson(ctx, inst) };
    },
  },
  {
    method: 'POST',
    pattern: '/app/installations/:installation_id/access_tokens',
    doc: 'apps/apps#create-an-installation-access-token-for-an-app',
    access: { kind: 'app' },
    handle: createToken,
  },
];
