import type { AppDeps } from '../../deps.js';
import type { ResolvedRepo } from '../../config/load.js';
import { watchDedupeKey } from '../rotation/watchSchedule.js';

/**
 * A run or job fact about a run the bot follows (a release it dispatched, or the run that
 * verifies a rotation's new secret) brings that
 * follower's leased job forward to now, so the message is edited within about a second of
 * the event rather than at the next poll. The follower itself keeps edits at most one a
 * second per message (releaseFollower.ts, EDIT_GAP_MS), so a burst of events coalesces.
 */
export async function wakeFollowers(deps: AppDeps, repo: ResolvedRepo, runId: number): Promise<void> {
  const now = deps.now();
  let woke = await wakeVerifications(deps, repo, runId, now);
  const run = await deps.store.githubEvents.run(repo.github, runId);
  // A dispatched release runs on its tag: the run's head branch names it.
  if (!run?.headBranch || !repo.release) {
    if (woke) deps.wake?.();
    return;
  }
  const releases = await deps.store.releases.active(repo.github, run.headBranch, now);
  for (const r of releases) {
    if (r.status !== 'dispatched' || (r.runId !== null && r.runId !== runId)) continue;
    // Only a pending follow job is moved: a wake for a follower that has ended creates nothing.
    if (await deps.store.jobs.bringForward(`release:${r.id}`, now, now)) woke = true;
  }
  if (woke) deps.wake?.();
}

/** The watch of each active rotation of this repository whose verification follows the run. */
async function wakeVerifications(deps: AppDeps, repo: ResolvedRepo, runId: number, now: Date): Promise<boolean> {
  let woke = false;
  for (const secret of repo.secrets) {
    const r = await deps.store.rotations.active(repo.github, secret.name);
    const v = r?.state.verify;
    if (!r || v?.state !== 'running' || v.runId !== runId) continue;
    if (await deps.store.jobs.bringForward(watchDedupeKey(r.id), now, now)) woke = true;
  }
  return woke;
}
