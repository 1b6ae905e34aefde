import { kindLabel, type LeakedKind } from '../core/leaks/findTokens.js';
import { actions, context, section, type KnownBlock } from './blocks.js';
import { startRotationButton } from './rotation.js';

/** What the bot says in the thread of a message that contains a GitHub token. Never a character of the token. */

export interface RotationOffer {
  repo: string;
  repoName: string;
  secret: string;
}

export type LeakOutcome =
  | { kind: 'revoked'; host: string; login: string }
  | { kind: 'not_valid'; host: null }
  | { kind: 'still_alive' | 'rate_limited' | 'unsupported'; host: string; login: string }
  | { kind: 'failed'; host: string; login: string; reason: string };

const what = (kinds: LeakedKind[]) => (kinds.length === 1 ? `a GitHub ${kindLabel(kinds[0] ?? 'classic')}` : `${kinds.length} GitHub tokens (${[...new Set(kinds)].map(kindLabel).join(', ')})`);

function offerBlocks(offers: RotationOffer[]): KnownBlock[] {
  if (offers.length === 0) return [context('If it is the value of a repository secret, rotate it: `/rotate [repo] <SECRET>`.')];
  return [
    ...section('If it is the value of one of these secrets, rotate it now:'),
    // One block per button: a block's action_ids must differ, and every one is the same "Start rotation".
    ...offers.map((o, i) => actions([startRotationButton({ repo: o.repo, secret: o.secret }, `Rotate ${o.secret} (${o.repoName})`)], { blockId: `rotate_offer_${i}` })),
  ];
}

export function renderLeakWarning(o: { kinds: LeakedKind[]; author: string | null; offers: RotationOffer[] }): { text: string; blocks: KnownBlock[] } {
  const text = `:rotating_light: ${o.author ? `<@${o.author}>, this` : 'This'} message contains ${what(o.kinds)}. Treat it as leaked: anyone who can read this channel may have it.`;
  return {
    text,
    blocks: [
      ...section(`${text}\n:hourglass_flowing_sand: Sending it to GitHub's credential revocation API now…\nDelete the message, and replace the token wherever it was used.`),
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

export function renderLeakOutcome(o: { kinds: LeakedKind[]; author: string | null; offers: RotationOffer[]; outcomes: LeakOutcome[] }): { text: string; blocks: KnownBlock[] } {
  const dead = o.outcomes.every((x) => x.kind === 'revoked' || x.kind === 'not_valid');
  const text = `:rotating_light: ${o.author ? `<@${o.author}>, this` : 'This'} message contained ${what(o.kinds)}. ${dead ? 'It no longer works.' : 'It may still work: see below.'}`;
  return {
    text,
    blocks: [...section(`${text}\n${o.outcomes.map((x, i) => outcomeLine(x, i + 1, o.outcomes.length)).join('\n')}\nDelete the message, and replace the token wherever it was used.`), ...offerBlocks(o.offers)],
  };
}
