import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { JobHandler } from '../worker/runner.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderHome } from '../ui/home.js';
import { homeModel } from './home.js';

/**
 * The Home tab republished when the projection changes in a way it shows (a sync run
 * completed, a release run started or ended), for the people who opened it within
 * WATCH_HOURS. Who opened it and when is this job's payload: one leased job per person
 * (dedupe key), waiting until that person's watch ends; a change brings every such job
 * forward to COALESCE_MS from then, so a burst of changes makes one views.publish per
 * person, at most one every COALESCE_MS.
 */
export const HOME_REPUBLISH_KIND = 'home.republish';
export const homeRepublishKey = (user: string) => `home-republish:${user}`;
export const WATCH_HOURS = 24;
export const COALESCE_MS = 3000;

const Payload = z.strictObject({ user: z.string().min(1), openedAt: z.number().int() });

const watchEnds = (openedAt: number) => new Date(openedAt + WATCH_HOURS * 3600_000);

/** `user` opened the Home tab now: their Home follows the projection's changes for WATCH_HOURS. */
export async function homeOpened(deps: AppDeps, user: string): Promise<void> {
  const now = deps.now();
  const payload = { user, openedAt: now.getTime() };
  const key = homeRepublishKey(user);
  // An unfinished job keeps its run time (a change may have brought it forward): only who and when is renewed.
  if (await deps.store.jobs.replacePayload(key, payload, now)) return;
  await deps.store.jobs.enqueue({ kind: HOME_REPUBLISH_KIND, payload, dedupeKey: key, runAt: watchEnds(payload.openedAt) }, now);
}

/** Something the Home shows changed: each watcher's Home is published again COALESCE_MS from now (if not due sooner). */
export async function homeChanged(deps: AppDeps): Promise<void> {
  const now = deps.now();
  await deps.store.jobs.bringForwardKind(HOME_REPUBLISH_KIND, new Date(now.getTime() + COALESCE_MS), now);
}

export function homeRepublisher(deps: AppDeps, client: WebClient): JobHandler {
  return {
    kind: HOME_REPUBLISH_KIND,
    leaseSeconds: 30,
    async run(job) {
      const { user, openedAt } = Payload.parse(job.payload);
      const ends = watchEnds(openedAt);
      // Due at the end of the watch with nothing changed since: the person has not looked for a day.
      if (deps.now() >= ends) return { kind: 'done' };
      const model = await homeModel(deps, client, user);
      await callSlack('republish the Home tab', () => client.views.publish({ user_id: user, view: renderHome(model) }));
      // No payload: one written by a new open while this ran is kept (and its watch is then the one that counts).
      return { kind: 'again', at: ends };
    },
  };
}
