import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';

/** A user group's membership changed: forget its cached members, so access follows at once. */
export function register(app: App, deps: AppDeps): void {
  app.event('subteam_members_changed', async ({ event }) => {
    deps.access.invalidate(event.subteam_id);
  });
}
