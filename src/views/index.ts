import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as staleView from './staleView.js';

export function register(app: App, deps: AppDeps): void {
  staleView.register(app, deps);
}
