import type { SecretCheck } from '../core/secrets/facts.js';
import type { SecretChange } from '../core/secrets/change.js';
import { ACTION_IDS, VIEW_IDS } from '../core/ids.js';
import { actions, button, code, context, header, mrkdwnEscape as esc, section, fitMessage, noticeModal, type KnownBlock, type ModalView } from './blocks.js';
import { slackDate } from './format.js';

export const SECRET_ACTIONS = { approve: ACTION_IDS.secretApprove, deny: ACTION_IDS.secretDeny, cancel: ACTION_IDS.secretCancel } as const;

/** The block and action ids of the value field in the secret modal. */
export const VALUE_INPUT = { blockId: 'secret_value_block', actionId: 'secret_value_input' } as const;

const ICON: Record<SecretCheck['level'], string> = { ok: ':white_check_mark:', warn: ':warning:', fail: ':x:' };

const mention = (p: string) => (p.startsWith('S') ? `<!subteam^${p}>` : `<@${p}>`);

/** `<@U…>` and `<!subteam^S…>` mentions of the people who may approve. */
export function mentions(principals: readonly string[]): string {
  return principals.map(mention).join(' ') || '_nobody is configured in `access.approve`_';
}

/** The people (or user groups) who can act, as a phrase: `<@A>`, `<@A> or <@B>`, `<@A>, <@B> or <!subteam^S…>`; null for nobody. */
export function whoCan(principals: readonly string[]): string | null {
  const m = [...new Set(principals)].map(mention);
  if (m.length === 0) return null;
  return m.length === 1 ? (m[0] ?? '') : `${m.slice(0, -1).join(', ')} or ${m.at(-1) ?? ''}`;
}

/** The approvers who can decide on someone's request: never the requester themself. */
export function approversFor(approvers: readonly string[], requester: string): string[] {
  return approvers.filter((p) => p !== requester);
}

const verbOf = (c: Pick<SecretChange, 'action'>) => (c.action === 'replace' ? 'replace' : 'revoke');
const iso = (d: Date) => d.toISOString();

function checkLines(checks: readonly SecretCheck[]): string[] {
  return checks.map((c) => `${ICON[c.level]} ${esc(c.text)}`);
}

function factsLines(c: SecretChange): string[] {
  const f = c.facts;
  const lines: string[] = [];
  if (f.last4) lines.push(`• New value ends with ${code(f.last4)}`);
  if (f.fingerprint) lines.push(`• Key fingerprint ${code(f.fingerprint)}`);
  if (f.previousUpdatedAt) lines.push(`• Current value set ${slackDate(f.previousUpdatedAt)}`);
  if (c.action === 'replace' && f.addDeployKey)
    lines.push(`• Also adds the new public key to ${code(f.addDeployKey.repo)} as the write deploy key "${esc(f.addDeployKey.title)}"`);
  if (c.action === 'revoke') {
    for (const line of f.impact) lines.push(`• :warning: ${esc(line)}`);
    if (f.deployKey) lines.push(`• Also deletes the deploy key "${esc(f.deployKey.title)}" of ${code(f.deployKey.repo)}`);
  }
  return lines;
}

const CLOSED: Record<SecretChange['status'], string> = {
  pending: 'open',
  approved: 'approved',
  applying: 'approved',
  done: 'done',
  failed: 'over',
  denied: 'denied',
  cancelled: 'cancelled',
  expired: 'expired',
};

/** What happened, for a request that is no longer pending. */
function statusLine(c: SecretChange): string {
  const by = c.decidedBy ? `<@${c.decidedBy}>` : 'someone';
  const when = c.decidedAt ? slackDate(iso(c.decidedAt)) : '';
  switch (c.status) {
    case 'pending':
      if (!c.error) return '';
      // Reopened only once GitHub was read back (or nothing had been sent), so "nothing changed" is known.
      return c.writeCheck
        ? `:warning: The last attempt failed: ${esc(c.error)} GitHub still shows the earlier date, so nothing changed; an approver may approve again to retry.`
        : `:warning: The last attempt failed: ${esc(c.error)} Nothing changed; an approver may approve again to retry.`;
    case 'approved':
    case 'applying':
      return `:hourglass_flowing_sand: Approved by ${by} ${when}. Applying…${c.error ? `\n:warning: ${esc(c.error)}` : ''}`;
    case 'done': {
      const updated = c.outcome?.updatedAt ? ` GitHub now shows it updated ${slackDate(c.outcome.updatedAt)}.` : '';
      const unanswered = c.outcome?.unanswered
        ? ' GitHub did not answer the write, but reading the secret back showed it had landed, so it was not sent again.'
        : '';
      const key = c.outcome?.deployKeyDeleted ? ' The matching deploy key was deleted.' : '';
      return c.action === 'replace'
        ? `:white_check_mark: Approved by ${by} ${when}. ${code(c.secret)} was replaced.${updated}${unanswered}`
        : `:white_check_mark: Approved by ${by} ${when}. ${code(c.secret)} was deleted.${key}`;
    }
    case 'failed':
      if (c.outcome?.writeUnknown) return `:warning: Approved by ${by} ${when}, but GitHub never confirmed the write: ${esc(c.error ?? '')}`;
      return `:x: Approved by ${by} ${when}, but it failed: ${esc(c.error ?? 'unknown error')}`;
    case 'denied':
      return `:no_entry: Denied by ${by} ${when}. Nothing changed; the encrypted value was deleted.`;
    case 'cancelled':
      return c.decidedBy === 'system' ? `Withdrawn ${when}. Nothing changed.` : `Cancelled by <@${c.decidedBy ?? c.requestedBy}> ${when}. Nothing changed.`;
    case 'expired':
      if (c.outcome?.writeUnknown)
        return `:warning: Expired ${slackDate(iso(c.expiresAt))} without a new decision. ${esc(c.error ?? '')} The encrypted value was deleted.`;
      if (c.writeCheck) {
        const seen = c.outcome?.updatedAt ? ` (set ${slackDate(c.outcome.updatedAt)})` : ' (it does not exist)';
        return `:hourglass: Expired ${slackDate(iso(c.expiresAt))} without a new decision. GitHub still shows ${code(c.secret)} as before the unanswered write${seen}, so nothing changed; the encrypted value was deleted.`;
      }
      return `:hourglass: Expired ${slackDate(iso(c.expiresAt))} without a decision. Nothing changed; the encrypted value was deleted.`;
  }
}

/**
 * The approval request, in its channel: who asks, what changes, the checks, and while
 * it is pending the buttons. The same builder renders every later state, so the
 * bot edits this one message instead of posting new ones.
 */
export function renderSecretChange(c: SecretChange, o: { approvers: readonly string[] }): { text: string; blocks: KnownBlock[] } {
  const verb = verbOf(c);
  const title = `${verb === 'replace' ? 'Replace' : 'Revoke'} ${c.secret} of ${c.repoName}`;
  const blocks: KnownBlock[] = [header(`:closed_lock_with_key: ${title}`)];
  blocks.push(
    ...section(
      [
        `<@${c.requestedBy}> asks to *${verb}* the Actions secret ${code(c.secret)} of ${code(c.repo)}${verb === 'revoke' ? ' (delete it)' : ''}.`,
        ...factsLines(c),
      ].join('\n'),
    ),
  );
  if (c.facts.checks.length) blocks.push(...section(['*Checks*', ...checkLines(c.facts.checks)].join('\n')));
  const status = statusLine(c);
  if (status) blocks.push(...section(status));
  if (c.status === 'pending') {
    blocks.push(
      ...section(`Approvers: ${mentions(o.approvers)}`),
      actions([
        button({
          text: 'Approve',
          actionId: SECRET_ACTIONS.approve,
          value: c.id,
          style: 'primary',
          confirm: {
            title: `${verb === 'replace' ? 'Replace' : 'Delete'} ${c.secret}?`,
            text: `This ${verb === 'replace' ? 'replaces' : 'deletes'} the Actions secret ${code(c.secret)} of ${code(c.repo)} now.`,
            confirm: verb === 'replace' ? 'Replace' : 'Delete',
          },
        }),
        button({ text: 'Deny', actionId: SECRET_ACTIONS.deny, value: c.id, style: 'danger' }),
        button({ text: 'Cancel request', actionId: SECRET_ACTIONS.cancel, value: c.id }),
      ]),
      context(`Expires ${slackDate(iso(c.expiresAt))}. Only an approver other than the requester may decide; the requester may cancel.`),
    );
  }
  return { text: `${title}: ${c.status === 'pending' ? 'waiting for approval' : c.status}`, blocks: fitMessage(blocks) };
}

export interface SecretModalInput {
  repoName: string;
  repo: string;
  secret: string;
  kind: 'classic-pat' | 'fine-grained-pat' | 'deploy-key';
  host: string;
  scopes: readonly string[];
  maxAgeDays: number;
  /** Opaque, validated again on submit. */
  privateMetadata: string;
}

/** The modal where the new value is typed. Block Kit has no masked input, hence the warning. */
export function renderSecretModal(m: SecretModalInput): ModalView {
  const what =
    m.kind === 'deploy-key'
      ? `the *private* SSH key (the whole file, no passphrase) whose public half is a write deploy key of the mirror`
      : m.kind === 'classic-pat'
        ? `a classic token from ${esc(m.host)} with scope${m.scopes.length === 1 ? '' : 's'} ${m.scopes.map(code).join(', ') || '_none configured_'}, expiring within ${m.maxAgeDays} days`
        : `a fine-grained token from ${esc(m.host)} for this repository only (Actions and Contents: read and write), expiring within ${m.maxAgeDays} days`;
  return {
    type: 'modal',
    callback_id: VIEW_IDS.secretValue,
    private_metadata: m.privateMetadata,
    title: { type: 'plain_text', text: 'Replace a secret' },
    submit: { type: 'plain_text', text: 'Check and request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...section(`New value of ${code(m.secret)} for ${code(m.repo)}: ${what}.`),
      {
        type: 'input',
        block_id: VALUE_INPUT.blockId,
        label: { type: 'plain_text', text: `New value of ${m.secret}` },
        hint: {
          type: 'plain_text',
          text: 'Slack cannot hide what you type here. It is checked, encrypted for GitHub at once and never shown again; the bot keeps no readable copy.',
        },
        element: { type: 'plain_text_input', action_id: VALUE_INPUT.actionId, multiline: m.kind === 'deploy-key', max_length: 3000 },
      },
      context('An approver must agree before GitHub is changed.'),
    ],
  };
}

/** The modal after a valid submission: the request went to the approvers (or could not be posted). */
export function renderSecretModalDone(o: { ok: boolean; text: string }): ModalView {
  return noticeModal({ callbackId: `${VIEW_IDS.secretValue}_done`, title: o.ok ? 'Request sent' : 'Not sent', text: o.text });
}

export const secretText = {
  credentialTyped:
    ':rotating_light: That looks like a credential. Never type a secret into a message or a command: I did not keep it, but treat it as exposed and revoke it. Use `/secret replace <SECRET>`, which opens a private form.',
  notAllowed: (repo: string) =>
    `You are not allowed to request secret changes for \`${repo}\`. Ask to be added to \`access.release\` in the bot's configuration.`,
  notApprover: (approvers: readonly string[]) =>
    `You are not an approver of secret changes, so this click changed nothing. ${whoCan(approvers) ?? 'Nobody'} can approve or deny it.`,
  selfApproval: (others: readonly string[]) =>
    `You asked for this change, so someone else must approve or deny it: ${others.length ? `${whoCan(others)} can` : "nobody else is an approver yet (the bot's `access.approve`)"}. Nothing changed.`,
  notRequester: (requester: string) => `Only <@${requester}>, who asked for this change, can cancel it. Nothing changed.`,
  unknown: 'I no longer know this request. Nothing changed.',
  expired: 'This request has expired. Nothing changed; ask again if it is still needed.',
  /** A click on a request that is no longer pending: what became of it, and when. */
  alreadyDecided: (c: SecretChange) => {
    const line = statusLine(c);
    return `This request is already ${CLOSED[c.status]}. ${line}${/Nothing changed/.test(line) ? '' : ' Nothing more changed.'}`;
  },
  busy: (secret: string, link: string | null) => `There is already an open request for \`${secret}\`${link ? ` (${link})` : ''}. Decide or cancel it first.`,
  requested: (secret: string, channel: string) => `Your request to change \`${secret}\` is waiting for approval in <#${channel}>.`,
  notPosted: 'I could not post the request for approval, so it was withdrawn and nothing changed.',
  approvedAck: (secret: string) =>
    `Approved. I am writing \`${secret}\` to GitHub now; the request shows how it goes, and I will tell you here when it is done.`,
  /** Privately to the approver once the change they approved is over: the ack above cannot be edited (an ephemeral message has no ts to edit). */
  approverOutcome: (c: Pick<SecretChange, 'status' | 'secret' | 'action' | 'outcome' | 'error'>): string | null => {
    switch (c.status) {
      case 'done':
        return c.action === 'replace'
          ? `:white_check_mark: Done: \`${c.secret}\` was replaced as you approved${c.outcome?.updatedAt ? `; GitHub shows it updated ${slackDate(c.outcome.updatedAt)}` : ''}.`
          : `:white_check_mark: Done: \`${c.secret}\` was deleted as you approved.`;
      case 'failed':
        return `:x: The change to \`${c.secret}\` you approved failed: ${esc(c.error ?? 'unknown error')} Nothing changed on GitHub.`;
      case 'pending':
        return `:warning: The change to \`${c.secret}\` you approved could not be written yet: ${esc(c.error ?? 'GitHub did not answer')} Nothing changed; the request is open again, approve it again to retry.`;
      default:
        return null;
    }
  },
  deniedAck: (secret: string) => `Denied. \`${secret}\` stays as it is.`,
  cancelledAck: (secret: string) => `Cancelled. \`${secret}\` stays as it is.`,
  accessUnavailable: (why: string) => `${why} Nothing was stored or sent. Submit again in a few seconds.`,
  timeout: 'GitHub did not answer in time, so the value could not be checked. Nothing was stored; submit again.',
  formGone: 'This form no longer matches the configuration. Nothing was stored; run `/secret replace` again.',
  /** While applying: a GitHub failure that is being waited out. `maybeWritten`: a write went out unanswered. */
  applyWaiting: (problem: string, at: Date, maybeWritten: boolean) =>
    `${problem}${maybeWritten ? ' The write got no answer and GitHub could not be read back yet, so it may have landed.' : ' Nothing was written.'} Trying again ${slackDate(at.toISOString())}.`,
  /** A write went out, got no answer, and GitHub could not be read back for long: the bot cannot tell. */
  writeUnknown: (secret: string, repo: string, before: string | null) =>
    `GitHub did not answer the write of \`${secret}\` and could not be read back afterwards, so I cannot tell whether the new value is in place. Check the date of \`${secret}\` on ${repo} (Settings → Secrets and variables → Actions): ${before ? `later than ${slackDate(before)}` : 'if it exists'} means it landed. Do not approve it again before checking.`,
  revokeUnknown: (secret: string) =>
    `GitHub did not answer the deletion of \`${secret}\` and could not be read back afterwards, so I cannot tell whether it is gone. Check the repository's Actions secrets.`,
  revokeNothing: (secret: string, repo: string) => `\`${secret}\` does not exist on \`${repo}\`; there is nothing to revoke.`,
  thread: {
    done: (user: string, secret: string) => `<@${user}> \`${secret}\` was changed as approved.`,
    failed: (user: string, secret: string) => `<@${user}> the change to \`${secret}\` failed; see above.`,
    denied: (user: string, secret: string) => `<@${user}> your request for \`${secret}\` was denied.`,
    expired: (user: string, secret: string) => `<@${user}> your request for \`${secret}\` expired without a decision.`,
    expiredUnknown: (user: string, secret: string) =>
      `<@${user}> your request for \`${secret}\` expired, and GitHub never confirmed whether the approved write reached it: check the secret's date on GitHub.`,
    unknown: (user: string, secret: string) => `<@${user}> GitHub never confirmed the write of \`${secret}\`; see above for how to check it.`,
  },
} as const;
