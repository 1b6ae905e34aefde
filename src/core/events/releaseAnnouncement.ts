import type { AlertsConfig } from '../../config/schema.js';
import type { AnnouncedRun } from '../release/startedByBot.js';

/**
 * Release-workflow runs the bot did not start (semantic-release's dispatch, a tag push,
 * someone on the Actions tab), announced in the repository's channel per `alerts.release`:
 * `all`: a message when the run is first seen, edited as it goes on (it completes, it is
 * re-run); `failures` (the default): a message only when it completes failed (failure,
 * timed_out, startup_failure: a cancelled run is someone's decision, not news), edited after
 * if it is re-run; `off`: nothing. One message per run, ever.
 */

/** Conclusions `alerts.release: failures` announces. */
export const FAILED_CONCLUSIONS: ReadonlySet<string> = new Set(['failure', 'timed_out', 'startup_failure']);

/** What a message shows of a run: its attempt, and whether it is running or how it ended. */
export function shownKey(run: Pick<AnnouncedRun, 'status' | 'conclusion' | 'runAttempt'>): string {
  return run.status === 'completed' ? `${run.runAttempt}:completed:${run.conclusion ?? 'none'}` : `${run.runAttempt}:running`;
}

/** Later attempts are further along; within one, completed is after running. */
function rankOf(key: string): number {
  const [attempt, phase] = key.split(':');
  return Number(attempt) * 2 + (phase === 'completed' ? 1 : 0);
}

export type ReleaseAnnouncementAction =
  /** No message for this run yet: claim it, post one showing `shown`. */
  | { kind: 'post'; shown: string }
  /** The run moved on from what its message shows: edit that message. */
  | { kind: 'edit'; from: string; shown: string }
  | { kind: 'none'; why: 'off' | 'bot' | 'seen' | 'quiet' | 'no_message' };

/**
 * One fact about a release-workflow run against the message standing for it (`prev`: its
 * stored row; `posted` false when the bot stopped between claiming and Slack's answer, so
 * there is no ts to edit). The same fact applied again, or an older one, changes nothing.
 */
export function decideReleaseAnnouncement(o: {
  level: AlertsConfig['release'];
  botStarted: boolean;
  run: Pick<AnnouncedRun, 'status' | 'conclusion' | 'runAttempt'>;
  prev: { shown: string; posted: boolean } | null;
}): ReleaseAnnouncementAction {
  if (o.level === 'off') return { kind: 'none', why: 'off' };
  if (o.botStarted) return { kind: 'none', why: 'bot' };
  const shown = shownKey(o.run);
  if (o.prev) {
    if (rankOf(shown) <= rankOf(o.prev.shown)) return { kind: 'none', why: 'seen' };
    // Never a second message for a run: without its ts the message stays as it was.
    if (!o.prev.posted) return { kind: 'none', why: 'no_message' };
    return { kind: 'edit', from: o.prev.shown, shown };
  }
  if (o.level === 'all') return { kind: 'post', shown };
  const failed = o.run.status === 'completed' && FAILED_CONCLUSIONS.has(o.run.conclusion ?? '');
  return failed ? { kind: 'post', shown } : { kind: 'none', why: 'quiet' };
}
