import { nextStep, type Announcement } from '../core/rotation/decide.js';
import type { Rotation } from '../core/rotation/state.js';
import { code } from './blocks.js';
import { slackDate } from './format.js';
import { whoCan } from './secretChange.js';

/** What /rotate replies (ephemeral answers, refusals, the thread's announcements), and what became of a rotation since a click. */

const when = (d: Date | string | null) => (d ? ` ${slackDate(typeof d === 'string' ? d : d.toISOString())}` : '');

/**
 * What became of a rotation, for a click on one of its buttons that no longer applies:
 * finished, cancelled, or where it stands now. Slack mrkdwn, one or two sentences.
 */
export function rotationSince(r: Rotation): string {
  const s = r.state;
  const name = code(r.secret);
  if (r.status === 'done') return `The rotation of ${name} is finished: completed${when(r.finishedAt)} (started by <@${r.requestedBy}>).`;
  if (r.status === 'cancelled') {
    return `The rotation of ${name} was cancelled by <@${r.finishedBy ?? r.requestedBy}>${when(r.finishedAt)}.${s.replacedAt ? ' The new secret stays in place.' : ' Nothing was changed on GitHub.'}`;
  }
  const step = nextStep(r);
  switch (step.kind) {
    case 'enter':
      return `The rotation of ${name} waits for a new value: *My next step* sends you the current prompt.`;
    case 'old':
      return `${name} was replaced${when(s.replacedAt)}; the step open now is revoking the old token (*My next step* sends it).`;
    case 'pick_key':
      return `${name} was replaced${when(s.replacedAt)}; the open question is which deploy key of the mirror the secret held (in the rotation's thread).`;
    case 'retry_verify':
      return `${name} was replaced${when(s.replacedAt)}, but the verification failed: see the checklist, then *Verify again*.`;
    case 'wait':
      return step.on === 'approval'
        ? `The new value of ${name} was entered and waits for an approver (the request is in the rotation's thread).`
        : step.on === 'writing'
          ? `The approved value of ${name} is being written to GitHub right now.`
          : step.on === 'verify'
            ? `${name} was replaced${when(s.replacedAt)}; the verification run is going.`
            : `${name} was replaced${when(s.replacedAt)} and verified; I delete the old deploy key next.`;
    case 'none':
      return `Nothing is left to do in the rotation of ${name}.`;
  }
}

/** How the old credential was dealt with, for a second click on its step. */
function oldDone(r: Rotation): string {
  const o = r.state.old;
  const who = o.by ? ` by <@${o.by}>` : '';
  if (o.state === 'revoked') return `The old token was already revoked${who}${when(o.at)}.`;
  if (o.state === 'confirmed') return `The old token was already confirmed revoked by hand${who}${when(o.at)}.`;
  return rotationSince(r);
}

export const rotationText = {
  /** The clicked step is void: what happened since. */
  stepVoid: (r: Rotation) => `That step is no longer open. ${rotationSince(r)} Nothing changed.`,
  /** The rotation is over: what became of it. */
  over: (r: Rotation) => `${rotationSince(r)} Nothing changed by this click.`,
  oldAlreadyDone: (r: Rotation) => `${oldDone(r)} Nothing more changed.`,
  notRequesterNamed: (requester: string) => `Only <@${requester}>, who started this rotation, can do this step. Nothing changed.`,
  notRequesterOrApproverNamed: (requester: string, approvers: readonly string[]) =>
    `Only <@${requester}>, who started this rotation, or an approver${whoCan(approvers.filter((a) => a !== requester)) ? ` (${whoCan(approvers.filter((a) => a !== requester))})` : ''} can do this. Nothing changed.`,
  notAllowedNamed: (repo: string, allowed: readonly string[]) =>
    `You are not allowed to rotate secrets of \`${repo}\`. ${whoCan(allowed) ? `${whoCan(allowed)} can; ask one of them, or whoever runs the bot to give you access.` : 'Nobody is allowed to yet: whoever runs the bot must configure who may.'}`,
  credentialTyped:
    ":rotating_light: That looks like a credential. Never type a secret into a message or a command: I did not keep it, but treat it as exposed and revoke it. Run `/rotate <SECRET>` with the secret's name only; the value goes into a private form.",
  started: (secret: string, channel: string) => `Rotation of \`${secret}\` started in <#${channel}>; your next step is waiting for you in its thread.`,
  threadIntro: (user: string) =>
    `<@${user}>: your private steps appear below in this thread (only you see them). Approvers: the request to approve will appear here too.`,
  busy: (secret: string) => `A rotation of \`${secret}\` is already in progress; finish or cancel it first (its message has a *Cancel rotation* button).`,
  changeBusy: (secret: string) => `There is an open \`/secret\` request for \`${secret}\`; decide or cancel it before rotating.`,
  notAllowed: (repo: string) => `You are not allowed to rotate secrets of \`${repo}\`. Ask to be added to \`access.release\` in the bot's configuration.`,
  notPosted: 'I could not post the rotation in the channel, so nothing was started. Invite me to the channel and try again.',
  unknown: 'I no longer know this rotation. Nothing changed.',
  noMirror: 'No mirror is configured for this repository, so there is nowhere to add a deploy key.',
  keyNotPrepared: (why: string) => `The key could not be prepared: ${why}`,
  notRequester: 'Only the person who started this rotation can do this step. Nothing changed.',
  maskedPageOff: 'The masked page is not available on this bot (it needs HTTP mode and PUBLIC_URL). Use *Enter the new token* instead. Nothing changed.',
  notRequesterOrApprover: 'Only the person who started the rotation or an approver can do this. Nothing changed.',
  refused: {
    not_active: 'This rotation is already finished or cancelled. Nothing changed.',
    not_now: 'That step is not open yet (or no longer). Nothing changed; use *My next step* to see what is.',
    already: 'That step is already done. Nothing more changed.',
    applying: 'The approved change is being written to GitHub right now and cannot be stopped half-way. Cancel once it is done.',
  },
  noNextStep: (what: string) => `Nothing for you to do right now: ${what}`,
  waitingFor: {
    approval: 'the request is waiting for an approver.',
    writing: 'the approved change is being written.',
    verify: 'the verification run is still going; I will report here.',
    oldKey: 'I delete the old deploy key next.',
  },
  pickKey: {
    /** "My next step" while the question about the old key is open. */
    pending: 'say which deploy key of the mirror is the old one: the question is in the thread (its buttons are yours alone).',
    picked: (title: string) => `Noted: "${title}" is the old key. I delete it once the new key has passed verification.`,
    none: 'Noted: none of these. No deploy key will be deleted; the checklist says so.',
    gone: 'That key is no longer on the mirror, so there is nothing to delete; pick another or *None of these*. Nothing changed.',
    unlisted: (why: string) => `I could not read the mirror's deploy keys (${why}), so nothing was recorded. Try again in a minute.`,
    isNew: 'That is the new key the bot added in this rotation, not the old one. Nothing changed.',
  },
  cancelledAck: 'Rotation cancelled.',
  confirmedAck: 'Recorded: you revoked the old token by hand.',
  generated: (fingerprint: string) => `Generated a new key (\`${fingerprint}\`). It is encrypted for GitHub and waits for approval below.`,
  announce: {
    replaced: (secret: string, user: string) => `<@${user}> \`${secret}\` was replaced. Next: the old credential and the verification (see the checklist).`,
    verify_passed: () => `:white_check_mark: Verification passed: the new secret works.`,
    verify_failed: (user: string) => `:x: <@${user}> verification failed; the checklist says what to check. *Verify again* re-runs it.`,
    completed: (secret: string) => `:tada: Rotation of \`${secret}\` complete.`,
    cancelled: (by: string) => `Rotation cancelled by <@${by}>.`,
  } satisfies Record<Announcement, (...a: string[]) => string>,
  oldToken: {
    tooLong: 'That is too long to be a token.',
    notToken: 'That does not look like a GitHub token (ghp_…, github_pat_…). Nothing was sent anywhere.',
    isNew: 'That is the *new* token (same last characters as the one just stored). Paste the old one; nothing was revoked.',
    /** What the bot recorded of the value it set, for the sentences below ("a token of svc-bot ending in 1a2b, set <date>"). */
    recordOf: (r: { login?: string | undefined; last4?: string | undefined; setAt: string }) =>
      `a token${r.login ? ` of ${r.login}` : ''}${r.last4 ? ` ending in ${r.last4}` : ''}, set by the bot ${slackDate(r.setAt)}`,
    /** The pasted token as the sentences below name it ("token of svc-bot ending in 1a2b"). */
    tokenOf: (login: string | null, last4: string) => `token${login ? ` of ${login}` : ''} ending in ${last4 || '…'}`,
    revoked: (detail: string, recorded: string | null, secret: string) =>
      recorded
        ? `*Revoked now and proven dead*: GitHub rejects it (${detail}). It is the value \`${secret}\` held (${recorded}). The token was not kept.`
        : `*Revoked now and proven dead*: GitHub rejects it (${detail}). The bot has no record of the value \`${secret}\` held (it was set outside the bot), so I cannot show it was this token; the checklist says so. The token was not kept.`,
    alreadyDead: (detail: string, recorded: string) =>
      `*Rejected already and matching the record*: GitHub rejected this token before I revoked anything (${detail}), and it is the value the bot set (${recorded}). Nothing needed revoking; recorded.`,
    notHeld: (secret: string, recorded: string, pasted: string) =>
      `*Not the token this secret held*: \`${secret}\` held ${recorded}; you pasted a ${pasted}. Nothing was revoked and the step stays open: paste the old token, or revoke it by hand and click *I revoked it*.`,
    cannotShow: (secret: string, why: 'no_record' | 'no_digest', recorded: string) =>
      `GitHub already rejects this token, so it can no longer say whose it is, and ${
        why === 'no_record'
          ? `the bot has no record of the value \`${secret}\` held (it was set outside the bot)`
          : `the bot recorded only ${recorded} of the value it set`
      }: I cannot show it is the old token. *Not recorded as revoked*; the step stays open. If the old token is revoked or expired, click *I revoked it* (your name is recorded).`,
    notCapable: (secret: string, detail: string, target: string) =>
      `The bot has no record of the value \`${secret}\` held, and this ${detail} cannot push to \`${target}\`, so it is not a token that could have done the secret's job. Nothing was revoked; the step stays open. If it is the old one anyway, revoke it by hand and click *I revoked it*.`,
    unknown: (host: string) =>
      `${host} could not be asked whose token this is, so I cannot tell whether it is the old one. Nothing was revoked; try again in a minute.`,
    stillAlive: (host: string) =>
      `GitHub accepted the revocation, but the token still works. Revoke it by hand on ${host} (Settings → Tokens) and click *I revoked it*.`,
    rateLimited: 'GitHub limits credential revocation to 60 requests an hour and the limit is reached. Revoke the token by hand and click *I revoked it*.',
    unsupported: (host: string) => `${host} does not offer credential revocation through its API. Revoke the token by hand and click *I revoked it*.`,
    failed: 'GitHub did not accept the revocation. Revoke the token by hand and click *I revoked it*.',
  },
  verifyStart: {
    noRun: (workflow: string) => `there is no earlier run of \`${workflow}\` with a sync job to re-run`,
    noJob: (job: string) => `the last run has no job \`${job}\``,
    busy: 'the last sync run is still in progress; wait for it to finish, then *Verify again*',
    refused: (why: string) => `GitHub refused to start it: ${why}`,
    noRunAppeared: 'GitHub accepted the dispatch but no run appeared',
  },
  verifyFailed: (conclusion: string) => `the run ended ${conclusion}`,
} as const;
