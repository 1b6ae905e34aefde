import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats } from '@chatops/fake-github/scenario.js';
import { FakeSlack, sendSlashCommand } from '@chatops/fake-slack';
import { spawnBot } from '../helpers/botProcess.js';
import { BOT_TOKEN, CHANNEL, freePort, SIGNING_SECRET, USERS } from '../helpers/harness.js';

test('npm start: the real entry point serves health, answers /sync-status, and stops on SIGTERM', async () => {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const dir = await mkdtemp(join(tmpdir(), 'chatops-main-'));
  const port = await freePort();
  await writeFile(join(dir, 'chatops.yml'), toYaml({ repos: [{ ...seed.repoConfig, channel: CHANNEL }] }));
  const bot = spawnBot({
    port,
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ...seed.env,
      CHATOPS_CONFIG: join(dir, 'chatops.yml'),
      DATABASE_URL: join(dir, 'db', 'chatops.sqlite'),
    },
  });
  const { child, exited, base } = bot;
  try {
    await bot.ready(30_000);
    const responseUrl = slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
    const ack = await sendSlashCommand(base, SIGNING_SECRET, {
      command: '/sync-status',
      text: '',
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: responseUrl,
    });
    assert.equal(ack.status, 200);
    const reply = await slack.waitFor((c) => c.method === 'response_url', 20_000);
    assert.match(JSON.stringify(reply.args), /authentication failed/);
    assert.ok((await stat(join(dir, 'db', 'chatops.sqlite'))).size > 0, 'the SQLite file is created at DATABASE_URL');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    const out = bot.output();
    assert.match(out, /release-chatops is running/);
    for (const secret of [seed.github.token, seed.ghe.token, SIGNING_SECRET, BOT_TOKEN]) assert.ok(!out.includes(secret), 'no credential in the output');
  } finally {
    child.kill('SIGKILL');
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
});
