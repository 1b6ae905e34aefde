import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as shareSyncReport from './shareSyncReport.js';
import * as releaseConfirm from './releaseConfirm.js';
import * as secretDecision from './secretDecision.js';
import * as staleButton from './staleButton.js';

export function register(app: App, deps: AppDeps): void {
  shareSyncReport.register(app, deps);
  releaseConfirm.register(app, deps);
  secretDecision.register(app, deps);
  // Last: answers clicks that no listener above knows.
  staleButton.register(app, deps);
}
