import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { webApi } from '@slack/bolt';
import { WebSocket } from 'ws';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats } from '@chatops/fake-github/scenario.js';
import { FakeSlack } from '@chatops/fake-slack';
import { BOT_TOKEN, CHANNEL, GHE_HOST, USERS, eventually, freePort, startBot, type BotUnderTest } from '../helpers/harness.js';

const APP_TOKEN = 'xapp-1-A0CHATOPS-1234567890-0123456789abcdef0123456789abcdef';

/** Socket Mode serves health on PORT itself (not through chatops.start(0)), so pick a free one. */

/** Open TCP sockets and servers of this process (what would keep it from exiting). */
function openTcpHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP'));
}

describe('the fake Slack’s Socket Mode entry point', () => {
  const slack = new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  before(() => slack.start());
  after(() => slack.stop());

  test('apps.connections.open takes the app-level token only and hands out a ws:// link with a ticket', async () => {
    const open = (token: string) =>
      fetch(`${slack.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.json() as Promise<Record<string, unknown>>,
      );
    const ok = await open(APP_TOKEN);
    assert.equal(ok.ok, true);
    assert.match(String(ok.url), /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]{36}&app_id=/);
    assert.deepEqual(await open('xapp-1-wrong'), { ok: false, error: 'invalid_auth' });
    assert.deepEqual(await open(BOT_TOKEN), { ok: false, error: 'not_allowed_token_type' });
    const bot = new webApi.WebClient(APP_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    await assert.rejects(bot.auth.test(), (e: { data?: { error?: string } }) => e.data?.error === 'not_allowed_token_type');
  });

  test('a link works once; an unknown ticket is refused at the upgrade', async () => {
    const { url } = (await fetch(`${slack.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${APP_TOKEN}` } }).then((r) =>
      r.json(),
    )) as { url: string };
    const first = await firstMessage(url);
    assert.equal((first as { type?: string }).type, 'hello');
    assert.deepEqual((first as { connection_info?: unknown }).connection_info, { app_id: 'A0CHATOPS' });
    await assert.rejects(firstMessage(url), /upgrade refused: HTTP 401/);
  });

  test('a delivery without a connection fails as dispatch_failed', async () => {
    await eventually(() => slack.socketConnectionCount === 0, 'the probe connections to close');
    await assert.rejects(
      slack.socketSlashCommand({ command: '/sync-status', text: '', user_id: USERS.alice, channel_id: CHANNEL, response_url: slack.responseUrl() }),
      /dispatch_failed/,
    );
  });
});

/** The first button with this action_id anywhere in a message's blocks. */
function findButton(blocks: unknown, actionId: string): { value?: string } | undefined {
  if (Array.isArray(blocks)) {
    for (const b of blocks) {
      const found = findButton(b, actionId);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof blocks !== 'object' || blocks === null) return undefined;
  const o = blocks as Record<string, unknown>;
  if (o.type === 'button' && o.action_id === actionId) return o as { value?: string };
  return findButton(
    Object.values(o).filter((v) => typeof v === 'object'),
    actionId,
  );
}

/** Connects to a Socket Mode link and returns the first message Slack sends. */
function firstMessage(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (data: Buffer) => {
      resolve(JSON.parse(data.toString('utf8')) as unknown);
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

describe('the bot in Socket Mode', () => {
  let slack: FakeSlack;
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let bot: BotUnderTest | undefined;
  let port: number;

  before(async () => {
    slack = new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: GHE_HOST });
    await Promise.all([slack.start(), github.start(), ghe.start()]);
    const seed = seedPywats(github, ghe);
    port = await freePort();
    const starting = startBot({
      slackApiUrl: slack.apiUrl,
      githubUrl: github.url,
      gheUrl: ghe.url,
      seed,
      env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: undefined, PORT: String(port) },
    });
    // The Socket Mode client has its own WebClient; if it is not pointed at SLACK_API_URL it
    // retries https://slack.com/api/ for ages instead of failing, so fail here with the reason.
    const opened = slack
      .waitFor((c) => c.method === 'apps.connections.open', 10_000)
      .catch(() => {
        throw new Error(
          'the Socket Mode client never called the fake’s apps.connections.open: SocketModeReceiver needs installerOptions.clientOptions.slackApiUrl = SLACK_API_URL',
        );
      });
    starting.catch(() => {});
    bot = await opened.then(() => starting);
  });

  after(async () => {
    await bot?.stop();
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
  });

  test('connects with the app-level token and receives hello', async () => {
    await slack.socketConnected();
    const opens = slack.callsTo('apps.connections.open');
    assert.equal(opens.length, 1);
    assert.equal(opens[0]?.ok, true);
    assert.ok(slack.calls.some((c) => c.method === 'socket_mode' && c.args.kind === 'hello'));
    assert.equal(slack.socketConnectionCount, 1);
  });

  test('/sync-status is acked at once and the report arrives at the response_url', async () => {
    const responseUrl = slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
    const id = new URL(responseUrl).pathname.replace(/^\/response\//, '');
    const { ackPayload } = await slack.socketSlashCommand({
      command: '/sync-status',
      text: '',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: responseUrl,
    });
    assert.deepEqual(ackPayload, {}, 'a bare ack: the report follows through response_url');
    const reply = await slack.waitFor((c) => c.method === 'response_url' && c.responseUrlId === id, 15_000);
    assert.equal(reply.ok, true);
    assert.equal(reply.args.response_type, 'ephemeral');
    assert.match(JSON.stringify(reply.args), /authentication failed/);
  });

  test('a button click over Socket Mode (Share in channel) is acked and posts the report', async () => {
    const report = await slack.waitFor((c) => c.method === 'response_url' && /authentication failed/.test(JSON.stringify(c.args)));
    const share = findButton(report.args.blocks, 'sync_status_share');
    assert.ok(share?.value, 'the private report has a Share button');
    const { ackPayload } = await slack.socketBlockAction({
      user_id: USERS.alice,
      channel_id: CHANNEL,
      action_id: 'sync_status_share',
      value: share.value,
      response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    assert.deepEqual(ackPayload, {});
    const posted = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL);
    assert.equal(posted.ok, true);
    assert.match(JSON.stringify(posted.args), /authentication failed/);
  });

  test('/sync-status nope is acked with the ephemeral usage text', async () => {
    const { ackPayload } = await slack.socketSlashCommand({
      command: '/sync-status',
      text: 'nope',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    const ack = ackPayload as { response_type?: string; text?: string };
    assert.equal(ack.response_type, 'ephemeral');
    assert.match(ack.text ?? '', /Usage: `\/sync-status \[repo\]`/);
    const acks = slack.calls.filter((c) => c.method === 'socket_mode' && c.args.kind === 'ack');
    assert.ok(acks.length >= 2 && acks.every((c) => c.ok), 'every envelope was acked once, in time');
  });

  test('health routes answer on PORT; there is no HTTP events endpoint', async () => {
    const base = `http://127.0.0.1:${port}`;
    // The receiver's listen() is not awaited by Bolt; give the bind a moment.
    await eventually(
      () =>
        fetch(`${base}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        ),
      `GET ${base}/healthz to answer 200`,
    );
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
    assert.equal((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status, 404);
  });

  test('credentials are not logged', () => {
    const logs = bot?.logs.join('') ?? '';
    assert.ok(logs.length > 0);
    for (const secret of [APP_TOKEN, BOT_TOKEN]) assert.ok(!logs.includes(secret), 'no token in the logs');
  });

  test('stops cleanly: the socket closes and no TCP handle is left open', async () => {
    await bot?.stop();
    bot = undefined;
    await slack.waitFor((c) => c.method === 'socket_mode' && c.args.kind === 'closed');
    assert.equal(slack.socketConnectionCount, 0);
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    await eventually(() => openTcpHandles().length === 0, 'every TCP handle to close').catch(() => {
      assert.deepEqual(openTcpHandles(), [], 'TCP handles left open');
    });
  });
});
