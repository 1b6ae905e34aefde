import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { AppDeps } from './deps.js';
import { slackLogger } from './log/logger.js';
import { customRoutes } from './http/routes.js';
import { registerErrorHandler } from './errorHandler.js';
import { SlackIntake } from './slack/intake.js';
import { screenHttpRequests } from './slack/httpScreen.js';
import { guardSocketEnvelopes } from './slack/socketEnvelopes.js';
import * as commands from './commands/index.js';
import * as actions from './actions/index.js';
import * as views from './views/index.js';
import * as home from './home/index.js';
import * as events from './events/index.js';
import { Worker } from './worker/runner.js';
import { timeAcks } from './metrics/ackTimer.js';
import { releaseFollower } from './services/releaseFollower.js';
import { releaseDispatcher } from './services/releaseDispatch.js';
import { secretApplier, secretExpirer, secretMessenger } from './services/secretApply.js';
import { rotationTicker, rotationWatcher } from './services/rotation/jobs.js';
import { ensureReminderJob, reminderMessenger, reminderScheduler } from './services/reminders.js';
import { ensureRetentionJob, retentionJob } from './services/retention.js';
import { StartupStatus } from './services/startupChecks.js';
import { gateUntilReady } from './http/startingGate.js';
import { eventsApplier } from './services/events/apply.js';
import { homeRepublisher } from './services/homeRepublish.js';
import { ensurePollJobs, eventsPoller } from './services/events/poller.js';
import { tagAlertChecker } from './services/events/tagAlerts.js';

export interface ChatOpsApp {
  app: App;
  /** Runs leased background jobs (following releases…) from the store. */
  worker: Worker;
  /** Ready once `run()` (or `start()`) has finished; /readyz answers 503 with its report until then. */
  startup: StartupStatus;
  /**
   * Phase 1 of `npm start`: the HTTP server listens (health, readiness; Slack requests are
   * answered "starting", see http/startingGate.ts) while main.ts checks the credentials.
   * Resolves with the HTTP port actually bound (PORT=0 picks a free one).
   */
  listen(port?: number): Promise<{ port: number }>;
  /** Phase 2: the Bolt app (auth.test), the worker and Socket Mode start; then ready. */
  run(): Promise<void>;
  /** Both phases at once (tests, the sandbox). */
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
  const startup = new StartupStatus();
  const routes = customRoutes(deps, () => app.client, startup);
  let server: Server | undefined;
  let running = false;

  const receiver: Receiver = env.SLACK_APP_TOKEN
    ? new SocketModeReceiver({
        appToken: env.SLACK_APP_TOKEN,
        customRoutes: routes,
        // The Socket Mode client has a Web API client of its own (apps.connections.open): same base URL.
        installerOptions: { port: env.PORT, clientOptions: { slackApiUrl: env.SLACK_API_URL } },
        logger,
      })
    : new HTTPReceiver({ signingSecret: env.SLACK_SIGNING_SECRET ?? '', endpoints: '/slack/events', customRoutes: routes, logger });

  // Slack requests are screened before Bolt reads them, and every one is answered in time (src/slack/).
  if (receiver instanceof HTTPReceiver)
    screenHttpRequests(receiver, { path: '/slack/events', signingSecret: env.SLACK_SIGNING_SECRET ?? '', logger: deps.logger });
  else if (receiver instanceof SocketModeReceiver) guardSocketEnvelopes(receiver, deps.logger);
  const intake = new SlackIntake(deps);
  // Outermost: until the start-up checks pass, Slack requests get a "starting" answer.
  if (receiver instanceof HTTPReceiver) gateUntilReady(receiver, startup);

  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    receiver,
    logger,
    deferInitialization: true,
    extendedErrorHandler: true,
    clientOptions: { slackApiUrl: env.SLACK_API_URL, logger: slackLogger(deps.logger, 'slack-web-api') },
  });

  intake.mount(app);
  // Outermost, so the time to ack includes the intake's screening and every path that acks (junk, repeats).
  timeAcks(app);
  commands.register(app, deps);
  actions.register(app, deps);
  views.register(app, deps);
  home.register(app, deps);
  events.register(app, deps);
  registerErrorHandler(app, deps);
  const worker = new Worker({
    store: deps.store,
    handlers: [
      releaseDispatcher(deps, app.client),
      releaseFollower(deps, app.client),
      secretApplier(deps, app.client),
      secretExpirer(deps, app.client),
      secretMessenger(deps, app.client),
      rotationTicker(deps, app.client),
      rotationWatcher(deps, app.client),
      reminderScheduler(deps, app.client),
      reminderMessenger(deps, app.client),
      retentionJob(deps),
      eventsApplier(deps, app.client),
      eventsPoller(deps),
      tagAlertChecker(deps, app.client),
      homeRepublisher(deps, app.client),
    ],
    logger: deps.logger,
    idleMs: o.workerIdleMs ?? 1000,
    now: deps.now,
  });

  // Socket Mode: Bolt creates the server for custom routes (health) itself and starts it
  // together with the socket. Listening on it early lets /readyz answer during the checks;
  // without it (another Bolt version) health answers once the socket is up.
  const socketHttp = (): Server | undefined =>
    receiver instanceof SocketModeReceiver ? (receiver as unknown as { httpServer?: Server }).httpServer : undefined;
  let socketListening = false;

  const chatops: ChatOpsApp = {
    app,
    worker,
    startup,
    async listen(port = env.PORT) {
      if (receiver instanceof HTTPReceiver) {
        server = await receiver.start(port);
        return { port: (server.address() as AddressInfo).port };
      }
      // Socket Mode: health routes are served on PORT (installerOptions.port), as Bolt would.
      const http = socketHttp();
      if (!http) return { port: env.PORT };
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(env.PORT, () => resolve());
      });
      socketListening = true;
      return { port: (http.address() as AddressInfo).port };
    },
    async run() {
      await app.init();
      await intake.learnInstalledTeam(app);
      await ensureReminderJob(deps);
      await ensureRetentionJob(deps);
      await ensurePollJobs(deps);
      worker.start();
      if (receiver instanceof SocketModeReceiver) {
        if (socketListening) await receiver.client.start();
        else await app.start();
      }
      running = true;
      startup.markReady();
    },
    async start(port = env.PORT) {
      const bound = await chatops.listen(port);
      await chatops.run();
      return bound;
    },
    async stop() {
      await worker.stop();
      if (running || receiver instanceof HTTPReceiver) await app.stop();
      else if (socketListening) await new Promise<void>((resolve) => socketHttp()?.close(() => resolve()));
    },
  };
  return chatops;
}
