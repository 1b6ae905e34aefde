// A bare Bolt app, plain JavaScript run by plain node: the baseline for the bot's start-up time and memory
// (bench part 5) and soak (part 6). It acks the bot's four commands and serves /healthz like the bot, nothing else.
import { App, HTTPReceiver } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  endpoints: '/slack/events',
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.end('ok') }],
});
const app = new App({ token: process.env.SLACK_BOT_TOKEN, receiver, clientOptions: { slackApiUrl: process.env.SLACK_API_URL } });
for (const command of ['/sync-status', '/release', '/rotate', '/secret']) app.command(command, async ({ ack }) => ack());
await receiver.start(Number(process.env.PORT));
process.on('SIGTERM', () => void receiver.stop().finally(() => process.exit(0)));
