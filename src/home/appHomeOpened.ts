import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { renderHome } from '../ui/home.js';
import { callSlack } from '../slack/slackErrors.js';

export function register(app: App, deps: AppDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await callSlack('show the Home tab', () => client.views.publish({ user_id: event.user, view: renderHome(deps.config.repos) }));
  });
}
