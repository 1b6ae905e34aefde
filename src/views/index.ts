import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as secretValue from './secretValue.js';
import * as rotationOldToken from './rotationOldToken.js';
import * as staleView from './staleView.js';

export function register(app: App, deps: AppDeps): void {
  secretValue.register(app, deps);
  rotationOldToken.register(app, deps);
  staleView.register(app, deps);
}
