import type { OldTokenRecord, Refusal, ReleaseRefusal } from '../core/refusal.js';
import type { Rotation } from '../core/rotation/state.js';
import { text } from './messages.js';
import { releaseText } from './releaseConfirm.js';
import { rotationText } from './rotationText.js';
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
    case 'rotation_unknown':
      return rotationText.unknown;
    case 'rotation_over':
      return rotationText.over(r.rotation);
    case 'rotation_not_requester':
      return rotationText.notRequesterNamed(r.requestedBy);
    case 'rotation_not_requester_or_approver':
      return rotationText.notRequesterOrApproverNamed(r.requestedBy, r.approvers);
    case 'rotation_click_void':
      return clickVoidText(r.rotation, r.reason);
    case 'old_key_gone':
      return rotationText.pickKey.gone;
    case 'old_key_is_new':
      return rotationText.pickKey.isNew;
    case 'old_token_not_held':
      return rotationText.oldToken.notHeld(r.secret, recorded(r.record), rotationText.oldToken.tokenOf(r.pasted.login, r.pasted.last4));
    case 'old_token_not_capable':
      return rotationText.oldToken.notCapable(r.secret, rotationText.oldToken.tokenOf(r.pasted.login, r.pasted.last4), r.target);
    case 'old_token_cannot_show':
      return rotationText.oldToken.cannotShow(r.secret, r.why, recorded(r.record));
    case 'deploy_key_no_mirror':
      return rotationText.noMirror;
    case 'revoke_nothing':
      return secretText.revokeNothing(r.secret, r.repo);
    case 'access_unavailable':
      return secretText.accessUnavailable(r.why);
    case 'release_tag_missing':
    case 'release_workflow_missing':
    case 'release_workflow_disabled':
    case 'release_workflow_no_dispatch':
    case 'release_workflow_not_on_default':
    case 'release_run_live':
    case 'release_done':
    case 'release_pending':
      return releaseRefusalText(r);
  }
}

const code = (s: string) => `\`${s}\``;

/** Why a release cannot start now, and how to fix it (core/release/preflight.ts). */
function releaseRefusalText(r: ReleaseRefusal): string {
  switch (r.code) {
    case 'release_tag_missing': {
      const latest = r.latestTags.length ? ` Latest tags: ${r.latestTags.map(code).join(', ')}.` : ' The repository has no tags yet.';
      return `Tag ${code(r.tag)} does not exist in ${code(r.repo)}.${latest}`;
    }
    case 'release_workflow_missing':
      return `The workflow ${code(r.workflow)} does not exist in ${code(r.repo)}. Check \`release.workflow\` in the configuration.`;
    case 'release_workflow_disabled':
      return `The workflow ${code(r.path)} is disabled (${r.state.replace(/_/g, ' ')}). Enable it on the Actions tab (${r.htmlUrl}) first.`;
    case 'release_workflow_no_dispatch':
      return `${code(r.path)} cannot be started by hand: its \`on:\` has no \`workflow_dispatch\` trigger. Add it to the workflow on the default branch:\n\`\`\`\non:\n  push:\n    tags: ['v*']\n  workflow_dispatch:\n\`\`\``;
    case 'release_workflow_not_on_default':
      return `${code(r.path)} is not on the default branch, so GitHub cannot dispatch it.`;
    case 'release_run_live':
      return `A run of ${code(r.path)} for ${code(r.tag)} is already ${r.status.replace('_', ' ')}: ${r.htmlUrl}`;
    case 'release_done':
      return `${code(r.tag)} was already released by ${r.htmlUrl} (succeeded).`;
    case 'release_pending':
      return `A release of ${code(r.tag)} is already waiting for confirmation or under way.`;
  }
}

const recorded = (r: OldTokenRecord | null) => (r ? rotationText.oldToken.recordOf(r) : '');

/** The sentence for a service's answer: its refusal worded here, or the text it carries (a success, a failure). */
export function answerText(a: { refusal: Refusal } | { refusal?: undefined; text: string }): string {
  return a.refusal ? refusalText(a.refusal) : a.text;
}

/**
 * Why a rotation step refused a click, in words that say what happened since. A refusal
 * the state machine gives (not open, already done, finished) means the clicked prompt is void.
 */
function clickVoidText(r: Rotation | null, reason: 'not_active' | 'not_now' | 'already' | 'applying'): string {
  if (!r) return rotationText.unknown;
  if (reason === 'applying') return rotationText.refused.applying;
  if (r.status !== 'active') return rotationText.over(r);
  if (reason === 'already') return rotationText.oldAlreadyDone(r);
  return rotationText.stepVoid(r);
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
