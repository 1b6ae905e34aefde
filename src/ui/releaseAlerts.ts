import { code, context, link, mrkdwnEscape as esc, section } from './blocks.js';
import type { SlackText } from './alerts.js';
import { duration } from './format.js';

/**
 * The message for a release-workflow run the bot did not start (services/events/releaseAnnouncements.ts):
 * posted once, then edited to what the run is now. Says who and what started it as far as the
 * delivery does (GitHub's event, `actor`, `triggering_actor`).
 */

export interface ReleaseRunView {
  repoName: string;
  /** The workflow's name ("Release"), or its file when the delivery named none. */
  workflowName: string;
  runNumber: number | null;
  url: string | null;
  /** The run's ref: the tag for a tag push or a dispatch on a tag, a branch otherwise. */
  headBranch: string | null;
  /** Whether `headBranch` is a release tag (the formats `/release` accepts). */
  onTag: boolean;
  event: string | null;
  actor: string | null;
  triggeringActor: string | null;
  status: string;
  conclusion: string | null;
  runAttempt: number;
  startedAt: Date | null;
  /** When GitHub last updated the run: its end once completed. */
  updatedAt: Date;
}

function how(r: ReleaseRunView): string {
  switch (r.event) {
    case 'push':
      return r.onTag ? 'a push of the tag' : `a push to ${code(r.headBranch ?? 'a branch')}`;
    case 'workflow_dispatch':
      return 'a workflow_dispatch (Run workflow, or a tool such as semantic-release)';
    case 'release':
      return 'a GitHub release being published';
    case 'schedule':
      return 'its schedule';
    case null:
      return 'GitHub';
    default:
      return `a ${code(r.event)} event`;
  }
}

const runLink = (r: ReleaseRunView) => {
  const label = `${r.workflowName}${r.runNumber !== null ? ` #${r.runNumber}` : ''}`;
  return r.url ? link(r.url, label) : esc(label);
};

function what(r: ReleaseRunView): string {
  if (r.onTag && r.headBranch) return `Release ${code(r.headBranch)} of *${esc(r.repoName)}*`;
  return `A release run of *${esc(r.repoName)}*${r.headBranch ? ` on ${code(r.headBranch)}` : ''}`;
}

function outcome(r: ReleaseRunView): { emoji: string; words: string } {
  const took = r.startedAt ? duration(r.updatedAt.getTime() - r.startedAt.getTime()) : null;
  const after = took ? ` after ${took}` : '';
  switch (r.conclusion) {
    case 'success':
      return { emoji: ':white_check_mark:', words: `succeeded${took ? ` in ${took}` : ''}` };
    case 'failure':
      return { emoji: ':x:', words: `failed${after}` };
    case 'timed_out':
      return { emoji: ':x:', words: `timed out${after}` };
    case 'startup_failure':
      return { emoji: ':x:', words: 'could not start (startup failure: check the workflow file)' };
    case 'cancelled':
      return { emoji: ':no_entry_sign:', words: `was cancelled${after}` };
    default:
      return { emoji: ':grey_question:', words: `ended: ${esc(r.conclusion ?? 'no conclusion')}${after}` };
  }
}

export function releaseRunMessage(r: ReleaseRunView): SlackText {
  const by = r.actor ? ` (${esc(r.actor)})` : '';
  const rerun =
    r.runAttempt > 1 ? ` Re-run, attempt ${r.runAttempt}${r.triggeringActor && r.triggeringActor !== r.actor ? `, by ${esc(r.triggeringActor)}` : ''}.` : '';
  const started = `started on GitHub, not from Slack: ${how(r)}${by}.${rerun}`;
  let text: string;
  if (r.status === 'completed') {
    const o = outcome(r);
    text = `${o.emoji} ${what(r)} ${o.words}: ${runLink(r)}. It was ${started}`;
  } else {
    text = `:rocket: ${what(r)} ${started} ${runLink(r)} is ${r.status === 'queued' || r.status === 'waiting' || r.status === 'pending' ? 'waiting' : 'running'}; this message says how it ends.`;
  }
  return { text, blocks: [...section(text), context('`alerts.release` in the configuration says which runs not started from Slack are announced here.')] };
}
