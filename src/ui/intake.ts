/** What the bot says when a Slack request reaches no listener, or comes from another workspace. */
import { text } from './messages.js';

export const intakeText = {
  /** A click, shortcut or menu nothing here acts on any more. */
  staleInteraction: text.staleButton,
  staleView: text.staleView,
  unknownCommand: (command: string) =>
    `This bot has no \`${command.slice(0, 64)}\` command. Nothing was done. Its commands are \`/sync-status\`, \`/release\`, \`/rotate\` and \`/secret\`.`,
  otherWorkspace: 'This Release ChatOps bot serves another Slack workspace, so it does not act on requests from this one. Nothing was done.',
} as const;

/** A modal replaced by a one-line notice (the answer to a submission nothing acts on). */
export function noticeModal(message: string): Record<string, unknown> {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Release ChatOps' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: message } }],
  };
}
