/**
 * One app of the latency bench in a process of its own, as it would run in
 * production: `bot` (the real bot, configured for the fakes) or `bare` (a bare Bolt
 * app that only acks the same command). The load generator lives in another
 * process, so neither app's acks compete with the sender's CPU or with the other
 * app's work. Prints one JSON line `{ "url": … }`, then serves until SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import type { PywatsSeed } from '@chatops/fake-github/scenario.js';
import { BOT_TOKEN, SIGNING_SECRET, startBot } from '../test/helpers/harness.js';

interface FakesInfo {
  slackApiUrl: string;
  githubUrl: string;
  gheUrl: string;
  seed: PywatsSeed;
}

const [which = '', fakesJson = '{}', command = '/sync-status'] = process.argv.slice(2);
const fakes = JSON.parse(fakesJson) as FakesInfo;
let stop: () => Promise<void>;
let url: string;

if (which === 'bot') {
  // The webhook endpoint is on (part 5 floods it); nothing else depends on it.
  const bot = await startBot({ ...fakes, tuning: { timeoutMs: 30_000 }, logLevel: 'info', env: { GITHUB_WEBHOOK_SECRET: 'bench-webhook-secret' } });
  url = bot.appUrl;
  stop = () => bot.stop();
} else if (which === 'bare') {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events' });
  const app = new App({ token: BOT_TOKEN, receiver, clientOptions: { slackApiUrl: fakes.slackApiUrl } });
  app.command(command, async ({ ack }) => {
    await ack();
  });
  const server = await receiver.start(0);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = () => receiver.stop();
} else {
  throw new Error(`usage: appProcess.ts bot|bare <fakes JSON> [command]`);
}

process.stdout.write(`${JSON.stringify({ url })}\n`);
process.on('SIGTERM', () => {
  void stop().finally(() => process.exit(0));
});
