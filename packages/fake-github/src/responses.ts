import { randomBytes } from 'node:crypto';
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Principal } from './auth.js';
import type { Reply } from './http.js';
import { GHES_VERSION } from './rest/user.js';
import type { Flavor } from './types.js';

/** How GitHub's answers look on the wire: error bodies, the headers every response carries. */

const SECONDARY_LIMIT =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.';

/** Body message of an injected failure when the test gave none. */
export function defaultMessage(status: number): string {
  if (status === 403 || status === 429) return SECONDARY_LIMIT;
  if (status === 500 || status === 502) return 'Server Error';
  return STATUS_CODES[status] ?? 'Error';
}

/** Expiry as GitHub prints it in `github-authentication-token-expiration`. */
function expiryHeader(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function docUrl(flavor: Flavor, section: string): string {
  const root = flavor === 'ghes' ? `https://docs.github.com/enterprise-server@${GHES_VERSION.replace(/\.0$/, '')}/rest` : 'https://docs.github.com/rest';
  return section ? `${root}/${section}` : root;
}

/** `{message, documentation_url, status}`, the shape of every GitHub error. */
export function errorReply(
  flavor: Flavor,
  status: number,
  message: string,
  doc: string,
  extra: { headers?: Record<string, string>; body?: Record<string, unknown> } = {},
): Reply {
  const reply: Reply = { status, body: { message, ...extra.body, documentation_url: docUrl(flavor, doc), status: String(status) } };
  if (extra.headers) reply.headers = extra.headers;
  return reply;
}

export function baseHeaders(flavor: Flavor, p: Principal | undefined): Record<string, string> {
  const h: Record<string, string> = {
    'x-github-request-id': [4, 5, 6, 7, 8].map((n) => randomBytes(4).toString('hex').toUpperCase().slice(0, n)).join(':'),
    'x-github-media-type': 'github.v3; format=json',
    'access-control-expose-headers':
      'ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset',
    vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
    'x-content-type-options': 'nosniff',
    server: 'github.com',
  };
  if (flavor === 'ghes') h['x-github-enterprise-version'] = GHES_VERSION;
  else h['x-github-api-version-selected'] = '2022-11-28';
  if (p?.kind === 'token') {
    if (p.rec.kind === 'classic') {
      h['x-oauth-scopes'] = p.rec.scopes.join(', ');
      h['x-accepted-oauth-scopes'] = '';
    }
    if (p.rec.expiresAt) h['github-authentication-token-expiration'] = expiryHeader(p.rec.expiresAt);
  }
  return h;
}

export function sendReply(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  const all: Record<string, string> = { ...headers, ...reply.headers };
  let payload: string | undefined;
  if (reply.text !== undefined) {
    payload = reply.text;
    all['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
    payload = JSON.stringify(reply.body);
    all['content-type'] = 'application/json; charset=utf-8';
  }
  if (payload !== undefined) all['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, all);
  res.end(payload);
}
