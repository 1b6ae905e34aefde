import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { AppDeps } from './deps.js';
import { slackLogger } from './log/logger.js';
import { customRoutes } from './http/routes.js';
import { registerErrorHandler } from './errorHandler.js';
import * as commands from './commands/index.js';
import * as actions from './actions/index.js';
import * as views from './views/index.js';
import * as home from './home/index.js';
import * as events from './events/index.js';
import { Worker } from './worker/runner.js';
import { releaseFollower } from './services/releaseFollower.js';
import { releaseDispatcher } from './services/releaseDispatch.js';
import { secretApplier, secretExpirer, secretMessenger } from './services/secretApply.js';
import { rotationTicker, rotationWatcher } from './services/rotation.js';
import { ensureReminderJob, reminderScheduler } from './services/reminders.js';

export interface ChatOpsApp {
  app: App;
  /** Runs leased background jobs (following releases…) from the store. */
  worker: Worker;
  /** Starts serving; resolves with the HTTP port actually bound (PORT=0 picks a free one). */
  start(port?: number): Promise<{ port: number }>;
  stop(): Promise<void>;
}

/** Wires the Bolt app: receiver, listeners by surface, one error handler. No logic here. */
/** `workerIdleMs`: how often the background worker looks for due jobs when idle. */
export function createChatOpsApp(baseDeps: AppDeps, o: { workerIdleMs?: number } = {}): ChatOpsApp {
  // Listeners that enqueue a job wake this replica's worker instead of waiting for its next tick.
  // (`worker` is created below; wake is only ever called by listeners, after that.)
  const deps: AppDeps = { ...baseDeps, wake: () => worker.kick() };
  const { env } = deps.config;
  const logger = slackLogger(deps.logger, 'bolt');
  const routes = customRoutes(deps, () => app.client);
  let server: Server | undefined;

  const receiver: Receiver = env.SLACK_APP_TOKEN
    ? new SocketModeReceiver({
        appToken: env.SLACK_APP_TOKEN,
        customRoutes: routes,
        // The Socket Mode client has a Web API client of its own (apps.connections.open): same base URL.
        installerOptions: { port: env.PORT, clientOptions: { slackApiUrl: env.SLACK_API_URL } },
        logger,
      })
    : new HTTPReceiver({ signingSecret: env.SLACK_SIGNING_SECRET ?? '', endpoints: '/slack/events', customRoutes: routes, logger });

  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    receiver,
    logger,
    deferInitialization: true,
    extendedErrorHandler: true,
    clientOptions: { slackApiUrl: env.SLACK_API_URL, logger: slackLogger(deps.logger, 'slack-web-api') },
  });

  commands.register(app, deps);
  actions.register(app, deps);
  views.register(app, deps);
  home.register(app, deps);
  events.register(app, deps);
  registerErrorHandler(app, deps);
  const worker = new Worker({
    store: deps.store,
    handlers: [releaseDispatcher(deps, app.client), releaseFollower(deps, app.client), secretApplier(deps, app.client), secretExpirer(deps, app.client), secretMessenger(deps, app.client), rotationTicker(deps, app.client), rotationWatcher(deps, app.client), reminderScheduler(deps, app.client)],
    logger: deps.logger,
    idleMs: o.workerIdleMs ?? 1000,
    now: deps.now,
  });

  return {
    app,
    worker,
    async start(port = env.PORT) {
      await app.init();
      await ensureReminderJob(deps);
      worker.start();
      if (receiver instanceof HTTPReceiver) {
        server = await receiver.start(port);
        return { port: (server.address() as AddressInfo).port };
      }
      // Socket Mode: health routes are served on PORT by the receiver's own server.
      await app.start();
      return { port: env.PORT };
    },
    async stop() {
      await worker.stop();
      await app.stop();
    },
  };
}
