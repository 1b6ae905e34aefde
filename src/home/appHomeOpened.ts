import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { renderHome } from '../ui/home.js';
import { callSlack } from '../slack/slackErrors.js';
import { homeModel } from '../services/home.js';
import { homeOpened } from '../services/homeRepublish.js';

/**
 * The Home tab is built when it is opened, from the store alone (services/home.ts): no GitHub
 * request, so it is as current as the projection. Opening it also starts (or renews) that
 * person's watch: for a day, what changes on it is published again (services/homeRepublish.ts).
 */
export function register(app: App, deps: AppDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await homeOpened(deps, event.user);
    const model = await homeModel(deps, client, event.user);
    await callSlack('show the Home tab', () => client.views.publish({ user_id: event.user, view: renderHome(model) }));
  });
}
