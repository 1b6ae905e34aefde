import { nextStep, type Announcement, type ChangeView } from '../core/rotation/decide.js';
import type { Rotation } from '../core/rotation/state.js';
import { ACTION_IDS, VIEW_IDS } from '../core/ids.js';
import {
  actions,
  button,
  code,
  context,
  header,
  link,
  mrkdwnEscape as esc,
  section,
  fitMessage,
  noticeModal,
  type KnownBlock,
  type ModalView,
} from './blocks.js';
import { slackDate } from './format.js';
import { encodeStartRef, type StartRef } from '../core/rotation/startRef.js';
import { whoCan } from './secretChange.js';

/** Everything /rotate says and shows: the checklist message, the private prompts, the old-token modal. */

export const ROTATION_ACTIONS = {
  enter: ACTION_IDS.rotationEnter,
  generate: ACTION_IDS.rotationGenerate,
  next: ACTION_IDS.rotationNext,
  cancel: ACTION_IDS.rotationCancel,
  revokeOld: ACTION_IDS.rotationRevokeOld,
  confirmOld: ACTION_IDS.rotationConfirmOld,
  retryVerify: ACTION_IDS.rotationRetryVerify,
  start: ACTION_IDS.rotationStart,
  maskedPage: ACTION_IDS.rotationMaskedPage,
  maskedOpen: ACTION_IDS.rotationMaskedOpen,
  pickKey: ACTION_IDS.rotationPickKey,
} as const;

/** The "Start rotation" button of reminders and leak warnings (handled by actions/rotationStart.ts). */
export function startRotationButton(ref: StartRef, label = 'Start rotation'): ReturnType<typeof button> {
  return button({ text: label, actionId: ROTATION_ACTIONS.start, value: encodeStartRef(ref), style: 'primary' });
}

export const OLD_TOKEN_INPUT = { blockId: 'old_token_block', actionId: 'old_token_input' } as const;

/** What the create instructions need to know of the secret's configuration. */
export interface SecretSpec {
  kind: Rotation['secretKind'];
  host: string;
  scopes: readonly string[];
  maxAgeDays: number;
  /** The repository the credential must act on (`owner/name` on `host`), if known. */
  target: string | null;
  /** `sync` when the credential pushes to the mirror, else `release`. */
  purpose: 'sync' | 'release';
}

type Mark = 'done' | 'current' | 'todo' | 'failed' | 'skipped';
const MARK: Record<Mark, string> = {
  done: ':white_check_mark:',
  current: ':arrow_forward:',
  todo: ':white_circle:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
};

const repoPart = (repo: string) => repo.split('/')[1] ?? repo;
const isToken = (r: Pick<Rotation, 'secretKind'>) => r.secretKind !== 'deploy-key';
const host = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/+$/, '');

/** The note the seed gives the token ("GitHub Actions - pyWATS sync"): it tells the token's owner what it is for. */
export function tokenNote(repo: string, purpose: SecretSpec['purpose']): string {
  return `GitHub Actions - ${repoPart(repo)} ${purpose}`;
}

/** Where the token is created, with what the host lets a URL pre-fill (classic tokens: scopes and note). */
export function createTokenUrl(r: Pick<Rotation, 'repo'>, s: SecretSpec): string {
  const base = s.host.replace(/\/+$/, '');
  if (s.kind === 'classic-pat') {
    const scopes = s.scopes.length ? s.scopes.join(',') : 'repo';
    return `${base}/settings/tokens/new?scopes=${encodeURIComponent(scopes)}&description=${encodeURIComponent(tokenNote(r.repo, s.purpose))}`;
  }
  // Fine-grained tokens: GitHub withdrew its URL pre-fill for them, so the page opens empty and the steps say what to choose.
  return `${base}/settings/personal-access-tokens/new`;
}

const latestExpiry = (s: SecretSpec, now: Date) => new Date(now.getTime() + s.maxAgeDays * 86_400_000).toISOString().slice(0, 10);

/** Step 1, privately to the requester: exactly what to create, where. */
export function createSteps(r: Rotation, s: SecretSpec, now: Date): string[] {
  if (s.kind === 'deploy-key') {
    return [
      `Nothing to create by hand: I generate a new ed25519 key pair. After approval I add its public half to ${code(s.target ?? 'the mirror')} as a deploy key with write access and store the private half as ${code(r.secret)}; the old deploy key is deleted once a run with the new key passes.`,
    ];
  }
  const url = createTokenUrl(r, s);
  const until = latestExpiry(s, now);
  if (s.kind === 'classic-pat') {
    const scopes = s.scopes.length ? s.scopes : ['repo'];
    return [
      `*1.* On ${esc(host(s.host))}, ${link(url, 'create a classic token')} (signed in as the account that should own it: a service account if you have one, not your own).`,
      `*2.* Note: ${code(tokenNote(r.repo, s.purpose))}. Scopes: ${scopes.map(code).join(', ')}${s.target ? ` (it must be able to push to ${code(s.target)})` : ''}.`,
      `*3.* Expiration: a custom date no later than *${until}* (${s.maxAgeDays} days). Generate it and copy it.`,
      `*4.* Click *Enter the new token* below. Never paste it into a message.`,
    ];
  }
  return [
    `*1.* On ${esc(host(s.host))}, ${link(url, 'create a fine-grained token')} (signed in as a service account if you have one).`,
    `*2.* Token name ${code(`${repoPart(r.repo)}-${s.purpose === 'sync' ? 'ghe-sync' : 'release-automation'}`)}; expiration no later than *${until}* (${s.maxAgeDays} days).`,
    `*3.* Resource owner ${code((s.target ?? r.repo).split('/')[0] ?? '')}; Repository access: *Only select repositories* → ${code(s.target ?? r.repo)} only.`,
    `*4.* Repository permissions: *Actions: Read and write*, *Contents: Read and write* (Metadata: read-only is added by GitHub). Nothing else.`,
    `*5.* Generate it, copy it, and click *Enter the new token* below. Never paste it into a message.`,
  ];
}

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

/**
 * Private prompt: create (tokens) or generate (deploy keys), then enter. `maskedPage`: the
 * bot can serve its one-time masked entry page (HTTP mode with PUBLIC_URL).
 */
export function renderEnterPrompt(r: Rotation, s: SecretSpec, now: Date, o: { maskedPage?: boolean } = {}): { text: string; blocks: KnownBlock[] } {
  const again = r.state.lastOutcome?.writeUnknown
    ? ':warning: GitHub did not confirm the last write, so the secret may already hold that value (see the checklist). '
    : r.state.lastOutcome
      ? ':information_source: The last request did not go through, so nothing changed. '
      : '';
  const blocks: KnownBlock[] = [
    ...section(`${again}*Step 1: ${isToken(r) ? 'create the new token' : 'a new key pair'}* for ${code(r.secret)}`),
    ...section(createSteps(r, s, now).join('\n')),
  ];
  if (!isToken(r)) {
    blocks.push(actions([button({ text: 'Generate the key and ask for approval', actionId: ROTATION_ACTIONS.generate, value: r.id, style: 'primary' })]));
    return { text: `Step 1 of the rotation of ${r.secret}`, blocks };
  }
  const buttons = [button({ text: 'Enter the new token', actionId: ROTATION_ACTIONS.enter, value: r.id, style: 'primary' })];
  if (o.maskedPage) buttons.push(button({ text: 'Use a masked page', actionId: ROTATION_ACTIONS.maskedPage, value: r.id }));
  blocks.push(actions(buttons));
  if (o.maskedPage)
    blocks.push(
      context(
        `Slack cannot hide what you type. *Use a masked page* gives you a one-time link to a page on the bot with a hidden field (yours only, valid ${ENTRY_LINK_MINUTES} minutes).`,
      ),
    );
  return { text: `Step 1 of the rotation of ${r.secret}`, blocks };
}

/** How long a masked entry link stays valid. */
export const ENTRY_LINK_MINUTES = 10;

/** Private reply to "Use a masked page": the link itself, which is as good as the rotation's enter step until it is used. */
export function renderEntryLink(r: Rotation, url: string, expiresAt: Date): { text: string; blocks: KnownBlock[] } {
  return {
    text: `Your one-time page to enter the new ${r.secret}`,
    blocks: [
      ...section(
        `:lock: *Your one-time page for ${code(r.secret)}*: open it, paste the new token into the hidden field and submit. It works once, for you alone, until ${slackDate(expiresAt.toISOString())}. Do not share the link; ask for a new one with *My next step* if it runs out.`,
      ),
      actions([button({ text: 'Open the masked page', actionId: ROTATION_ACTIONS.maskedOpen, value: r.id, url, style: 'primary' })]),
    ],
  };
}

/** Private prompt once the new token is in place: revoke the old one. */
export function renderOldPrompt(r: Rotation, s: SecretSpec): { text: string; blocks: KnownBlock[] } {
  const tokensPage = `${s.host.replace(/\/+$/, '')}/settings/tokens`;
  return {
    text: `Revoke the old ${r.secret}`,
    blocks: [
      ...section(
        [
          `*Revoke the old token* that ${code(r.secret)} held: it is no longer used, and a token nobody uses should not keep working.`,
          `• *Paste the old token*: I send it to GitHub's credential revocation API, check that it is dead, and forget it.`,
          `• Or revoke it yourself on ${link(tokensPage, `${host(s.host)} → Settings → Tokens`)} and click *I revoked it* (recorded in the audit log).`,
        ].join('\n'),
      ),
      actions([
        button({ text: 'Paste the old token', actionId: ROTATION_ACTIONS.revokeOld, value: r.id, style: 'primary' }),
        button({
          text: 'I revoked it',
          actionId: ROTATION_ACTIONS.confirmOld,
          value: r.id,
          confirm: { title: 'Old token revoked?', text: 'Confirm that you revoked the old token on its host. Your name is recorded.', confirm: 'I revoked it' },
        }),
      ]),
    ],
  };
}

/** A write deploy key of the mirror, as the question about the old key shows it. */
export interface DeployKeyChoice {
  id: number;
  title: string;
  fingerprint: string | null;
  createdAt: string | null;
  addedBy: string | null;
  lastUsed: string | null;
}

/** At most this many keys get a button (a message holds 50 blocks); the rest are named, to be deleted by hand. */
export const PICK_KEY_MAX = 20;

/** The value of a button of the question: the rotation, and a key id or `none`. */
export const pickKeyValue = (rotationId: string, keyId: number | 'none') => `${rotationId}:${keyId}`;

function keyLine(k: DeployKeyChoice): string {
  const added = [k.addedBy ? `by ${esc(k.addedBy)}` : '', k.createdAt ? slackDate(k.createdAt) : ''].filter(Boolean).join(' ');
  return [
    `*${esc(k.title)}*${k.fingerprint ? `  ${code(k.fingerprint)}` : ''}`,
    [added ? `added ${added}` : '', k.lastUsed ? `last used ${slackDate(k.lastUsed)}` : ''].filter(Boolean).join(' · '),
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * In the thread, early: which of the mirror's write deploy keys the secret holds, when
 * neither the recorded public key nor a title says. One button per key, and "None of these".
 */
export function renderOldKeyQuestion(r: Rotation, mirrorRepo: string, keys: readonly DeployKeyChoice[]): { text: string; blocks: KnownBlock[] } {
  const shown = keys.slice(0, PICK_KEY_MAX);
  const blocks: KnownBlock[] = [
    ...section(
      `:key: <@${r.requestedBy}>: *which deploy key of ${code(mirrorRepo)} does ${code(r.secret)} hold now?* Neither a key the bot recorded nor a key's title says. I delete the one you pick once the new key has passed verification; nothing is deleted before. Only you can answer.`,
    ),
    ...shown.flatMap((k) =>
      section(keyLine(k), { accessory: button({ text: 'This one', actionId: ROTATION_ACTIONS.pickKey, value: pickKeyValue(r.id, k.id) }) }),
    ),
  ];
  if (keys.length > shown.length)
    blocks.push(
      context(
        `${keys.length - shown.length} more write deploy keys are not shown; if the old key is among them, pick *None of these* and delete it on the mirror by hand.`,
      ),
    );
  blocks.push(
    actions([
      button({
        text: 'None of these',
        actionId: ROTATION_ACTIONS.pickKey,
        value: pickKeyValue(r.id, 'none'),
        confirm: {
          title: 'None of these?',
          text: 'No deploy key will be deleted; the checklist will say so. Delete the old one on the mirror by hand if there is one.',
          confirm: 'None of these',
        },
      }),
    ]),
  );
  return { text: `Which deploy key of ${mirrorRepo} does ${r.secret} hold?`, blocks };
}

/** The question once it no longer asks: the answer, or why it is void. No buttons. */
export function renderOldKeyAnswered(r: Rotation, mirrorRepo: string): { text: string; blocks: KnownBlock[] } {
  const o = r.state.old;
  const pick = o.pick;
  const who = `<@${pick?.by ?? r.requestedBy}>`;
  let text: string;
  if (pick?.state === 'picked' && o.deployKey) {
    const fp = o.deployKey.fingerprint ? ` (${code(o.deployKey.fingerprint)})` : '';
    const then =
      o.state === 'deleted'
        ? 'It was deleted after the new key passed verification.'
        : r.status === 'cancelled'
          ? 'The rotation was cancelled, so it was not deleted.'
          : 'It is deleted once the new key has passed verification.';
    text = `:key: ${who} said ${code(r.secret)} held the deploy key *${esc(o.deployKey.title)}*${fp} of ${code(mirrorRepo)}. ${then}`;
  } else if (pick?.state === 'none') {
    text = `:key: ${who} said none of the deploy keys of ${code(mirrorRepo)} is the one ${code(r.secret)} held: no deploy key will be deleted.`;
  } else {
    text = `:key: Which deploy key ${code(r.secret)} held no longer needs an answer: the rotation was ${r.status === 'cancelled' ? 'cancelled' : 'finished'}. No deploy key was deleted.`;
  }
  const answer = pick?.state === 'picked' && o.deployKey ? `"${o.deployKey.title}"` : pick?.state === 'none' ? 'none of these' : 'no longer asked';
  return { text: `Which deploy key ${r.secret} held: ${answer}`, blocks: section(text) };
}

/** The modal where the old token is pasted to be revoked. */
export function renderOldTokenModal(r: Rotation, privateMetadata: string): ModalView {
  return {
    type: 'modal',
    callback_id: VIEW_IDS.rotationOldToken,
    private_metadata: privateMetadata,
    title: { type: 'plain_text', text: 'Revoke the old token' },
    submit: { type: 'plain_text', text: 'Revoke it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      ...section(
        `The *old* value of ${code(r.secret)} for ${code(r.repo)}. It is revoked at once through GitHub's credential revocation API and never stored.`,
      ),
      {
        type: 'input',
        block_id: OLD_TOKEN_INPUT.blockId,
        label: { type: 'plain_text', text: `Old value of ${r.secret}` },
        hint: { type: 'plain_text', text: 'Slack cannot hide what you type here. The token is used only to revoke it and to check that it is dead.' },
        element: { type: 'plain_text_input', action_id: OLD_TOKEN_INPUT.actionId, max_length: 300 },
      },
    ],
  };
}

const OLD_TOKEN_TITLES = {
  checking: 'Checking the token',
  revoked: 'Old token revoked',
  already_dead: 'Old token already dead',
  refused: 'Not revoked',
} as const;

/** The old-token modal once submitted: checking, then the outcome (its title never says "revoked" unless it was). */
export function renderOldTokenDone(o: { state: keyof typeof OLD_TOKEN_TITLES; text: string }): ModalView {
  return noticeModal({ callbackId: `${VIEW_IDS.rotationOldToken}_done`, title: OLD_TOKEN_TITLES[o.state], text: o.text });
}

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
