import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { renderHome } from '../ui/home.js';
import { callSlack } from '../slack/slackErrors.js';
import { homeModel } from '../services/home.js';

/**
 * The Home tab is built when it is opened, from the store alone (services/home.ts): no GitHub
 * request, so it is as current as the projection. It is not republished when something changes
 * for those who have it open: they see the state of when they opened it (the tab says when).
 */
export function register(app: App, deps: AppDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const model = await homeModel(deps, client, event.user);
    await callSlack('show the Home tab', () => client.views.publish({ user_id: event.user, view: renderHome(model) }));
  });
}
