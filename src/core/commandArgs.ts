import { z } from 'zod';
import type { ResolvedRepo } from '../config/load.js';
import type { Refusal } from './refusal.js';
import { redactSecrets } from './redact.js';

/** Command text as Slack sends it: untrusted, bounded, split on white space. */
export const CommandText = z
  .string()
  .max(2000)
  .transform((t) => t.trim().split(/\s+/).filter(Boolean));
export type CommandText = z.infer<typeof CommandText>;

const RepoToken = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,199}$/);

export type RepoArgs =
  | { kind: 'help' }
  | { kind: 'ok'; repo: ResolvedRepo; rest: string[] }
  | { kind: 'invalid'; refusal: Refusal }
  /** The text holds something shaped like a credential: never echo it, and say it must be treated as exposed. */
  | { kind: 'credential' };

/** A private key's armour, and a token of the old format (40 hex digits, still issued by older GHES hosts). */
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY/;
const LEGACY_TOKEN = /(^|[^0-9A-Za-z])[0-9a-f]{40}($|[^0-9A-Za-z])/;

/**
 * Whether command text holds something shaped like a credential. Checked before any
 * argument is quoted back: an error message must not repeat a pasted token.
 */
export function holdsCredential(raw: string): boolean {
  return redactSecrets(raw) !== raw || PRIVATE_KEY.test(raw) || LEGACY_TOKEN.test(raw);
}

/** `owner/name` or the short name, case-insensitively. */
export function findRepo(repos: readonly ResolvedRepo[], token: string): ResolvedRepo | undefined {
  const t = token.toLowerCase();
  return repos.find((r) => r.shortName.toLowerCase() === t || r.github.toLowerCase() === t);
}

/**
 * `[repo] <rest…>`: the repo may be left out when only one is configured.
 * `restCount` is how many further arguments the command takes. ui/commandArgs.ts words the refusals.
 */
export function readRepoArgs(raw: string, repos: readonly ResolvedRepo[], restCount: number): RepoArgs {
  if (typeof raw === 'string' && holdsCredential(raw.slice(0, 4000))) return { kind: 'credential' };
  const parsed = CommandText.safeParse(raw);
  if (!parsed.success) return { kind: 'invalid', refusal: { code: 'too_many_args' } };
  const tokens = parsed.data;
  const names = repos.map((r) => r.shortName);
  if (tokens.length === 1 && /^(help|-h|--help|\?)$/i.test(tokens[0] ?? '')) return { kind: 'help' };
  if (tokens.length > restCount + 1) return { kind: 'invalid', refusal: { code: 'too_many_args' } };
  if (tokens.length === restCount + 1) {
    const [first = '', ...rest] = tokens;
    const repo = RepoToken.safeParse(first).success ? findRepo(repos, first) : undefined;
    if (!repo) return { kind: 'invalid', refusal: { code: 'unknown_repo', given: first.slice(0, 100), repos: names } };
    return { kind: 'ok', repo, rest };
  }
  if (tokens.length < restCount) return { kind: 'invalid', refusal: { code: 'args_missing' } };
  // No repo given: only unambiguous with a single configured repository.
  const only = repos.length === 1 ? repos[0] : undefined;
  if (!only) return { kind: 'invalid', refusal: { code: 'repo_required', repos: names } };
  return { kind: 'ok', repo: only, rest: tokens };
}
