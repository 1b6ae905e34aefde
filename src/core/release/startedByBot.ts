import type { RunFact } from '../events/facts.js';

/**
 * Which release-workflow runs the bot started itself: what the release announcements
 * (core/events/releaseAnnouncement.ts) and the Home tab's last release (core/home/dashboard.ts)
 * leave out or take as the bot's.
 */

/** What is read of a run (a RunFact or a projection row). */
export type AnnouncedRun = Pick<RunFact, 'runId' | 'event' | 'headBranch' | 'headSha' | 'status' | 'conclusion' | 'runAttempt' | 'createdAt'>;

/** What it reads of a release the bot started (store/releases.ts Release). */
export interface BotRelease {
  tag: string;
  sha: string;
  runId: number | null;
  createdAt: Date;
  dispatchSentAt: Date | null;
}

/** How long before the `/release` request a run may be created and still be its run (releaseFollower.ts findDispatchedRun). */
const DISPATCH_SLACK_MS = 60_000;

/**
 * Whether the bot started this run: a release of the bot knows its id, or sent a dispatch
 * whose run it has not found yet and this run is what that dispatch makes (a
 * workflow_dispatch run of the tag's commit, created after the request: the follower's rule).
 */
export function startedByBot(run: AnnouncedRun, releases: readonly BotRelease[]): boolean {
  return releases.some((r) => {
    if (r.runId !== null) return r.runId === run.runId;
    return (
      r.dispatchSentAt !== null &&
      run.event === 'workflow_dispatch' &&
      run.headBranch === r.tag &&
      run.headSha === r.sha &&
      run.createdAt !== null &&
      run.createdAt.getTime() >= r.createdAt.getTime() - DISPATCH_SLACK_MS
    );
  });
}
