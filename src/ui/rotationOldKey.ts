import type { Rotation } from '../core/rotation/state.js';
import { actions, button, code, context, mrkdwnEscape as esc, section, type KnownBlock } from './blocks.js';
import { slackDate } from './format.js';
import { ROTATION_ACTIONS } from './rotation.js';

/** The question, in a deploy key's rotation thread, of which deploy key of the mirror is the old one, and its answer. */

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
