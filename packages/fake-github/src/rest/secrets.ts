import { isoSeconds } from '../clock.js';
import { BASE64, openSealedBox, sodiumReady } from '../crypto.js';
import { ApiError, bodyObject, invalid, notFound, paginate, type Ctx, type Route } from '../http.js';
import type { SecretRec } from '../state.js';
import type { Schema } from '../types.js';

/** Repository Actions secrets: metadata, the sealing key, and sealed-box writes. */

const secretJson = (s: SecretRec): Schema<'actions-secret'> => ({ name: s.name, created_at: s.createdAt, updated_at: s.updatedAt });

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IMPROPER = 'Bad request - validation failed due to an improperly encrypted secret';

function secretOf(ctx: Ctx): SecretRec {
  const s = ctx.repo.secrets.get((ctx.params.secret_name ?? '').toUpperCase());
  if (!s) throw notFound();
  return s;
}

async function putSecret(ctx: Ctx): Promise<{ status: number; body?: Record<string, never> }> {
  const body = bodyObject(ctx);
  const name = ctx.params.secret_name ?? '';
  if (!SECRET_NAME.test(name) || /^GITHUB_/i.test(name)) {
    throw new ApiError(
      422,
      'Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), must not start with a number or GITHUB_.',
    );
  }
  const { encrypted_value: value, key_id: keyId } = body;
  if (typeof value !== 'string') throw invalid('"encrypted_value" wasn\'t supplied.');
  if (!BASE64.test(value)) throw invalid(`${value} does not match ${BASE64.toString()}.`);
  if (typeof keyId !== 'string' || !keyId) throw invalid('"key_id" wasn\'t supplied.');
  await sodiumReady;
  const kp = ctx.repo.secretsKey;
  const sealed = Buffer.from(value, 'base64');
  if (keyId !== kp.keyId || !openSealedBox(sealed, kp)) throw new ApiError(422, IMPROPER);
  const upper = name.toUpperCase();
  const now = isoSeconds(ctx.state.clock.wallNow());
  const prev = ctx.repo.secrets.get(upper);
  // A PUT replaces whatever was seeded: the fake keeps the sealed box, as GitHub does.
  ctx.repo.secrets.set(upper, { name: upper, createdAt: prev?.createdAt ?? now, updatedAt: now, sealed: new Uint8Array(sealed) });
  return prev ? { status: 204 } : { status: 201, body: {} };
}

export const secretsRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/secrets',
    doc: 'actions/secrets#list-repository-secrets',
    access: { kind: 'repo', level: 'write', perm: 'secrets' },
    handle: (ctx) => {
      const all = [...ctx.repo.secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
      const { page, headers } = paginate(ctx, all);
      const body: { total_count: number; secrets: Schema<'actions-secret'>[] } = { total_count: all.length, secrets: page.map(secretJson) };
      return { status: 200, body, headers };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/secrets/public-key',
    doc: 'actions/secrets#get-a-repository-public-key',
    access: { kind: 'repo', level: 'read', perm: 'secrets' },
    handle: (ctx) => {
      const kp = ctx.repo.secretsKey;
      const body: Schema<'actions-public-key'> = { key_id: kp.keyId, key: Buffer.from(kp.publicKey).toString('base64') };
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/actions/secrets/:secret_name',
    doc: 'actions/secrets#get-a-repository-secret',
    access: { kind: 'repo', level: 'write', perm: 'secrets' },
    handle: (ctx) => ({ status: 200, body: secretJson(secretOf(ctx)) }),
  },
  {
    method: 'PUT',
    pattern: '/repos/:owner/:repo/actions/secrets/:secret_name',
    doc: 'actions/secrets#create-or-update-a-repository-secret',
    access: { kind: 'repo', level: 'write', perm: 'secrets' },
    handle: putSecret,
  },
  {
    method: 'DELETE',
    pattern: '/repos/:owner/:repo/actions/secrets/:secret_name',
    doc: 'actions/secrets#delete-a-repository-secret',
    access: { kind: 'repo', level: 'write', perm: 'secrets' },
    handle: (ctx) => {
      const s = secretOf(ctx);
      ctx.repo.secrets.delete(s.name);
      return { status: 204 };
    },
  },
];
