/**
 * `npm run sandbox`: the real bot against the fake Slack and fake GitHub/GHE, offline,
 * with a Slack-like page to drive it. Prints what runs where, the URL to open, and
 * then one sanitized line per request to the bot and per job it runs.
 * `npm run sandbox -- --tour`: the whole tour without a browser, as a transcript;
 * exits non-zero if a step does not do what it should.
 */
import { parseArgs } from 'node:util';
import { startSandbox, type Sandbox } from './world.js';
import { GHE_HOST } from './bot.js';
import { startSandboxUi } from './ui/server.js';
import { runTour } from './tour.js';

const HELP = `usage: npm run sandbox [-- --port N] [-- --tour]
  --port N   serve the page on 127.0.0.1:N (default: a free port)
  --tour     run the tour without a browser, print its transcript, exit 1 if a step fails
  --verbose  print the bot's log lines too`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: { tour: { type: 'boolean' }, port: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${HELP}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a port number\n${HELP}\n`);
    return 2;
  }
  const sandbox = await startSandbox({
    logLevel: args.verbose ? 'info' : 'warn',
    logSink: (line) => (args.verbose ? process.stderr.write(line) : undefined),
    // The tour prints its own transcript; the page's terminal keeps a short log of what the bot does.
    ...(args.tour ? {} : { activity: (text: string) => process.stdout.write(text) }),
  });
  if (args.tour) {
    try {
      const result = await runTour(sandbox, (line) => process.stdout.write(`${line}\n`));
      return result.ok ? 0 : 1;
    } finally {
      await sandbox.stop();
    }
  }
  const ui = await startSandboxUi(sandbox, { port });
  process.stdout.write(banner(sandbox, ui.url));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.stop();
  await sandbox.stop();
  return 0;
}

/** What runs where, then the one URL to open. No token: the fakes' addresses and the store's file only. */
function banner(s: Sandbox, url: string): string {
  return [
    'Release ChatOps sandbox: everything below runs on this machine only.',
    `  bot             ${s.bot.appUrl}  (Slack requests at /slack/events, the fake github.com's webhooks at /github/webhooks, masked pages at /enter/…)`,
    `  fake Slack      ${s.slack.apiUrl}`,
    `  fake github.com ${s.github.url}  (olreppe/pyWATS)`,
    `  fake GHE        ${s.ghe.url}  (${GHE_HOST}, WATS/pyWATS)`,
    `  store           ${s.bot.dbFile ?? 'PostgreSQL'}  (SQLite, removed on exit)`,
    '',
    `Open ${url}`,
    '',
    'What the bot is asked and the jobs it runs (Ctrl-C stops; --verbose for its full log):',
    '',
  ].join('\n');
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sandbox stopped: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
