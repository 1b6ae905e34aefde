import { kindLabel, type LeakedKind } from '../core/leaks/findTokens.js';
import type { ReminderOffer } from '../core/reminders/offer.js';
import { actions, code, context, section, type KnownBlock } from './blocks.js';
import { slackDate } from './format.js';
import { startRotationButton } from './rotation.js';

/** What the bot says in the thread of a message that contains a GitHub token. Never a character of the token. */

export interface RotationOffer {
  repo: string;
  repoName: string;
  secret: string;
  /** What became of the offer since the warning was posted (core/reminders/offer.ts); absent: it stands. */
  state?: ReminderOffer;
}

export type LeakOutcome =
  | { kind: 'revoked'; host: string; login: string }
  | { kind: 'not_valid'; host: null }
  | { kind: 'still_alive' | 'rate_limited' | 'unsupported'; host: string; login: string }
  | { kind: 'failed'; host: string; login: string; reason: string };

const what = (kinds: LeakedKind[]) =>
  kinds.length === 1 ? `a GitHub ${kindLabel(kinds[0] ?? 'classic')}` : `${kinds.length} GitHub tokens (${[...new Set(kinds)].map(kindLabel).join(', ')})`;

const date = (d: Date) => slackDate(d.toISOString());

/** One offer as it stands: the button while it applies, else what became of it (a cancelled rotation gives the button back). */
function offerBlock(o: RotationOffer, i: number): KnownBlock[] {
  const name = `${code(o.secret)} (${o.repoName})`;
  const s = o.state ?? { kind: 'open', cancelled: null };
  switch (s.kind) {
    case 'open':
      return [
        // One block per button: a block's action_ids must differ, and every one is the same "Start rotation".
        actions([startRotationButton({ repo: o.repo, secret: o.secret }, `Rotate ${o.secret} (${o.repoName})`)], { blockId: `rotate_offer_${i}` }),
        ...(s.cancelled
          ? [context(`A rotation of ${name} was cancelled by <@${s.cancelled.by}> ${date(s.cancelled.at)}; it still needs rotating if this was its value.`)]
          : []),
      ];
    case 'started':
      return section(`:arrows_counterclockwise: Rotation of ${name} started by <@${s.by}> ${date(s.at)}: follow it in its thread in this channel.`);
    case 'rotated':
      return section(`:white_check_mark: ${name} was rotated by <@${s.by}> ${date(s.at)}.`);
    case 'replaced':
      return section(
        `:white_check_mark: ${name} was ${s.action === 'replace' ? 'replaced' : 'deleted'} ${date(s.at)}${s.by ? ` (approved by <@${s.by}>)` : ''}.`,
      );
  }
}

function offerBlocks(offers: RotationOffer[]): KnownBlock[] {
  if (offers.length === 0) return [context('If it is the value of a repository secret, rotate it: `/rotate [repo] <SECRET>`.')];
  return [...section('If it is the value of one of these secrets, rotate it now:'), ...offers.flatMap(offerBlock)];
}

/** Tokens past the per-message limit: never sent anywhere, so the person must revoke them. */
const uncheckedLine = (n: number, checked: number) =>
  n > 0
    ? `\n:x: ${n} more token-shaped string${n === 1 ? ' was' : 's were'} not checked (the bot checks the first ${checked} of a message): treat ${n === 1 ? 'it' : 'them'} as leaked and revoke ${n === 1 ? 'it' : 'them'} by hand.`
    : '';

export function renderLeakWarning(o: { kinds: LeakedKind[]; author: string | null; offers: RotationOffer[]; unchecked?: number }): {
  text: string;
  blocks: KnownBlock[];
} {
  const text = `:rotating_light: ${o.author ? `<@${o.author}>, this` : 'This'} message contains ${what(o.kinds)}. Treat it as leaked: anyone who can read this channel may have it.`;
  const unchecked = o.unchecked ?? 0;
  return {
    text,
    blocks: [
      ...section(
        `${text}\n:hourglass_flowing_sand: Sending ${unchecked ? `the first ${o.kinds.length - unchecked}` : o.kinds.length === 1 ? 'it' : 'them'} to GitHub's credential revocation API now…${uncheckedLine(unchecked, o.kinds.length - unchecked)}\nDelete the message, and replace the token wherever it was used.`,
      ),
      ...offerBlocks(o.offers),
    ],
  };
}

function outcomeLine(x: LeakOutcome, n: number, count: number): string {
  const which = count > 1 ? `Token ${n}: ` : '';
  switch (x.kind) {
    case 'revoked':
      return `:white_check_mark: ${which}revoked on ${x.host} (it belonged to ${x.login}); GitHub now rejects it.`;
    case 'not_valid':
      return `:white_check_mark: ${which}no host the bot knows accepts it: it was already revoked or expired, or it belongs to another host (then revoke it there).`;
    case 'still_alive':
      return `:warning: ${which}GitHub took the revocation request on ${x.host}, but the token still worked moments later. Revoke it by hand: ${x.host} → Settings → Developer settings → Tokens (signed in as ${x.login}).`;
    case 'rate_limited':
      return `:x: ${which}${x.host} is limiting revocation requests right now (60 an hour). Revoke it by hand: ${x.host} → Settings → Tokens (signed in as ${x.login}).`;
    case 'unsupported':
      return `:x: ${which}${x.host} has no credential revocation API the bot can use. Revoke it by hand: ${x.host} → Settings → Tokens (signed in as ${x.login}).`;
    case 'failed':
      return `:x: ${which}${x.reason} Revoke it by hand: ${x.host} → Settings → Tokens (signed in as ${x.login}).`;
  }
}

export function renderLeakOutcome(o: { kinds: LeakedKind[]; author: string | null; offers: RotationOffer[]; outcomes: LeakOutcome[]; unchecked?: number }): {
  text: string;
  blocks: KnownBlock[];
} {
  const unchecked = o.unchecked ?? 0;
  const dead = unchecked === 0 && o.outcomes.every((x) => x.kind === 'revoked' || x.kind === 'not_valid');
  const many = o.kinds.length > 1;
  const text = `:rotating_light: ${o.author ? `<@${o.author}>, this` : 'This'} message contained ${what(o.kinds)}. ${dead ? (many ? 'None of them works any more.' : 'It no longer works.') : many ? 'Some may still work: see below.' : 'It may still work: see below.'}`;
  return {
    text,
    blocks: [
      ...section(
        `${text}\n${o.outcomes.map((x, i) => outcomeLine(x, i + 1, o.kinds.length)).join('\n')}${uncheckedLine(unchecked, o.outcomes.length)}\nDelete the message, and replace the token wherever it was used.`,
      ),
      ...offerBlocks(o.offers),
    ],
  };
}
