import { createHash } from 'node:crypto';
import type { JobInfo, WorkflowRunInfo } from '../ports.js';
import { nextPollSeconds } from './pollSchedule.js';
import type { ProgressMemory } from './progressMemory.js';
import { FAILED_STATES, progressState, type FollowedRelease, type JobProgress, type ReleaseProgressState } from './progressState.js';

export { ProgressMemory, emptyProgressMemory } from './progressMemory.js';
export type { FollowedRelease } from './progressState.js';
export { POLL, nextPollSeconds } from './pollSchedule.js';

/**
 * Following a dispatched release: each poll, the caller fetches the run and its jobs and
 * asks planProgress what to say. Derived state in, actions out; the caller performs them
 * in order (chat.update of the main message, chat.postMessage in its thread) and stores
 * the memory for the next poll.
 *
 * The messages come from a renderer the caller passes (ui/releaseProgress.ts, bound in
 * services/releaseProgress.ts): the plan compares fingerprints of what would be shown,
 * so it needs the rendering, but the core does not word anything itself.
 */

/** How a state is shown: the main message, and the thread reply for a failed job. */
export interface ProgressRenderer<M> {
  main(state: ReleaseProgressState): M;
  failure(state: ReleaseProgressState, job: JobProgress): M;
}

export type ProgressAction<M> = { kind: 'update_main'; message: M } | { kind: 'thread_reply'; jobId: number; message: M } | { kind: 'finish' };

export interface ProgressPlan<M> {
  actions: ProgressAction<M>[];
  /** The memory once every action is done (see applyAction for partial success). */
  memory: ProgressMemory;
  /** null once finished. */
  nextPollSeconds: number | null;
}

/**
 * Replies posted per poll at most: a matrix of failed jobs becomes a trickle the thread
 * (and Slack's one-message-a-second pace) can take; the rest follow on the next polls,
 * and `finish` waits for them.
 */
export const MAX_REPLIES_PER_POLL = 10;

/** A short, stable fingerprint of a message, so memory stays small whatever the number of jobs. */
export function fingerprint(message: unknown): string {
  return createHash('sha256').update(JSON.stringify(message)).digest('base64url');
}

/**
 * Memory after one action was done. The caller that sees an action fail stores the fold of
 * the ones that succeeded over the previous memory: nothing is lost, nothing is posted twice.
 * For a strict at-most-once reply across crashes, store `applyAction(memory, reply)` before
 * posting the reply.
 */
export function applyAction<M>(memory: ProgressMemory, action: ProgressAction<M>): ProgressMemory {
  switch (action.kind) {
    case 'update_main':
      return { ...memory, lastRendered: fingerprint(action.message) };
    case 'thread_reply':
      return memory.postedFailureJobIds.includes(action.jobId) ? memory : { ...memory, postedFailureJobIds: [...memory.postedFailureJobIds, action.jobId] };
    case 'finish':
      return { ...memory, finished: true };
  }
}

/**
 * The first message, posted with chat.postMessage right after the dispatch, and the memory
 * that goes with it (so the first poll does not repeat it).
 */
export function startProgressWith<M>(
  render: ProgressRenderer<M>,
  release: FollowedRelease,
  now: Date,
): { message: M; memory: ProgressMemory; nextPollSeconds: number } {
  const message = render.main(progressState(release, null, []));
  const seconds = nextPollSeconds({ phase: 'dispatched', changed: true, previousSeconds: undefined }) as number;
  return {
    message,
    memory: { postedFailureJobIds: [], finished: false, lastRendered: fingerprint(message), lastPollSeconds: seconds, lastChangeAt: now.toISOString() },
    nextPollSeconds: seconds,
  };
}

export function planProgressWith<M>(
  render: ProgressRenderer<M>,
  o: { release: FollowedRelease; run: WorkflowRunInfo | null; jobs: JobInfo[]; memory: ProgressMemory; now: Date },
): ProgressPlan<M> {
  if (o.memory.finished) return { actions: [], memory: o.memory, nextPollSeconds: null };
  const state = progressState(o.release, o.run, o.jobs);
  const actions: ProgressAction<M>[] = [];

  const main = render.main(state);
  if (fingerprint(main) !== o.memory.lastRendered) actions.push({ kind: 'update_main', message: main });

  const posted = new Set(o.memory.postedFailureJobIds);
  const unposted = state.jobs.filter((j) => FAILED_STATES.has(j.state) && !posted.has(j.id));
  for (const job of unposted.slice(0, MAX_REPLIES_PER_POLL)) {
    actions.push({ kind: 'thread_reply', jobId: job.id, message: render.failure(state, job) });
  }
  const repliesLeft = unposted.length > MAX_REPLIES_PER_POLL;
  if (state.phase === 'completed' && !repliesLeft) actions.push({ kind: 'finish' });

  const changed = actions.length > 0;
  const seconds = repliesLeft
    ? nextPollSeconds({ phase: 'running', changed: true, previousSeconds: undefined })
    : nextPollSeconds({ phase: state.phase, changed, previousSeconds: o.memory.lastPollSeconds });
  const done = actions.reduce<ProgressMemory>(applyAction, o.memory);
  const memory: ProgressMemory = {
    ...done,
    ...(seconds !== null ? { lastPollSeconds: seconds } : {}),
    ...(changed ? { lastChangeAt: o.now.toISOString() } : {}),
  };
  return { actions, memory, nextPollSeconds: seconds };
}
