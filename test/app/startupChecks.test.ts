import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';
import { FakeSlack, sendSlashCommand } from '@chatops/fake-slack';
import { BOT_TOKEN, CHANNEL, freePort, SIGNING_SECRET, USERS } from '../helpers/harness.js';

/**
 * `npm start` checks every credential with its host before it serves: the real entry
 * point, as a child process, against the fake Slack and GitHub (which refuse tokens
 * they did not issue, as the real ones do).
 */

interface Bot {
  child: ChildProcess;
  base: string;
  output(): string;
  exited: Promise<number | null>;
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function startBot(env: Record<string, string | undefined>, seed: PywatsSeed): Promise<Bot> {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-startup-'));
  dirs.push(dir);
  const port = await freePort();
  await writeFile(
    join(dir, 'chatops.yml'),
    toYaml({ repos: [{ ...seed.repoConfig, channel: CHANNEL }], access: { release: [USERS.alice], approve: [USERS.bob] } }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      PATH: process.env.PATH,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      ...seed.env,
      CHATOPS_CONFIG: join(dir, 'chatops.yml'),
      DATABASE_URL: join(dir, 'chatops.sqlite'),
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, base: `http://127.0.0.1:${port}`, output: () => out, exited };
}

async function until<T>(what: string, bot: Bot, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `${what}: not within ${ms} ms. Output:\n${bot.output()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function readyz(bot: Bot): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(`${bot.base}/readyz`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const APP_TOKEN = 'xapp-1-A0CHATOPS-1234567890-0123456789abcdef0123456789abcdef';

async function fakes(o: { slackPort?: number; startSlack?: boolean } = {}) {
  const slack = new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([o.startSlack === false ? undefined : slack.start(o.slackPort ?? 0), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  return { slack, github, ghe, seed, stop: () => Promise.all([slack.stop(), github.stop(), ghe.stop()]) };
}

/** Exit 2, the variable named, no token in the output, no stack trace. */
async function assertRefused(bot: Bot, variable: RegExp, secrets: string[]): Promise<string> {
  const code = await Promise.race([bot.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000))]);
  const out = bot.output();
  assert.equal(code, 2, `exit status 2 expected:\n${out}`);
  assert.match(out, /release-chatops cannot start/);
  assert.match(out, variable);
  assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  for (const s of secrets) assert.ok(!out.includes(s), 'no credential in the output');
  assert.doesNotMatch(out, /release-chatops is running/);
  return out;
}

describe('npm start checks each credential with its host', () => {
  test('a Slack bot token that Slack refuses: exit 2 naming SLACK_BOT_TOKEN', async () => {
    const f = await fakes();
    try {
      const wrong = 'xoxb-0000-not-the-installed-token';
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl, SLACK_BOT_TOKEN: wrong }, f.seed);
      const out = await assertRefused(bot, /`SLACK_BOT_TOKEN` was refused by POST http:\/\/127\.0\.0\.1:\d+\/api\/auth\.test: Slack answered "invalid_auth"/, [
        wrong,
        f.seed.github.token,
        f.seed.ghe.token,
      ]);
      assert.ok(
        f.slack.calls.some((c) => c.method === 'auth.test' && c.error === 'invalid_auth'),
        'Slack was asked',
      );
      assert.doesNotMatch(out, /GITHUB_TOKEN was refused/);
    } finally {
      await f.stop();
    }
  });

  test('a GITHUB_TOKEN that GitHub refuses: exit 2 naming GITHUB_TOKEN', async () => {
    const f = await fakes();
    try {
      const wrong = 'ghp_madeUpTokenThatGitHubNeverIssued0000';
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl, GITHUB_TOKEN: wrong }, f.seed);
      await assertRefused(bot, /`GITHUB_TOKEN` was refused by GET http:\/\/127\.0\.0\.1:\d+\/user: HTTP 401: Bad credentials/, [
        wrong,
        f.seed.ghe.token,
        BOT_TOKEN,
      ]);
      assert.ok(f.github.requests.some((r) => r.path.endsWith('/user') && r.status === 401));
    } finally {
      await f.stop();
    }
  });

  test('a mirror token that the GHE host refuses: exit 2 naming its mirror.tokenEnv variable', async () => {
    const f = await fakes();
    try {
      const gheToken = f.seed.ghe.token;
      f.ghe.revokeToken(gheToken); // it was good once; GHE no longer accepts it
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl }, f.seed);
      const out = await assertRefused(bot, /`GHE_API_TOKEN` was refused by GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/user: HTTP 401/, [
        gheToken,
        f.seed.github.token,
        BOT_TOKEN,
      ]);
      assert.doesNotMatch(out, /`GITHUB_TOKEN` was refused/, 'the github.com token was good');
    } finally {
      await f.stop();
    }
  });

  test('a GitHub App whose key is not the App’s: exit 2 naming the App variables; with its own key, ready', async () => {
    const f = await fakes();
    try {
      const pem = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const installed = pem(2048);
      const other = pem(2048);
      f.github.installApp({ appId: 4242, privateKeyPem: installed, repos: [f.seed.github.repo] });
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl, GITHUB_TOKEN: undefined, GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: other }, f.seed);
      await assertRefused(bot, /`GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY` was refused by GET http:\/\/127\.0\.0\.1:\d+\/app: HTTP 401/, [
        other.split('\n')[1] ?? other,
      ]);
      // The App's own key: accepted with its installations, and the bot becomes ready.
      const good = await startBot({ SLACK_API_URL: f.slack.apiUrl, GITHUB_TOKEN: undefined, GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: installed }, f.seed);
      await until('ready with the App', good, async () => ((await readyz(good)).status === 200 ? true : undefined));
      assert.match(good.output(), /GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY accepted by GET http:\/\/127\.0\.0\.1:\d+\/app \(App [^,]+, 1 installation\(s\)\)/);
      assert.ok(f.github.requests.some((r) => r.path === '/app/installations' && r.status === 200));
      good.child.kill('SIGTERM');
      assert.equal(await good.exited, 0);
    } finally {
      await f.stop();
    }
  });

  test('an unreachable Slack API: logged with its URL and retried, /readyz 503 with the reason, a slash command told "starting"; ready once Slack answers', async () => {
    const slackPort = await freePort();
    const f = await fakes({ startSlack: false });
    const slackApiUrl = `http://127.0.0.1:${slackPort}/api/`;
    try {
      const bot = await startBot({ SLACK_API_URL: slackApiUrl }, f.seed);
      // The server listens meanwhile: health answers, readiness says why not.
      await until('a retry logged with the URL', bot, async () =>
        /does not answer \(connection refused\).*retrying in/.test(bot.output()) ? true : undefined,
      );
      assert.match(
        bot.output(),
        new RegExp(`POST ${slackApiUrl.replace(/[/.]/g, '\\$&')}auth\\.test does not answer \\(connection refused\\); SLACK_BOT_TOKEN not checked yet`),
      );
      assert.equal((await fetch(`${bot.base}/healthz`)).status, 200);
      const waiting = await readyz(bot);
      assert.equal(waiting.status, 503);
      assert.equal(waiting.body.status, 'starting');
      assert.match(String(waiting.body.reason), new RegExp(`${slackPort}/api/auth\\.test does not answer \\(connection refused\\)`));
      // A slash command meanwhile is answered at once, privately, and nothing acts.
      const ack = await sendSlashCommand(bot.base, SIGNING_SECRET, {
        command: '/sync-status',
        text: '',
        user_id: USERS.alice,
        channel_id: CHANNEL,
        response_url: 'http://127.0.0.1:9/unused',
      });
      assert.equal(ack.status, 200);
      assert.match(ack.body, /starting and cannot act yet/);
      assert.ok(ack.elapsedMs < 3000, `answered in ${ack.elapsedMs} ms`);
      assert.ok(!f.github.requests.some((r) => r.path.includes('/actions/')), 'no command ran');
      // Other Slack requests get a 503, which Slack redelivers (events) or reports (clicks).
      const event = await fetch(`${bot.base}/slack/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"event_callback"}',
      });
      assert.equal(event.status, 503);
      // The masked entry page would act with credentials not checked yet: not meanwhile.
      const entry = await fetch(`${bot.base}/enter/some-link`, { method: 'POST', body: 'value=x' });
      assert.equal(entry.status, 503);
      assert.match(await entry.text(), /starting/);
      // Slack comes up on that port: the next attempt passes, and the bot becomes ready.
      await f.slack.start(slackPort);
      const ready = await until('ready once Slack answers', bot, async () => {
        const r = await readyz(bot);
        return r.status === 200 ? r : undefined;
      });
      assert.equal(ready.body.status, 'ready');
      assert.match(bot.output(), /release-chatops is running/);
      for (const s of [BOT_TOKEN, f.seed.github.token, f.seed.ghe.token, SIGNING_SECRET]) assert.ok(!bot.output().includes(s), 'no credential in the log');
      // And now it serves for real.
      const responseUrl = f.slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
      const served = await sendSlashCommand(bot.base, SIGNING_SECRET, {
        command: '/sync-status',
        text: '',
        user_id: USERS.alice,
        channel_id: CHANNEL,
        response_url: responseUrl,
      });
      assert.equal(served.status, 200);
      assert.doesNotMatch(served.body, /starting/);
      await f.slack.waitFor((c) => c.method === 'response_url', 20_000);
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0);
    } finally {
      await f.stop();
    }
  });

  test('a GitHub host answering 5xx: retried with back-off and logged with the URL, /readyz 503 until it answers', async () => {
    const f = await fakes();
    try {
      f.github.failNext({ method: 'GET', path: /^\/user$/ }, { status: 503, times: 3 });
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl }, f.seed);
      await until('a retry logged', bot, async () =>
        /\/user does not answer \(HTTP 503\); GITHUB_TOKEN not checked yet; retrying in/.test(bot.output()) ? true : undefined,
      );
      const waiting = await readyz(bot);
      assert.equal(waiting.status, 503);
      assert.match(String(waiting.body.reason), /\/user does not answer \(HTTP 503\)/);
      await until('ready after the third 503', bot, async () => ((await readyz(bot)).status === 200 ? true : undefined));
      const attempts = f.github.requests.filter((r) => r.path === '/user');
      assert.equal(attempts.length, 4, 'three 503s, then the answer');
      assert.deepEqual(
        attempts.map((r) => r.status),
        [503, 503, 503, 200],
      );
      // Back-off: the gaps grow (1 s, 2 s, 4 s).
      const logged = bot.output().match(/retrying in [\d.]+ s/g) ?? [];
      assert.deepEqual(logged.slice(0, 3), ['retrying in 1 s', 'retrying in 2 s', 'retrying in 4 s']);
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0);
    } finally {
      await f.stop();
    }
  });

  test('Socket Mode: health and readiness answer on PORT while GitHub does not; the socket connects once it does', async () => {
    const f = await fakes();
    try {
      f.github.failNext({ method: 'GET', path: /^\/user$/ }, { status: 502, times: 2 });
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl, SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: undefined }, f.seed);
      await until('a retry logged', bot, async () => (/\/user does not answer \(HTTP 502\)/.test(bot.output()) ? true : undefined));
      assert.equal((await fetch(`${bot.base}/healthz`)).status, 200);
      const waiting = await readyz(bot);
      assert.equal(waiting.status, 503);
      assert.match(String(waiting.body.reason), /GITHUB_TOKEN not checked yet/);
      assert.equal(f.slack.socketConnectionCount, 0, 'no socket before the checks pass');
      await until('ready', bot, async () => ((await readyz(bot)).status === 200 ? true : undefined));
      await until('the socket connected', bot, async () => (f.slack.socketConnectionCount === 1 ? true : undefined));
      assert.ok(
        f.slack.calls.some((c) => c.method === 'apps.connections.open'),
        'the app-level token was checked',
      );
      bot.child.kill('SIGTERM');
      assert.equal(await bot.exited, 0);
    } finally {
      await f.stop();
    }
  });

  test('a Socket Mode app token that Slack refuses: exit 2 naming SLACK_APP_TOKEN', async () => {
    const f = await fakes();
    try {
      const wrong = 'xapp-1-A0CHATOPS-0000000000-not-the-app-token';
      const bot = await startBot({ SLACK_API_URL: f.slack.apiUrl, SLACK_APP_TOKEN: wrong, SLACK_SIGNING_SECRET: undefined }, f.seed);
      await assertRefused(bot, /`SLACK_APP_TOKEN` was refused by POST http:\/\/127\.0\.0\.1:\d+\/api\/apps\.connections\.open: Slack answered "invalid_auth"/, [
        wrong,
        APP_TOKEN,
        BOT_TOKEN,
      ]);
    } finally {
      await f.stop();
    }
  });
});
