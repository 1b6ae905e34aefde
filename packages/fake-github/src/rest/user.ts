import { ApiError, bodyObject, invalid, type Route } from '../http.js';
import { defaultMessage } from '../responses.js';
import { privateUser } from '../serialize.js';
import type { Schema } from '../types.js';

/** The authenticated user, rate limits, host metadata, credential revocation. */

export const GHES_VERSION = '3.19.0';

const REVOKE_PER_HOUR = 60;
const MAX_CREDENTIALS = 1000;

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
    /*
     * github.com: unauthenticated only ("Any authenticated requests will return a 403").
     * GHES (3.19+): authenticated only, and @octokit/openapi's ghes-3.19 description
     * does not list the endpoint yet, though GHES' REST docs do
     * (docs.github.com/enterprise-server@3.19/rest/credentials/revoke).
     * Both: 60 requests an hour and at most 1000 credentials a request. Over the hourly
     * budget the answer is the documented 422 ("Validation failed, or the endpoint has
     * been spammed"), worded like GitHub's secondary limits and with `retry-after`.
     * The wording of the 403 is the fake's own: GitHub documents the status only.
     * Only personal access tokens (and on github.com OAuth and user tokens) are
     * accepted, so installation tokens are left alone.
     */
    method: 'POST',
    pattern: '/credentials/revoke',
    doc: 'credentials/revoke#revoke-a-list-of-credentials',
    access: { kind: 'none' },
    handle: (ctx) => {
      const anonymous = ctx.principal.kind === 'anonymous';
      if (ctx.state.flavor === 'dotcom' && !anonymous) throw new ApiError(403, 'This endpoint does not accept authenticated requests.');
      if (ctx.state.flavor === 'ghes' && anonymous) throw new ApiError(401, 'Requires authentication');
      const budget = ctx.rateLimits.takeEndpoint('credentials/revoke', ctx.principal, REVOKE_PER_HOUR);
      if (!budget.ok) throw new ApiError(422, defaultMessage(429), { headers: { 'retry-after': String(budget.retryAfterSeconds) } });
      const { credentials } = bodyObject(ctx);
      if (!Array.isArray(credentials) || credentials.length === 0 || credentials.some((c) => typeof c !== 'string')) {
        throw invalid('"credentials" wasn\'t supplied.');
      }
      if (credentials.length > MAX_CREDENTIALS) throw invalid(`"credentials" may hold at most ${MAX_CREDENTIALS} items.`);
      for (const c of credentials as string[]) ctx.state.tokens.delete(c);
      return { status: 202, body: {} };
    },
  },
];
