import type { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './auth.js';
import type { RateLimits } from './rateLimit.js';
import type { GitHubState, RepoRec } from './state.js';
import type { Permission, RepoPermissionName } from './types.js';

/** The pieces every REST handler shares: what it gets, what it answers, how it fails. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
  ) {
    super(message);
  }
}

export const notFound = (): ApiError => new ApiError(404, 'Not Found');

export interface Reply {
  status: number;
  /** JSON body; omit for 204/302. */
  body?: unknown;
  /** A non-JSON body (text/plain). */
  text?: string;
  headers?: Record<string, string>;
}

export type Access = { kind: 'none' } | { kind: 'user' } | { kind: 'app' } | { kind: 'repo'; level: Permission; perm: RepoPermissionName };

export interface Ctx {
  state: GitHubState;
  method: string;
  /** Path relative to the REST root (`/repos/o/r/...`). */
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  headers: IncomingHttpHeaders;
  principal: Principal;
  /** The repository of `:owner/:repo` routes, after the access check. */
  repo: RepoRec;
  /** Login of the caller (for `actor`, `added_by`), if any. */
  login: string | undefined;
  rateLimits: RateLimits;
  /** Answers Link headers on list endpoints. */
  selfUrl: (query: Record<string, string>) => string;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/repos/:owner/:repo/actions/runs/:run_id`; a trailing `*name` takes the rest of the path. */
  pattern: string;
  /** Section of docs.github.com/rest this endpoint is documented in, for `documentation_url`. */
  doc: string;
  access: Access;
  handle: (ctx: Ctx) => Reply | Promise<Reply>;
}

export interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export function compile(route: Route): CompiledRoute {
  const names: string[] = [];
  const src = route.pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      if (seg.startsWith('*')) {
        names.push(seg.slice(1));
        return '(.+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, regex: new RegExp(`^${src}/?$`), names };
}

/** GitHub's page/per_page handling plus the Link header Octokit's paginate follows. */
export function paginate<T>(ctx: Ctx, items: T[], o: { defaultPerPage?: number } = {}): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.per_page) || o.defaultPerPage || 30));
  const pageNo = Math.max(1, Number(ctx.query.page) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const page = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const link = (p: number, rel: string): string => `<${ctx.selfUrl({ ...ctx.query, per_page: String(perPage), page: String(p) })}>; rel="${rel}"`;
  const rels: string[] = [];
  if (pageNo > 1) rels.push(link(pageNo - 1, 'prev'));
  if (pageNo < last) rels.push(link(pageNo + 1, 'next'), link(last, 'last'));
  if (pageNo > 1) rels.push(link(1, 'first'));
  return { page, headers: rels.length ? { link: rels.join(', ') } : {} };
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new ApiError(400, 'Problems parsing JSON');
  return b as Record<string, unknown>;
}

/** 422 in the wording GitHub's request validation uses. */
export function invalid(detail: string): ApiError {
  return new ApiError(422, `Invalid request.\n\n${detail}`);
}
