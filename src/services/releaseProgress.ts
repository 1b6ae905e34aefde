import type { JobInfo, WorkflowRunInfo } from '../core/ports.js';
import {
  planProgressWith,
  startProgressWith,
  type FollowedRelease,
  type ProgressAction as CoreAction,
  type ProgressPlan as CorePlan,
  type ProgressRenderer,
} from '../core/release/progress.js';
import type { ProgressMemory } from '../core/release/progressMemory.js';
import { renderJobFailure, renderReleaseProgress, type SlackMessage } from '../ui/releaseProgress.js';

export {
  applyAction,
  fingerprint,
  MAX_REPLIES_PER_POLL,
  emptyProgressMemory,
  ProgressMemory,
  POLL,
  nextPollSeconds,
  type FollowedRelease,
} from '../core/release/progress.js';

/**
 * The core's progress plan (core/release/progress.ts) with ui/'s Block Kit messages: the
 * one binding of the two, so the core decides on fingerprints without wording anything.
 */
const SLACK: ProgressRenderer<SlackMessage> = { main: renderReleaseProgress, failure: renderJobFailure };

export type ProgressAction = CoreAction<SlackMessage>;
export type ProgressPlan = CorePlan<SlackMessage>;

export function startProgress(release: FollowedRelease, now: Date): { message: SlackMessage; memory: ProgressMemory; nextPollSeconds: number } {
  return startProgressWith(SLACK, release, now);
}

export function planProgress(o: { release: FollowedRelease; run: WorkflowRunInfo | null; jobs: JobInfo[]; memory: ProgressMemory; now: Date }): ProgressPlan {
  return planProgressWith(SLACK, o);
}
