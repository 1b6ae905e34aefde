import { ApiError, bodyObject, invalid, type Route } from '../http.js';
import { privateUser } from '../serialize.js';
import type { Schema } from '../types.js';

/** The authenticated user, rate limits, host metadata, credential revocation. */

export const GHES_VERSION = '3.19.0';

export const userRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/user',
    doc: 'users/users#get-the-authenticated-user',
    access: { kind: 'user' },
    handle: (ctx) => {
      if (ctx.principal.kind !== 'token') throw new ApiError(403, 'Resource not accessible by integration');
      return { status: 200, body: privateUser(ctx.state, ctx.principal.user.login) };
    },
  },
  {
    method: 'GET',
    pattern: '/rate_limit',
    doc: 'rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
    access: { kind: 'none' },
    handle: (ctx) => {
      const core = ctx.rateLimits.get(ctx.principal, 'core');
      const graphql = ctx.rateLimits.get(ctx.principal, 'graphql');
      const view = (b: typeof core): Schema<'rate-limit'> => ({ limit: b.limit, remaining: b.remaining, reset: b.reset, used: b.used });
      const body: Schema<'rate-limit-overview'> = {
        resources: { core: view(core), graphql: view(graphql), search: { limit: 30, remaining: 30, reset: core.reset, used: 0 } },
        rate: view(core),
      };
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: '/meta',
    doc: 'meta/meta#get-apiname-meta-information',
    access: { kind: 'none' },
    handle: (ctx) => {
      const body: Schema<'api-overview'> & { installed_version?: string } = { verifiable_password_authentication: false };
      if (ctx.state.flavor === 'ghes') body.installed_version = GHES_VERSION;
      return { status: 200, body };
    },
  },
  {
    // github.com only: anyone may report leaked credentials; GHES has no such endpoint.
    method: 'POST',
    pattern: '/credentials/revoke',
    doc: 'credentials/revoke#revoke-a-list-of-credentials',
    access: { kind: 'none' },
    handle: (ctx) => {
      if (ctx.state.flavor !== 'dotcom') throw new ApiError(404, 'Not Found');
      const { credentials } = bodyObject(ctx);
      if (!Array.isArray(credentials) || credentials.length === 0 || credentials.some((c) => typeof c !== 'string')) {
        throw invalid('"credentials" wasn\'t supplied.');
      }
      for (const c of credentials as string[]) ctx.state.revokeToken(c);
      return { status: 202, body: {} };
    },
  },
];
