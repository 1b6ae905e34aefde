import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import * as shareSyncReport from './shareSyncReport.js';
import * as releaseConfirm from './releaseConfirm.js';
import * as secretDecision from './secretDecision.js';
import * as rotationEnter from './rotationEnter.js';
import * as rotationGenerate from './rotationGenerate.js';
import * as rotationNext from './rotationNext.js';
import * as rotationCancel from './rotationCancel.js';
import * as rotationOld from './rotationOld.js';
import * as rotationRetryVerify from './rotationRetryVerify.js';
import * as rotationStart from './rotationStart.js';
import * as rotationMaskedPage from './rotationMaskedPage.js';
import * as staleButton from './staleButton.js';

export function register(app: App, deps: AppDeps): void {
  shareSyncReport.register(app, deps);
  releaseConfirm.register(app, deps);
  secretDecision.register(app, deps);
  rotationEnter.register(app, deps);
  rotationGenerate.register(app, deps);
  rotationNext.register(app, deps);
  rotationCancel.register(app, deps);
  rotationOld.register(app, deps);
  rotationRetryVerify.register(app, deps);
  rotationStart.register(app, deps);
  rotationMaskedPage.register(app, deps);
  // Last: answers clicks that no listener above knows.
  staleButton.register(app, deps);
}
