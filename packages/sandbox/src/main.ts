/**
 * `npm run sandbox`: the real bot against the fake Slack and fake GitHub/GHE, offline,
 * with a Slack-like page to drive it. Prints one URL.
 * `npm run sandbox -- --tour`: the whole tour without a browser, as a transcript;
 * exits non-zero if a step does not do what it should.
 */
import { parseArgs } from 'node:util';
import { startSandbox } from './world.js';
import { startSandboxUi } from './ui/server.js';
import { runTour } from './tour.js';

const HELP = `usage: npm run sandbox [-- --port N] [-- --tour]
  --port N   serve the page on 127.0.0.1:N (default: a free port)
  --tour     run the tour without a browser, print its transcript, exit 1 if a step fails
  --verbose  print the bot's log lines too`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { tour: { type: 'boolean' }, port: { type: 'string' }, verbose: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } }).values;
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
  const sandbox = await startSandbox({ logLevel: args.verbose ? 'info' : 'warn', logSink: (line) => (args.verbose ? process.stderr.write(line) : undefined) });
  if (args.tour) {
    try {
      const result = await runTour(sandbox, (line) => process.stdout.write(`${line}\n`));
      return result.ok ? 0 : 1;
    } finally {
      await sandbox.stop();
    }
  }
  const ui = await startSandboxUi(sandbox, { port });
  process.stdout.write(`${ui.url}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await ui.stop();
  await sandbox.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sandbox stopped: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
