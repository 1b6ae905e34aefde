import type { AppDeps } from '../../deps.js';
import { ROTATION_WATCH } from '../../core/rotation/jobs.js';
import type { Rotation } from '../../core/rotation/state.js';
import type { EnqueueOptions } from '../../store/jobs.js';

/** How often a rotation that waits on an approval or a run is looked at (besides the ticks its events cause). */
export const WATCH_SECONDS = { approval: 30, run: 15 } as const;

/** A mirror that keeps refusing to delete the old key is asked less and less often: 15 s, 30 s, … at most hourly. */
export function deleteRetrySeconds(failures: number): number {
  return Math.min(WATCH_SECONDS.run * 2 ** Math.max(0, failures - 1), 3600);
}

/** One watch per rotation: the key a delivery about its verification run wakes it by. */
export const watchDedupeKey = (rotationId: string) => `rotation-watch:${rotationId}`;

/** The watch of a rotation that waits on something (written with the step that made it wait). */
export function watchJob(deps: AppDeps, r: Pick<Rotation, 'id' | 'state'>): EnqueueOptions {
  const seconds = r.state.changeStatus ? WATCH_SECONDS.approval : WATCH_SECONDS.run;
  // `sooner`: a watch queued for the slower approval pace is brought forward once a run is to be followed.
  return {
    kind: ROTATION_WATCH,
    payload: { rotationId: r.id },
    dedupeKey: watchDedupeKey(r.id),
    runAt: new Date(deps.now().getTime() + seconds * 1000),
    sooner: true,
  };
}
