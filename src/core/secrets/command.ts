import type { ResolvedRepo } from '../../config/load.js';
import type { SecretConfig } from '../../config/schema.js';
import { holdsCredential, readRepoArgs } from '../commandArgs.js';
import type { Refusal } from '../refusal.js';

export type SecretVerb = 'replace' | 'revoke';

export type SecretArgs =
  | { kind: 'help' }
  | { kind: 'invalid'; refusal: Refusal }
  /** The text holds something shaped like a credential: never echo it, and say it must be treated as exposed. */
  | { kind: 'credential' }
  | { kind: 'ok'; repo: ResolvedRepo; secret: SecretConfig };

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/** Matches a secret name as GitHub does: case-insensitively. */
export function findSecret(repo: ResolvedRepo, name: string): SecretConfig | undefined {
  const n = name.toUpperCase();
  return repo.secrets.find((s) => s.name.toUpperCase() === n);
}

/** `[repo] <SECRET>` after the verb (`/rotate`, or `/secret replace|revoke`). */
export function parseSecretTarget(raw: string, repos: readonly ResolvedRepo[]): SecretArgs {
  // Checked before anything is echoed: an error message must not repeat a pasted token.
  if (holdsCredential(raw)) return { kind: 'credential' };
  const args = readRepoArgs(raw, repos, 1);
  if (args.kind !== 'ok') return args;
  const name = args.rest[0] ?? '';
  const configured = args.repo.secrets.map((s) => s.name);
  if (!NAME.test(name)) return { kind: 'invalid', refusal: { code: 'secret_name_missing', repo: args.repo.shortName, configured } };
  const secret = findSecret(args.repo, name);
  if (!secret) return { kind: 'invalid', refusal: { code: 'unknown_secret', given: name, repo: args.repo.shortName, configured } };
  return { kind: 'ok', repo: args.repo, secret };
}

/** `/secret replace|revoke [repo] <SECRET>`. */
export function parseSecretCommand(raw: string, repos: readonly ResolvedRepo[]): { verb: SecretVerb; args: SecretArgs } | { verb: null; args: SecretArgs } {
  const text = typeof raw === 'string' ? raw.slice(0, 2000) : '';
  const [first = '', ...rest] = text.trim().split(/\s+/);
  const verb = first.toLowerCase();
  if (verb === '' || /^(help|-h|--help|\?)$/.test(verb)) return { verb: null, args: { kind: 'help' } };
  if (verb !== 'replace' && verb !== 'revoke') {
    if (holdsCredential(text)) return { verb: null, args: { kind: 'credential' } };
    return { verb: null, args: { kind: 'invalid', refusal: { code: 'secret_verb_missing' } } };
  }
  return { verb, args: parseSecretTarget(rest.join(' '), repos) };
}
