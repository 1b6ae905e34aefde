import { loadConfig } from './config/load.js';
import { ConfigError, CredentialRefusedError, isChatOpsError } from './errors.js';
import { GitHubClients } from './github/clients.js';
import { GitHubGateways } from './github/gateways.js';
import { createLogger } from './log/logger.js';
import { Sanitizer } from './log/sanitizer.js';
import { openStore } from './store/index.js';
import { createChatOpsApp } from './app.js';
import { AccessResolver } from './services/access.js';
import { credentialChecks, runStartupChecks } from './services/startupChecks.js';

const sanitizer = new Sanitizer();

/**
 * `npm start`: configuration, logs, store, GitHub clients; the HTTP server listens; each
 * credential is checked with its host (waiting, with /readyz at 503, for a host that does
 * not answer; exit 2 for a refused one); then the Slack app, the worker, and ready.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = await loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`release-chatops cannot start.\n${e.userMessage}\nSee README.md, "Configuration".`);
      process.exit(2);
    }
    throw e;
  }
  for (const credential of config.credentials) sanitizer.register(credential);
  const logger = createLogger({ level: config.env.LOG_LEVEL, sanitizer });
  // A stray rejection must not take every in-flight command down with the process.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  const store = await openStore({ databaseUrl: config.env.DATABASE_URL, logger });
  await store.reports.purgeExpired(new Date());
  const github = new GitHubClients({ config, logger });
  const chatops = createChatOpsApp({
    config,
    store,
    github,
    gateways: new GitHubGateways(github),
    logger,
    sanitizer,
    now: () => new Date(),
    access: new AccessResolver(),
  });
  const mode = config.env.SLACK_APP_TOKEN ? 'socket' : 'http';
  const checking = new AbortController();

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    checking.abort(new Error(`stopped by ${signal}`));
    chatops
      .stop()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  const { port } = await chatops.listen();
  logger.info({ port, mode }, 'listening; checking credentials before serving Slack (/readyz answers 503 meanwhile)');
  try {
    await runStartupChecks(credentialChecks(config, { github, logger }), { status: chatops.startup, logger, signal: checking.signal });
  } catch (e) {
    if (checking.signal.aborted) return; // shutting down
    if (e instanceof CredentialRefusedError) {
      logger.error({ credential: e.variable, url: e.url }, 'a credential was refused; stopping');
      console.error(`release-chatops cannot start.\n${sanitizer.scrub(e.userMessage)}\nSee README.md, "Configuration".`);
      process.exit(2);
    }
    throw e;
  }
  await chatops.run();
  logger.info({ port, mode, store: store.dialect }, 'release-chatops is running');
}

main().catch((e: unknown) => {
  // Only the message, scrubbed: a stack or a raw error may carry request details.
  console.error(`release-chatops stopped: ${sanitizer.scrub(isChatOpsError(e) ? e.userMessage : e instanceof Error ? e.message : String(e))}`);
  process.exit(1);
});
