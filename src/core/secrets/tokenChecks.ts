import type { SecretKind } from '../../config/schema.js';
import type { TokenIdentity, TokenProbeResult } from '../ports.js';
import type { SecretCheck } from './facts.js';

/** A token must still be valid this long when it is set, or it will lapse before anyone notices. */
export const MIN_VALID_DAYS = 7;
const DAY = 86_400_000;

/** Classic scopes that include narrower ones (GitHub's scope hierarchy, the parts that matter here). */
const IMPLIED: Record<string, readonly string[]> = {
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  'admin:org': ['write:org', 'read:org', 'manage_runners:org'],
  'write:org': ['read:org'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:repo_hook': ['write:repo_hook', 'read:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  'write:packages': ['read:packages'],
  user: ['read:user', 'user:email', 'user:follow'],
  'admin:gpg_key': ['write:gpg_key', 'read:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
};

/** The scopes `granted` covers, hierarchy included. */
export function effectiveScopes(granted: readonly string[]): Set<string> {
  const out = new Set<string>();
  const add = (s: string) => {
    if (out.has(s)) return;
    out.add(s);
    for (const sub of IMPLIED[s] ?? []) add(sub);
  };
  granted.forEach(add);
  return out;
}

export interface TokenCheckInput {
  kind: Exclude<SecretKind, 'deploy-key'>;
  /** Display host, e.g. `wats.ghe.com`. */
  host: string;
  value: string;
  requiredScopes: readonly string[];
  maxAgeDays: number;
  now: Date;
  identity: TokenProbeResult<TokenIdentity>;
  /** Another host the bot knows that does accept the token (asked only when `host` refused it): a token made on the wrong host. */
  acceptedBy?: string;
  /** The repository the token is for, when the bot knows it (a mirror, or the repo itself). */
  target: { repo: string; access: TokenProbeResult<{ push: boolean; admin: boolean }> } | null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** What a typed token is shaped like, without looking at more than its prefix. */
export function tokenShape(value: string): 'classic' | 'fine-grained' | 'other' {
  if (/^gh[pousr]_/.test(value)) return 'classic';
  if (value.startsWith('github_pat_')) return 'fine-grained';
  return 'other';
}

/**
 * The checks of a token typed into the modal, from what its host answered when asked
 * with it. `fail` refuses the value; `warn` is shown to the approvers. The texts never
 * contain the value.
 */
export function checkToken(i: TokenCheckInput): SecretCheck[] {
  const checks: SecretCheck[] = [];
  const v = i.value;
  if (v.length === 0) return [{ id: 'value', level: 'fail', text: 'The value is empty.' }];
  if (/\s/.test(v)) return [{ id: 'value', level: 'fail', text: 'The value contains spaces or line breaks; paste the token alone.' }];
  const shape = tokenShape(v);
  if (i.kind === 'classic-pat' && shape === 'fine-grained') {
    checks.push({ id: 'shape', level: 'warn', text: 'This looks like a fine-grained token, but the secret is configured for a classic token.' });
  } else if (i.kind === 'fine-grained-pat' && shape === 'classic') {
    checks.push({ id: 'shape', level: 'warn', text: 'This looks like a classic token, but the secret is configured for a fine-grained one.' });
  }

  if (!i.identity.ok) {
    const why = {
      bad_credentials: `${i.host} does not accept this token (mistyped, expired or revoked).`,
      not_visible: `${i.host} does not accept this token.`,
      unreachable: `${i.host} could not be reached to check this token. Nothing was stored; submit again.`,
      refused: `${i.host} refused to say whom this token belongs to (HTTP ${i.identity.status ?? '?'}).`,
    }[i.identity.reason];
    const wrongHost =
      i.identity.reason === 'bad_credentials' && i.acceptedBy ? `It is a token of ${i.acceptedBy}, not of ${i.host}: create it on ${i.host}.` : null;
    return [...checks, { id: 'user', level: 'fail', text: wrongHost ?? why }];
  }
  const id = i.identity.value;
  checks.push({ id: 'user', level: 'ok', text: `${i.host} accepts it: it belongs to ${id.login}.` });

  if (i.kind === 'classic-pat') {
    if (id.scopes === null) {
      checks.push({ id: 'scopes', level: 'fail', text: 'It has no OAuth scopes: it is not a classic token.' });
    } else {
      const have = effectiveScopes(id.scopes);
      const missing = i.requiredScopes.filter((s) => !have.has(s));
      if (missing.length) {
        checks.push({
          id: 'scopes',
          level: 'fail',
          text: `It lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has: ${id.scopes.join(', ') || 'none'}).`,
        });
      } else {
        const needed = effectiveScopes(i.requiredScopes);
        const extra = id.scopes.filter((s) => !needed.has(s));
        checks.push({ id: 'scopes', level: 'ok', text: `Scopes: ${id.scopes.join(', ') || 'none'}.` });
        if (extra.length && i.requiredScopes.length) {
          checks.push({
            id: 'least-privilege',
            level: 'warn',
            text: `It has more scopes than needed: ${extra.join(', ')}. Only ${i.requiredScopes.join(', ')} is required.`,
          });
        }
      }
    }
  }

  if (id.expiresAt === null) {
    checks.push({ id: 'expiry', level: 'warn', text: `It has no expiration date. Set one (at most ${i.maxAgeDays} days) so that it is rotated.` });
  } else {
    const days = Math.floor((id.expiresAt.getTime() - i.now.getTime()) / DAY);
    if (id.expiresAt.getTime() < i.now.getTime() + MIN_VALID_DAYS * DAY) {
      checks.push({ id: 'expiry', level: 'fail', text: `It expires on ${day(id.expiresAt)}, in less than ${MIN_VALID_DAYS} days.` });
    } else if (id.expiresAt.getTime() > i.now.getTime() + (i.maxAgeDays + 1) * DAY) {
      checks.push({ id: 'expiry', level: 'fail', text: `It expires on ${day(id.expiresAt)}, later than the ${i.maxAgeDays} days allowed for this secret.` });
    } else {
      checks.push({ id: 'expiry', level: 'ok', text: `It expires on ${day(id.expiresAt)} (in ${days} days).` });
    }
  }

  if (!i.target) {
    checks.push({ id: 'push', level: 'warn', text: `I don't know which repository on ${i.host} it is for, so push access was not checked.` });
  } else if (!i.target.access.ok) {
    const r = i.target.access;
    const text =
      r.reason === 'unreachable'
        ? `${i.host} could not be reached to check access to ${i.target.repo}. Nothing was stored; submit again.`
        : `It cannot see ${i.target.repo} on ${i.host}${r.status ? ` (HTTP ${r.status})` : ''}.`;
    checks.push({ id: 'push', level: 'fail', text });
  } else if (!i.target.access.value.push) {
    checks.push({ id: 'push', level: 'fail', text: `It cannot push to ${i.target.repo} on ${i.host}.` });
  } else {
    checks.push({ id: 'push', level: 'ok', text: `It can push to ${i.target.repo} on ${i.host}.` });
  }
  return checks;
}

export const failed = (checks: readonly SecretCheck[]) => checks.filter((c) => c.level === 'fail');
