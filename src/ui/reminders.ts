import type { DueReminder } from '../core/reminders/due.js';
import { actions, context, header, section, type KnownBlock } from './blocks.js';
import { startRotationButton } from './rotation.js';

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

export function renderReminder(r: DueReminder, o: { repoName: string; maxAgeDays: number; rotationActive: boolean }): { text: string; blocks: KnownBlock[] } {
  const why =
    r.basis === 'expiry'
      ? `The token in \`${r.secret}\` expires on *${r.deadline.toISOString().slice(0, 10)}*; after that every workflow that uses it fails.`
      : `\`${r.secret}\` was last set ${o.maxAgeDays - r.daysLeft} days ago; this repository rotates it every ${o.maxAgeDays} days (by *${r.deadline.toISOString().slice(0, 10)}*).`;
  const blocks: KnownBlock[] = [
    header(`${r.threshold === 0 ? 'Overdue' : 'Rotate soon'}: ${r.secret} (${o.repoName})`),
    ...section(`${reminderText(r, o.repoName)}\n${why}`),
    ...(o.rotationActive
      ? [context('A rotation of this secret is already under way: see its thread in this channel.')]
      : [
          actions([startRotationButton({ repo: r.repo, secret: r.secret })]),
          context('Start rotation walks you through it in a thread: create the new credential, enter it privately, an approver agrees, the bot writes it, verifies the sync and revokes the old one.'),
        ]),
  ];
  return { text: reminderText(r, o.repoName), blocks };
}

export const reminderActionText = {
  gone: 'That reminder is out of date: the secret is no longer configured. Use `/rotate` if it still needs rotating.',
  bad: 'That button no longer works. Use `/rotate <SECRET>` instead.',
};
