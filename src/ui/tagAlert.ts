import { ACTION_IDS } from '../core/ids.js';
import { tagAlertValue } from '../core/events/tagWithoutRelease.js';
import { actions, button, context, link, mrkdwnEscape as esc, section, type KnownBlock } from './blocks.js';
import { startRotationButton } from './rotation.js';

/** The tag-without-release alert (services/events/tagAlerts.ts) and the answers to its buttons. */

export interface TagAlertView {
  github: string;
  tag: string;
  /** The release workflow's file name, e.g. release.yml. */
  workflow: string;
  minutesAgo: number;
  /** The secret whose token pushes the tags (PAT_TOKEN), when one is configured. */
  secret: string | null;
}

export interface SlackText {
  text: string;
  blocks: KnownBlock[];
}

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

/** "v1.3.0 was tagged 15 minutes ago but release.yml has not run for it; …", with *Release now* and *Rotate PAT_TOKEN*. */
export function tagWithoutReleaseMessage(v: TagAlertView): SlackText {
  const token = v.secret ? `; the token that triggers it (${v.secret}) may have expired` : '';
  const text = `${v.tag} was tagged ${minutes(v.minutesAgo)} ago but ${v.workflow} has not run for it${token}`;
  const buttons = [
    button({ text: 'Release now', actionId: ACTION_IDS.tagAlertRelease, value: tagAlertValue({ repo: v.github, tag: v.tag }), style: 'primary' }),
  ];
  if (v.secret) buttons.push(startRotationButton({ repo: v.github, secret: v.secret }, `Rotate ${v.secret}`));
  return {
    text: `:warning: ${text}`,
    blocks: [
      ...section(`:warning: *${esc(v.tag)}* was tagged ${minutes(v.minutesAgo)} ago but \`${esc(v.workflow)}\` has not run for it${esc(token)}.`),
      actions(buttons),
      context(`*Release now* runs \`/release ${esc(v.tag)}\` for you (its checks and confirmation). ${esc(v.github)}`),
    ],
  };
}

/** The alert once the release run arrived: its buttons no longer apply, so none is left. */
export function tagReleaseStartedMessage(v: { tag: string; workflow: string; runUrl: string | null }): SlackText {
  const run = v.runUrl ? link(v.runUrl, `${esc(v.workflow)} run`) : `a \`${esc(v.workflow)}\` run`;
  const text = `:white_check_mark: ${esc(v.tag)}: the release run started (${run}); it came after this alert was posted.`;
  return { text, blocks: [...section(text)] };
}

export const tagAlertText = {
  /** A click whose value is not one the bot made, or names a repository no longer configured. */
  bad: 'This button no longer matches the configuration; run `/release <tag>` instead.',
  /** *Release now* on an alert the release run has since answered. */
  started: (tag: string, runUrl: string | null) =>
    `The release run for \`${tag}\` has started already${runUrl ? ` (${link(runUrl, 'the run')})` : ''}; nothing else was done.`,
};
