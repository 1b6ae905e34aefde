import type { IncomingMessage } from 'node:http';
import { checkRepoAccess, loginOf, type Principal } from './auth.js';
import { ApiError, compile, type CompiledRoute, type Ctx, type Reply } from './http.js';
import type { HostEnv } from './pipeline.js';
import { errorReply } from './responses.js';
import { actionsRoutes } from './rest/actions.js';
import { appsRoutes } from './rest/apps.js';
import { gitCommitsRoutes } from './rest/gitCommits.js';
import { releasesRoutes } from './rest/releases.js';
import { reposRoutes } from './rest/repos.js';
import { secretsRoutes } from './rest/secrets.js';
import { userRoutes } from './rest/user.js';
import type { RepoRec } from './state.js';

/** REST dispatch: finds the route, checks who may use it on which repository, runs it. */

const ROUTES: CompiledRoute[] = [...userRoutes, ...reposRoutes, ...actionsRoutes, ...secretsRoutes, ...appsRoutes, ...gitCommitsRoutes, ...releasesRoutes].map(
  compile,
);

export async function routeRest(
  env: HostEnv,
  method: string,
  apiPath: string,
  url: URL,
  body: unknown,
  req: IncomingMessage,
  principal: Principal,
): Promise<Reply> {
  let doc = '';
  try {
    let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
    for (const route of ROUTES) {
      if (route.method !== method) continue;
      const m = route.regex.exec(apiPath);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        params[n] = (m[i + 1] ?? '').split('/').map(decodeURIComponent).join('/');
      });
      matched = { route, params };
      break;
    }
    if (!matched) return errorReply(env.state.flavor, 404, 'Not Found', '');
    const { route, params } = matched;
    doc = route.doc;
    let repo: RepoRec | undefined;
    if (route.access.kind === 'user' && principal.kind === 'anonymous') throw new ApiError(401, 'Requires authentication');
    if (route.access.kind === 'repo') {
      repo = env.state.findRepo(params.owner ?? '', params.repo ?? '');
      checkRepoAccess(principal, repo, route.access.level, route.access.perm);
    }
    const restBase = env.state.urls.apiUrl;
    const ctx: Ctx = {
      state: env.state,
      method,
      path: apiPath,
      params,
      query: Object.fromEntries(url.searchParams),
      body,
      headers: req.headers,
      principal,
      get repo(): RepoRec {
        if (!repo) throw new Error(`route ${route.pattern} has no repository`);
        return repo;
      },
      login: loginOf(principal, env.state),
      rateLimits: env.rateLimits,
      selfUrl: (q) => `${restBase}${apiPath}?${new URLSearchParams(q).toString()}`,
    };
    return await route.handle(ctx);
  } catch (e) {
    if (e instanceof ApiError) return errorReply(env.state.flavor, e.status, e.message, doc, e.extra);
    throw e;
  }
}
