import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as subteamMembersChanged from './subteamMembersChanged.js';
import * as messageLeak from './messageLeak.js';

export function register(app: App, deps: AppDeps): void {
  subteamMembersChanged.register(app, deps);
  messageLeak.register(app, deps);
}
