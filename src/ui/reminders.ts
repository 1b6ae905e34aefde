import type { DueReminder } from '../core/reminders/due.js';
import type { ReminderOffer } from '../core/reminders/offer.js';
import { actions, button, code, context, header, section, type KnownBlock } from './blocks.js';
import { relativeTime, slackDate } from './format.js';
import { startRotationButton } from './rotation.js';
import { ACTION_IDS } from '../core/ids.js';
import { encodeStartRef, type StartRef } from '../core/rotation/startRef.js';

/** What a rotation reminder says in the repo's channel. */

function when(r: DueReminder): string {
  if (r.threshold === 0) return r.basis === 'expiry' ? 'has expired' : `is past its ${'age limit'}`;
  const days = Math.max(0, r.daysLeft);
  const left = days === 0 ? 'less than a day' : days === 1 ? '1 day' : `${days} days`;
  return r.basis === 'expiry' ? `expires in ${left}` : `reaches its age limit in ${left}`;
}

export function reminderText(r: DueReminder, repoName: string): string {
  return `${r.threshold === 0 ? ':rotating_light:' : ':alarm_clock:'} ${r.secret} of ${repoName} ${when(r)} (${r.deadline.toISOString().slice(0, 10)}).`;
}

const date = (d: Date) => slackDate(d.toISOString());

/** One line on what became of the reminder's offer; null while it simply stands. */
function offerLine(r: DueReminder, o: ReminderOffer): string | null {
  switch (o.kind) {
    case 'open':
      return o.cancelled
        ? `A rotation started after this reminder was cancelled by <@${o.cancelled.by}> ${date(o.cancelled.at)}; ${code(r.secret)} still needs rotating.`
        : null;
    case 'started':
      return `:arrows_counterclockwise: Rotation started by <@${o.by}> ${date(o.at)}: follow it in its thread in this channel.`;
    case 'rotated':
      return `:white_check_mark: Rotated by <@${o.by}> ${date(o.at)}. This reminder is done.`;
    case 'replaced':
      return o.action === 'replace'
        ? `:white_check_mark: ${code(r.secret)} was replaced ${date(o.at)}${o.by ? ` (approved by <@${o.by}>)` : ''}. This reminder is done.`
        : `${code(r.secret)} was deleted ${date(o.at)}${o.by ? ` (approved by <@${o.by}>)` : ''}. This reminder is done.`;
  }
}

/**
 * The reminder, in every state of its offer: the same builder renders the post and
 * each later edit, so the message never offers what no longer applies.
 */
export function renderReminder(r: DueReminder, o: { repoName: string; maxAgeDays: number; offer: ReminderOffer }): { text: string; blocks: KnownBlock[] } {
  const why =
    r.basis === 'expiry'
      ? `The token in \`${r.secret}\` expires on *${r.deadline.toISOString().slice(0, 10)}*; after that every workflow that uses it fails.`
      : `\`${r.secret}\` was last set ${o.maxAgeDays - r.daysLeft} days ago; this repository rotates it every ${o.maxAgeDays} days (by *${r.deadline.toISOString().slice(0, 10)}*).`;
  const line = offerLine(r, o.offer);
  const blocks: KnownBlock[] = [
    header(
      `${o.offer.kind === 'rotated' || o.offer.kind === 'replaced' ? 'Done' : r.threshold === 0 ? 'Overdue' : 'Rotate soon'}: ${r.secret} (${o.repoName})`,
    ),
    ...section(`${reminderText(r, o.repoName)}\n${why}`),
    ...(line ? section(line) : []),
    ...(o.offer.kind === 'open'
      ? [
          actions([startRotationButton({ repo: r.repo, secret: r.secret })]),
          context(
            'Start rotation walks you through it in a thread: create the new credential, enter it privately, an approver agrees, the bot writes it, verifies the sync and revokes the old one.',
          ),
        ]
      : []),
  ];
  const status = o.offer.kind === 'started' ? ' Rotation under way.' : o.offer.kind === 'rotated' ? ' Rotated.' : o.offer.kind === 'replaced' ? ' Done.' : '';
  return { text: `${reminderText(r, o.repoName)}${status}`, blocks };
}

/**
 * "Start rotation" on a message posted before the secret was last set: a person who
 * clicks an old reminder most likely does not know. They are told, and asked once more.
 */
export function renderFreshSecretWarning(o: { ref: StartRef; how: 'rotated' | 'replaced'; by: string | null; at: Date; now: Date }): {
  text: string;
  blocks: KnownBlock[];
} {
  const did = o.how === 'rotated' ? 'rotated' : 'replaced';
  const text = `${o.ref.secret} was ${did} ${relativeTime(o.at.toISOString(), o.now)}${o.by ? ` by <@${o.by}>` : ''}, after this message was posted. Start another rotation anyway?`;
  return {
    text,
    blocks: [
      ...section(
        `:information_source: ${code(o.ref.secret)} was ${did} ${relativeTime(o.at.toISOString(), o.now)} (${date(o.at)})${o.by ? ` by <@${o.by}>` : ''}, after this message was posted: its value is fresh. Nothing was started.\nStart another rotation anyway (for example because the new value leaked)?`,
      ),
      actions([
        button({
          text: 'Start another rotation',
          actionId: ACTION_IDS.rotationStartAgain,
          value: encodeStartRef(o.ref),
          style: 'danger',
          confirm: {
            title: `Rotate ${o.ref.secret} again?`,
            text: `${o.ref.secret} was ${did} ${relativeTime(o.at.toISOString(), o.now)}. This starts a new rotation of it.`,
            confirm: 'Start it',
          },
        }),
      ]),
    ],
  };
}

export const reminderActionText = {
  gone: 'That reminder is out of date: the secret is no longer configured. Use `/rotate` if it still needs rotating.',
  bad: 'That button no longer works. Use `/rotate <SECRET>` instead.',
};
