import { z } from 'zod';

/**
 * Where a follower of one run (a release's run, a rotation's verification run) reads it
 * from: the projection that webhook deliveries keep (store, no GitHub request), or GitHub.
 *
 * The freshness rule. The projection is trusted for the run when all of these hold:
 * - webhooks reach the bot (without them the projection is only as fresh as the poller's
 *   last look, so the follower reads GitHub on its own back-off, conditionally, as before);
 * - it holds the run, at its first attempt (a re-run's jobs are not told apart from the
 *   earlier attempt's in the projection, so a re-run is read from GitHub);
 * - it is not older than what the follower last saw on GitHub (attempt, then update time),
 *   nor missing a run GitHub showed: a look that found GitHub ahead means deliveries were
 *   lost, and GitHub is read on the back-off until the projection has caught up;
 * - GitHub was looked at (or the follow began) less than `fallbackSeconds` ago: past that,
 *   one look at GitHub checks that no delivery was missed (GitHub does not redeliver), the
 *   same pace as the events poller's reconciling (`events.reconcileSeconds`);
 * - if it says the run completed, it has every job of the run completed too.
 * A run not in the projection yet is waited for (its `workflow_run` delivery wakes the
 * follower) until the fallback look is due. Between looks the follower is woken by the
 * deliveries about its run, not by a timer.
 */

export const RunVersion = z.object({ attempt: z.number().int().positive(), updatedAt: z.string() });
export type RunVersion = z.infer<typeof RunVersion>;

/** The follower's last look at GitHub: when, and the run's version it saw (null: no run found). */
export const GitHubLook = z.object({ at: z.string(), run: RunVersion.nullable() });
export type GitHubLook = z.infer<typeof GitHubLook>;

export interface FollowLookInput {
  now: string;
  webhooks: boolean;
  /** With webhooks: how long the projection is trusted without a look at GitHub. */
  fallbackSeconds: number;
  /** When the follow began: the reference for the first fallback look. */
  followingSince: string;
  lastGitHubLook: GitHubLook | null;
  /** The projection's row of the run (null: no delivery about it applied yet). */
  projected: RunVersion | null;
  /**
   * The projection says the run completed while one of its jobs is still going: a job's
   * delivery was lost (GitHub sends a job's end before its run's), so GitHub is read.
   */
  jobsBehindRun?: boolean;
  /** The caller takes each job's latest attempt itself (the newest job id per name), so a re-run can be read from the projection. */
  rerunsToldApart?: boolean;
}

export type FollowLookWhy =
  'no_webhooks' | 'projection_fresh' | 'waiting_for_delivery' | 'fallback_due' | 'projection_behind_github' | 'rerun_attempt' | 'jobs_behind_run';

export interface FollowLook {
  /** `wait`: nothing to read yet; the message stays as it is. */
  source: 'projection' | 'github' | 'wait';
  why: FollowLookWhy;
  /** With `projection` or `wait`: when GitHub is looked at if no delivery comes first. */
  fallbackAt: string | null;
}

/** True when `a` is an older version of the run than `b`. */
export function olderRun(a: RunVersion, b: RunVersion): boolean {
  return a.attempt !== b.attempt ? a.attempt < b.attempt : Date.parse(a.updatedAt) < Date.parse(b.updatedAt);
}

export function planFollowLook(i: FollowLookInput): FollowLook {
  const github = (why: FollowLookWhy): FollowLook => ({ source: 'github', why, fallbackAt: null });
  if (!i.webhooks) return github('no_webhooks');
  const since = i.lastGitHubLook?.at ?? i.followingSince;
  const fallbackAt = new Date(Date.parse(since) + i.fallbackSeconds * 1000).toISOString();
  const due = Date.parse(i.now) >= Date.parse(fallbackAt);
  const seen = i.lastGitHubLook?.run ?? null;
  // GitHub showed the run (or a newer state of it) that no delivery brought: deliveries are being lost.
  if (seen && (!i.projected || olderRun(i.projected, seen))) return github('projection_behind_github');
  if (i.projected && i.projected.attempt > 1 && !i.rerunsToldApart) return github('rerun_attempt');
  if (i.projected && i.jobsBehindRun) return github('jobs_behind_run');
  if (due) return github('fallback_due');
  if (!i.projected) return { source: 'wait', why: 'waiting_for_delivery', fallbackAt };
  return { source: 'projection', why: 'projection_fresh', fallbackAt };
}

/**
 * Seconds until the follower looks again when no delivery wakes it: the progress plan's
 * back-off after a GitHub read, the fallback look otherwise (deliveries wake it sooner).
 * Null when the progress plan says the run is over.
 */
export function followNextSeconds(look: FollowLook, progressSeconds: number | null, now: string): number | null {
  if (progressSeconds === null) return null;
  if (look.source === 'github' || look.fallbackAt === null) return progressSeconds;
  return Math.max(1, Math.ceil((Date.parse(look.fallbackAt) - Date.parse(now)) / 1000));
}
