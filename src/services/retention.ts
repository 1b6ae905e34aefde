import type { AppDeps } from '../deps.js';
import type { Job } from '../store/index.js';
import type { JobHandler, JobResult } from '../worker/runner.js';

/**
 * The store's housekeeping: one job for all replicas (its dedupe key), run at every
 * start and then hourly by whoever holds it, so expired saved reports, finished jobs
 * and spent one-time links do not pile up between deployments.
 */
export const RETENTION_JOB = 'store.retention';
const DEDUPE_KEY = 'store:retention';
export const RETENTION_EVERY_MS = 3_600_000;

/** At start-up: make sure the job exists, and run it now. */
export async function ensureRetentionJob(deps: AppDeps): Promise<void> {
  await deps.store.jobs.enqueue({ kind: RETENTION_JOB, payload: {}, dedupeKey: DEDUPE_KEY, runAt: deps.now(), sooner: true }, deps.now());
}

export function retentionJob(deps: AppDeps): JobHandler {
  return {
    kind: RETENTION_JOB,
    leaseSeconds: 30,
    async run(_job: Job): Promise<JobResult> {
      try {
        const purged = await deps.store.retention.purge(deps.now());
        deps.logger.info({ purged }, 'store retention: purged');
      } catch (e) {
        // A failed purge must not end the schedule: the next hour catches up.
        deps.logger.error({ err: e }, 'store retention: the purge failed');
      }
      return { kind: 'again', at: new Date(deps.now().getTime() + RETENTION_EVERY_MS) };
    },
  };
}
