import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../../deps.js';
import { needsWatching } from '../../core/rotation/decide.js';
import { ROTATION_TICK, ROTATION_WATCH } from '../../core/rotation/jobs.js';
import { GitHubLook } from '../../core/events/followLook.js';
import type { Job } from '../../store/index.js';
import type { JobHandler, JobResult } from '../../worker/runner.js';
import { VERIFY_TAKEOVER_MS } from '../rotationVerify.js';
import { render } from './slack.js';
import { watchOnce } from './watch.js';
import { deleteRetrySeconds, WATCH_SECONDS } from './watchSchedule.js';

const Payload = z.object({
  rotationId: z.string(),
  render: z.boolean().optional(),
  deleteFailures: z.number().int().min(0).optional(),
  /** The watch's last read of the verification run from GitHub (core/events/followLook.ts). */
  lastGitHubLook: GitHubLook.nullable().optional(),
});

export function rotationWatcher(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: ROTATION_WATCH,
    leaseSeconds: 15,
    async run(job: Job): Promise<JobResult> {
      const { rotationId, deleteFailures = 0, lastGitHubLook = null } = Payload.parse(job.payload);
      const follow = { lastGitHubLook };
      const { rotation: r, deleteFailed } = await watchOnce(deps, client, rotationId, follow);
      if (!r || !needsWatching(r)) return { kind: 'done' };
      const failures = deleteFailed ? deleteFailures + 1 : 0;
      const seconds = failures > 0 ? deleteRetrySeconds(failures) : r.state.changeStatus ? WATCH_SECONDS.approval : WATCH_SECONDS.run;
      let at = deps.now().getTime() + seconds * 1000;
      // A re-run asked for but not seen on GitHub: look again as soon as it may be asked for again.
      const v = r.state.verify;
      if (v.state === 'starting' && v.method === 'rerun' && v.startedAt)
        at = Math.min(at, Math.max(deps.now().getTime() + 1000, Date.parse(v.startedAt) + VERIFY_TAKEOVER_MS + 500));
      return { kind: 'again', at: new Date(at), payload: { rotationId, deleteFailures: failures, lastGitHubLook: follow.lastGitHubLook } };
    },
  };
}

/** Runs a rotation's step right away after an event elsewhere (its approval request moved), or re-renders its message. */
export function rotationTicker(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: ROTATION_TICK,
    leaseSeconds: 15,
    async run(job: Job): Promise<JobResult> {
      const { rotationId, render: only } = Payload.parse(job.payload);
      if (only) {
        const r = await deps.store.rotations.get(rotationId);
        if (r) await render(deps, client, r);
        return { kind: 'done' };
      }
      await watchOnce(deps, client, rotationId);
      return { kind: 'done' };
    },
  };
}
