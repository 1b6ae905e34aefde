import type { TagInfo, WorkflowInfo, WorkflowRunInfo } from '../core/ports.js';
import { actions, button, code, context, link, mrkdwnEscape as esc, section, type KnownBlock } from './blocks.js';
import { shortSha, slackDate } from './format.js';
import type { Holder, VoidConfirmation } from '../core/release/confirmClick.js';
import { ACTION_IDS } from '../core/ids.js';

export interface ConfirmView {
  releaseId: string;
  repo: string;
  repoName: string;
  webUrl: string;
  tag: TagInfo;
  workflow: WorkflowInfo;
  inputs: Record<string, string>;
  previousFailure: WorkflowRunInfo | null;
  expiresMinutes: number;
}

export const RELEASE_ACTIONS = { confirm: ACTION_IDS.releaseConfirm, cancel: ACTION_IDS.releaseCancel } as const;

/** The private summary a person confirms: exactly what will be dispatched. */
export function renderReleaseConfirm(v: ConfirmView): { text: string; blocks: KnownBlock[] } {
  const inputs = Object.entries(v.inputs);
  const lines = [
    `*Release ${code(v.tag.name)} of ${code(v.repoName)}?*`,
    `• Repository: ${link(v.webUrl, v.repo)}`,
    `• Commit: ${link(`${v.webUrl}/commit/${v.tag.sha}`, shortSha(v.tag.sha))} ${esc(v.tag.subject)}`,
    `• Workflow: ${code(v.workflow.path)} (workflow_dispatch on ${code(v.tag.name)})`,
    `• Inputs: ${inputs.length ? inputs.map(([k, val]) => `${code(k)}=${code(val)}`).join(', ') : '_none_'}`,
  ];
  if (v.previousFailure) lines.push(`:warning: The last run for this tag ${link(v.previousFailure.htmlUrl, 'failed')}; this releases it again.`);
  return {
    text: `Release ${v.tag.name} of ${v.repoName}? Confirm or cancel.`,
    blocks: [
      ...section(lines.join('\n')),
      actions([
        button({ text: v.previousFailure ? 'Release again' : 'Release', actionId: RELEASE_ACTIONS.confirm, value: v.releaseId, style: 'primary' }),
        button({ text: 'Cancel', actionId: RELEASE_ACTIONS.cancel, value: v.releaseId }),
      ]),
      context(`Only you see this. It expires in ${v.expiresMinutes} minutes.`),
    ],
  };
}

export const releaseText = {
  notAllowed: (repo: string) => `You are not allowed to release \`${repo}\`. Ask to be added to \`access.release\` in the bot's configuration.`,
  badTag: (reason: string, examples: readonly string[]) =>
    `${reason}\nUsage: \`/release [repo] <tag>\`, with a tag such as ${examples.map((e) => `\`${e}\``).join(', ')}.`,
  noReleaseConfigured: (repo: string) => `\`${repo}\` has no \`release\` section in the configuration.`,
  confirmed: (tag: string, channel: string) => `:rocket: Release of \`${tag}\` confirmed. It is being dispatched; follow it in <#${channel}>.`,
  cancelled: (tag: string) => `Release of \`${tag}\` cancelled. Nothing was dispatched.`,
  /** Another release of the tag holds it (the store allows one active release per repo and tag). */
  busy: (tag: string, active: { status: string; requestedBy: string }, user: string) =>
    active.status === 'pending'
      ? `A release of \`${tag}\` is already waiting for ${active.requestedBy === user ? 'your' : `<@${active.requestedBy}>'s`} confirmation; confirm or cancel that one.`
      : `A release of \`${tag}\` (asked for by <@${active.requestedBy}>) is already under way.`,
  dispatchFailedFor: (tag: string, user: string, reason: string) =>
    `:x: <@${user}>, the release of \`${tag}\` could not be dispatched: ${reason} \`/release ${tag}\` offers it again.`,
  notYours: 'Only the person who asked for this release can confirm or cancel it.',
  unknown: 'I no longer know this release. Nothing was dispatched. Run `/release` again.',
  mainMessage: (tag: string, repoName: string, user: string) => `Release ${tag} of ${repoName}, started by <@${user}>`,
} as const;

const at = (d: Date | null) => (d ? ` ${slackDate(d.toISOString())}` : '');
const holderLine = (tag: string, h: Holder | null) =>
  !h
    ? ''
    : h.pending
      ? `\nAnother confirmation of \`${tag}\` is active, by <@${h.requestedBy}>.`
      : `\nAnother release of \`${tag}\`, by <@${h.requestedBy}>, is under way; follow it in <#${h.channel}>.`;

/** What replaces a confirmation clicked after it stopped offering anything: what happened since, no buttons. */
export function renderVoidConfirmation(v: VoidConfirmation): string {
  switch (v.kind) {
    case 'unknown':
      return releaseText.unknown;
    case 'notYours':
      return releaseText.notYours;
    case 'expired':
      return `This confirmation of \`${v.tag}\` expired${at(v.at)}. Nothing was dispatched from it.${holderLine(v.tag, v.holder)}${v.holder ? '' : ` Run \`/release ${v.tag}\` again.`}`;
    case 'cancelled':
      return `This release of \`${v.tag}\` was cancelled by <@${v.by}>${at(v.at)}. Nothing was dispatched from it.${holderLine(v.tag, v.holder)}`;
    case 'released': {
      const run = v.runUrl ? ` (${link(v.runUrl, 'its run')})` : '';
      const head = `This release of \`${v.tag}\` was already confirmed by <@${v.by}>${at(v.at)}${run}; it is dispatched once.`;
      if (v.outcome === 'succeeded') return `${head} It succeeded; see <#${v.channel}>.`;
      if (v.outcome === 'run_failed') return `${head} Its run failed; see <#${v.channel}>. \`/release ${v.tag}\` offers it again.`;
      if (v.outcome === 'not_dispatched')
        return `This release of \`${v.tag}\` was confirmed by <@${v.by}>${at(v.at)} but could not be dispatched; see <#${v.channel}>. \`/release ${v.tag}\` offers it again.`;
      return `${head} Follow it in <#${v.channel}>.`;
    }
  }
}
