import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as appHomeOpened from './appHomeOpened.js';

export function register(app: App, deps: AppDeps): void {
  appHomeOpened.register(app, deps);
}
