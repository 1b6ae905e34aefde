import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as syncStatus from './syncStatus.js';
import * as release from './release.js';
import * as secret from './secret.js';
import * as rotate from './rotate.js';

export function register(app: App, deps: AppDeps): void {
  syncStatus.register(app, deps);
  release.register(app, deps);
  secret.register(app, deps);
  rotate.register(app, deps);
}
