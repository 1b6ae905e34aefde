import type { Refusal } from '../core/refusal.js';
import { text } from './messages.js';
import { releaseText } from './releaseConfirm.js';
import { rotationText } from './rotation.js';
import { secretText } from './secretChange.js';

const names = (xs: readonly string[]) => xs.map((x) => `\`${x}\``).join(', ');

/** The sentence for a refusal of the core or a service (core/refusal.ts). */
export function refusalText(r: Refusal): string {
  switch (r.code) {
    case 'too_many_args':
      return text.tooManyArgs;
    case 'args_missing':
      return 'Something is missing.';
    case 'unknown_repo':
      return text.unknownRepo(r.given, r.repos);
    case 'repo_required':
      return text.repoRequired(r.repos);
    case 'secret_verb_missing':
      return 'Say what to do: `replace` or `revoke`.';
    case 'secret_name_missing':
      return `Name a secret of \`${r.repo}\`: ${names(r.configured) || 'none'}.`;
    case 'unknown_secret':
      return `\`${r.given}\` is not a configured secret of \`${r.repo}\`. Configured: ${names(r.configured) || 'none'}.`;
    case 'not_allowed':
      switch (r.action) {
        case 'release':
          return releaseText.notAllowed(r.repo);
        case 'rotate':
          return rotationText.notAllowedNamed(r.repo, r.principals);
        case 'request_secret_change':
          return secretText.notAllowed(r.repo);
        case 'approve_secret_change':
          return secretText.notApprover(r.principals);
      }
    // eslint-disable-next-line no-fallthrough -- the inner switch is exhaustive
    case 'change_busy':
      return r.asking === 'rotation' ? rotationText.changeBusy(r.secret) : secretText.busy(r.secret, null);
    case 'rotation_busy':
      return rotationText.busy(r.secret);
    case 'rotation_step':
      return r.why === 'not_requester' ? rotationText.notRequester : rotationText.refused[r.why];
    case 'access_unavailable':
      return secretText.accessUnavailable(r.why);
  }
}

/** Arguments a command could not use (core/commandArgs' RepoArgs other than ok). */
export type UnusableArgs = { kind: 'help' } | { kind: 'invalid'; refusal: Refusal } | { kind: 'credential' };

/**
 * The private answer to unusable arguments, and its audit outcome. A credential typed
 * into the command is never repeated: the person is told to treat it as exposed.
 */
export function usageAnswer(args: UnusableArgs, usage: string, repos: string[]): { text: string; outcome: 'help' | 'usage' | 'refused:credential_typed' } {
  if (args.kind === 'help') return { text: text.help(usage, repos), outcome: 'help' };
  if (args.kind === 'credential') return { text: `${text.credentialTyped}\n${usage}`, outcome: 'refused:credential_typed' };
  return { text: `${refusalText(args.refusal)}\n${usage}`, outcome: 'usage' };
}
