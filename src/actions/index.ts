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
import * as rotationPickKey from './rotationPickKey.js';
import * as tagAlertRelease from './tagAlertRelease.js';
import * as staleButton from './staleButton.js';
import { ActionRouter } from './router.js';

/** Every button's listener, behind one Bolt listener (see router.ts). */
export function register(app: App, deps: AppDeps): void {
  actionRouter(deps).mount(app, deps.logger);
}

/** The router with every button's listener (and the stale-button answer for the rest). */
export function actionRouter(deps: AppDeps): ActionRouter {
  const router = new ActionRouter();
  for (const surface of [
    shareSyncReport,
    releaseConfirm,
    secretDecision,
    rotationEnter,
    rotationGenerate,
    rotationNext,
    rotationCancel,
    rotationOld,
    rotationRetryVerify,
    rotationStart,
    rotationMaskedPage,
    rotationPickKey,
    tagAlertRelease,
  ])
    surface.register(router, deps);
  // Answers clicks that no listener above knows.
  staleButton.register(router, deps);
  return router;
}
