import type { ChangeView } from '../core/rotation/decide.js';
import type { Rotation } from '../core/rotation/state.js';
import { actions, button, code, context, header, link, mrkdwnEscape as esc, section, fitMessage, type KnownBlock } from './blocks.js';
import { slackDate } from './format.js';
import { isToken, ROTATION_ACTIONS } from './rotation.js';

/** The channel message of a rotation: its checklist, edited in place as the rotation goes on. */

type Mark = 'done' | 'current' | 'todo' | 'failed' | 'skipped';
const MARK: Record<Mark, string> = {
  done: ':white_check_mark:',
  current: ':arrow_forward:',
  todo: ':white_circle:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
};

function changeLine(r: Rotation, change: ChangeView | null): { mark: Mark; text: string } {
  const s = r.state;
  if (s.replacedAt) return { mark: 'done', text: change?.decidedBy ? `Approved by <@${change.decidedBy}>` : 'Approved' };
  if (s.changeStatus === 'pending') return { mark: 'current', text: 'Waiting for an approver (the request is below in this thread)' };
  if (s.changeStatus === 'approved' || s.changeStatus === 'applying')
    return { mark: 'done', text: `Approved${change?.decidedBy ? ` by <@${change.decidedBy}>` : ''}; writing it now…` };
  const last = s.lastOutcome;
  if (last) {
    const why =
      last.status === 'denied'
        ? `denied${last.by ? ` by <@${last.by}>` : ''}`
        : last.status === 'expired'
          ? 'expired without a decision'
          : last.status === 'cancelled'
            ? 'cancelled'
            : `failed: ${esc(last.error ?? 'unknown error')}`;
    // An unanswered write that GitHub could not confirm either way: "nothing changed" would not be known to be true.
    if (last.writeUnknown)
      return {
        mark: 'failed',
        text: `The last request ${last.status === 'expired' ? 'expired' : 'failed'}: ${esc(last.error ?? 'GitHub did not confirm the write')} ${isToken(r) ? 'Enter a value' : 'Generate a key'} again to ask again.`,
      };
    return { mark: 'failed', text: `The last request was ${why}. Nothing changed; ${isToken(r) ? 'enter a value' : 'generate a key'} again to ask again.` };
  }
  return { mark: 'todo', text: 'An approver other than the requester agrees' };
}

function oldLine(r: Rotation): { mark: Mark; text: string } {
  const o = r.state.old;
  const who = o.by ? `<@${o.by}>` : 'someone';
  if (!isToken(r)) {
    const pick = o.pick;
    if (o.state === 'none' && pick?.state === 'none')
      return {
        mark: 'skipped',
        text: `Nothing deleted: <@${pick.by ?? r.requestedBy}> said none of the mirror's deploy keys is the old one. If an old key is still there, delete it on the mirror by hand`,
      };
    if (o.state === 'none') return { mark: 'skipped', text: 'No old deploy key could be matched on the mirror; delete it there by hand if there is one' };
    const chosen = pick?.state === 'picked' ? ` (chosen by <@${pick.by ?? r.requestedBy}>)` : '';
    if (o.state === 'deleted') return { mark: 'done', text: `Old deploy key "${esc(o.deployKey?.title ?? '')}"${chosen} deleted` };
    if (pick?.state === 'asked') {
      return {
        mark: r.state.replacedAt ? 'current' : 'todo',
        text: `<@${r.requestedBy}>: say which deploy key of the mirror is the old one (the question is in the thread); it is deleted once the new one works`,
      };
    }
    return {
      mark: r.state.verify.state === 'passed' || r.state.verify.state === 'skipped' ? 'current' : 'todo',
      text: `Delete the old deploy key "${esc(o.deployKey?.title ?? '')}"${chosen} once the new one works`,
    };
  }
  const detail = o.detail ? ` (${esc(o.detail)})` : '';
  if (o.state === 'revoked') {
    const why =
      o.record === 'matched'
        ? '; it is the value the bot had set'
        : o.record === 'unrecorded'
          ? `. The bot has no record of the value ${code(r.secret)} held (set outside the bot), so that it was this token rests on ${who}'s word`
          : '';
    return { mark: 'done', text: `Old token revoked by ${who} through GitHub and proven dead${detail}${why}` };
  }
  if (o.state === 'dead')
    return {
      mark: 'done',
      text: `Old token already rejected by GitHub when ${who} pasted it${detail}; it matches the record of the value the bot had set, so nothing needed revoking`,
    };
  if (o.state === 'confirmed') return { mark: 'done', text: `${who} confirmed revoking the old token by hand` };
  return { mark: r.state.replacedAt ? 'current' : 'todo', text: `Revoke the old token${r.state.replacedAt ? ` (waiting for <@${r.requestedBy}>)` : ''}` };
}

function verifyLine(r: Rotation): { mark: Mark; text: string } {
  const v = r.state.verify;
  const run = v.runUrl ? ` (${link(v.runUrl, 'run')})` : '';
  const what = v.method === 'rerun' ? `re-run the last sync job` : v.method === 'dispatch' ? `run ${code(v.workflow ?? 'the verify workflow')}` : 'test it';
  switch (v.state) {
    case 'waiting':
      return { mark: 'todo', text: v.method ? `Verify: ${what}` : 'Verify: nothing to run automatically' };
    case 'starting':
    case 'running':
      return { mark: 'current', text: `Verifying: ${what}${run}…` };
    case 'passed':
      return { mark: 'done', text: `Verified: ${what} passed${run}` };
    case 'failed':
      return { mark: 'failed', text: `Verification failed${run}: ${esc(v.detail ?? 'see the run')}` };
    case 'skipped':
      return {
        mark: 'skipped',
        text: 'Not verified: no `verify:` workflow is configured and no sync job uses this secret; the next run that uses it will tell',
      };
  }
}

/** The checklist, as a list of lines (also used by tests and the audit trail). */
export function checklist(r: Rotation, change: ChangeView | null): Array<{ mark: Mark; text: string }> {
  const s = r.state;
  const entered = !!s.changeId || !!s.replacedAt;
  const first: Array<{ mark: Mark; text: string }> = isToken(r)
    ? [
        { mark: entered ? 'done' : 'current', text: `Create a new ${r.secretKind === 'classic-pat' ? 'classic' : 'fine-grained'} token` },
        { mark: entered ? 'done' : 'current', text: `Enter it (checked, then kept only encrypted for GitHub)` },
      ]
    : [{ mark: entered ? 'done' : 'current', text: s.newKey ? `New key generated (${code(s.newKey.fingerprint)})` : 'Generate a new key pair' }];
  const replaced: { mark: Mark; text: string } = s.replacedAt
    ? { mark: 'done', text: `${code(r.secret)} replaced; GitHub shows it updated ${slackDate(s.replacedAt)}` }
    : { mark: 'todo', text: `Replace ${code(r.secret)}` };
  return [...first, changeLine(r, change), replaced, ...(isToken(r) ? [oldLine(r), verifyLine(r)] : [verifyLine(r), oldLine(r)])];
}

function statusText(r: Rotation): string {
  if (r.status === 'done') return `:tada: Rotation complete ${r.finishedAt ? slackDate(r.finishedAt.toISOString()) : ''}.`;
  if (r.status === 'cancelled')
    return `Cancelled by <@${r.finishedBy ?? r.requestedBy}> ${r.finishedAt ? slackDate(r.finishedAt.toISOString()) : ''}.${r.state.replacedAt ? ' The new secret stays in place.' : ' Nothing was changed.'}`;
  return '';
}

/** The channel message of a rotation: who, what, the checklist; buttons while it runs. Every state renders here, so it is edited in place. */
export function renderRotation(r: Rotation, change: ChangeView | null): { text: string; blocks: KnownBlock[] } {
  const title = `Rotation of ${r.secret} for ${r.repoName}`;
  const blocks: KnownBlock[] = [
    header(`:arrows_counterclockwise: ${title}`),
    ...section(
      `Started by <@${r.requestedBy}> ${slackDate(r.createdAt.toISOString())} for ${code(r.repo)}. Private steps go to <@${r.requestedBy}> in the thread.`,
    ),
    ...section(
      checklist(r, change)
        .map((l, i) => `${MARK[l.mark]} *${i + 1}.* ${l.text}`)
        .join('\n'),
    ),
  ];
  const v = r.state.verify;
  if (v.state === 'failed' && v.advice.length) blocks.push(...section(['*What to check*', ...v.advice.map((a) => `• ${a}`)].join('\n')));
  const status = statusText(r);
  if (status) blocks.push(...section(status));
  if (r.status === 'active') {
    const buttons = [button({ text: 'My next step', actionId: ROTATION_ACTIONS.next, value: r.id })];
    if (v.state === 'failed' && v.method) buttons.push(button({ text: 'Verify again', actionId: ROTATION_ACTIONS.retryVerify, value: r.id }));
    buttons.push(
      button({
        text: 'Cancel rotation',
        actionId: ROTATION_ACTIONS.cancel,
        value: r.id,
        style: 'danger',
        confirm: {
          title: 'Cancel this rotation?',
          text: r.state.replacedAt
            ? 'The new secret stays in place; the remaining steps are dropped.'
            : 'Nothing has been changed on GitHub; a pending request is withdrawn.',
          confirm: 'Cancel it',
        },
      }),
    );
    blocks.push(actions(buttons), context('The requester or an approver may cancel. Only the requester sees the private steps.'));
  }
  const state = r.status === 'active' ? 'in progress' : r.status === 'done' ? 'complete' : 'cancelled';
  return { text: `${title}: ${state}`, blocks: fitMessage(blocks) };
}
