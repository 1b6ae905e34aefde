import type { Diagnosis } from '../core/sync/reportSchema.js';
import { actions, context, fitMessage, link, mrkdwnEscape as esc, section, type KnownBlock } from './blocks.js';
import { startRotationButton } from './rotation.js';

/** What the bot posts on its own about the sync-to-GHE job (services/events/syncAlerts.ts). */

export interface SyncJobView {
  repoName: string;
  github: string;
  jobName: string;
  jobUrl: string | null;
  runUrl: string | null;
  failingStep: string | null;
  finishedAt: Date | null;
}

export interface SlackText {
  text: string;
  blocks: KnownBlock[];
}

const jobLink = (j: SyncJobView) => (j.jobUrl ? link(j.jobUrl, esc(j.jobName)) : `\`${esc(j.jobName)}\``);

/** The first failure: the diagnosis and the next action (*Rotate <secret>* when authentication failed). */
export function syncFailedMessage(j: SyncJobView, d: Diagnosis | null): SlackText {
  const cause = d ? d.label : 'the log could not be read';
  const text = `:red_circle: The sync of ${j.repoName} to GitHub Enterprise failed: ${cause}.`;
  const blocks: KnownBlock[] = [...section(`${text}\nJob ${jobLink(j)}${j.failingStep ? `, step *${esc(j.failingStep)}*` : ''}.`)];
  if (d?.evidence) blocks.push(...section(`> ${esc(d.evidence)}`));
  if (d && d.advice.length > 0) blocks.push(...section(`*Next:*\n${d.advice.map((a) => `• ${a}`).join('\n')}`));
  if (d?.rotateSecret) blocks.push(actions([startRotationButton({ repo: j.github, secret: d.rotateSecret }, `Rotate ${d.rotateSecret}`)]));
  blocks.push(context('Further failures are replied in this thread; this message says when the sync passes again.'));
  return { text, blocks: fitMessage(blocks) };
}

/** A further failure while the alert stands (a thread reply). */
export function syncFailedAgainMessage(j: SyncJobView, d: Diagnosis | null, failures: number): SlackText {
  const text = `Failed again (${failures} failures in a row): ${d ? d.label : 'the log could not be read'}.`;
  return { text, blocks: [...section(`${text} ${jobLink(j)}${d?.evidence ? `\n> ${esc(d.evidence)}` : ''}`)] };
}

/** The alert once a sync passed again: its buttons no longer apply, so none is left. */
export function syncRecoveredMessage(j: SyncJobView, failures: number): SlackText {
  const text = `:large_green_circle: The sync of ${j.repoName} to GitHub Enterprise recovered: ${jobLink(j)} passed after ${failures} failure${failures === 1 ? '' : 's'}.`;
  return { text, blocks: [...section(text)] };
}

/** `alerts.sync: all`: a passing sync with no failure standing. */
export function syncPassedMessage(j: SyncJobView): SlackText {
  const text = `:white_check_mark: The sync of ${j.repoName} to GitHub Enterprise passed (${jobLink(j)}).`;
  return { text, blocks: [...section(text)] };
}
