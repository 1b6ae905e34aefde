import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { stringify as toYaml } from 'yaml';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { FakeGitHub } from '@chatops/fake-github';
import { seedPywats } from '@chatops/fake-github/scenario.js';
import { FakeSlack, sendBlockAction, sendSlashCommand, type RecordedCall } from '@chatops/fake-slack';
import { BOT_TOKEN, CHANNEL, eventually, freePort, SIGNING_SECRET, startBot, USERS } from '../helpers/harness.js';
import { spawnBot, type SpawnedBot } from '../helpers/botProcess.js';

const textOf = (c: RecordedCall) => JSON.stringify(c.args);
const RELEASE_WF = '.github/workflows/release.yml';
const TAG = 'v0.1.0b39';

/**
 * The real entry point in a child process, stopped (SIGKILL, or SIGTERM as in a
 * deploy) while its dispatch request is in flight, then started again on the same
 * database. `gitHubGot`: whether GitHub received the request (and started the run)
 * or the connection died before it arrived.
 */
async function scenario(o: { signal: 'SIGKILL' | 'SIGTERM'; gitHubGot: boolean; restart: 'child' | 'in-process' }) {
  const slack = new FakeSlack({ botToken: BOT_TOKEN });
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([slack.start(), github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe);
  const dir = await mkdtemp(join(tmpdir(), 'chatops-release-crash-'));
  const dbFile = join(dir, 'chatops.sqlite');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const secrets = seed.repoConfig.secrets.map((s) => (s.name === 'GHE_TOKEN' ? { ...s, host: ghe.url } : s));
  await writeFile(
    join(dir, 'chatops.yml'),
    toYaml({
      repos: [{ ...seed.repoConfig, secrets, channel: CHANNEL }],
      access: { release: [USERS.alice], approve: [USERS.bob] },
      reminders: { enabled: false },
    }),
  );
  const startChild = async (): Promise<SpawnedBot> => {
    const bot = spawnBot({
      port,
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        ...seed.env,
        CHATOPS_CONFIG: join(dir, 'chatops.yml'),
        DATABASE_URL: dbFile,
        LOG_LEVEL: 'debug',
      },
    });
    await bot.ready(30_000);
    return bot;
  };
  const releaseRow = () => {
    const db = new Database(dbFile, { readonly: true });
    try {
      return db.prepare('select status, run_id, dispatch_sent_at from releases').get() as
        { status: string; run_id: number | null; dispatch_sent_at: number | null } | undefined;
    } finally {
      db.close();
    }
  };
  const runs = () => github.runs(seed.github.repo, RELEASE_WF).filter((r) => r.event === 'workflow_dispatch');
  const dispatchRequests = () => github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));

  let first: SpawnedBot | undefined;
  let second: SpawnedBot | undefined;
  try {
    first = await startChild();
    await sendSlashCommand(base, SIGNING_SECRET, {
      command: '/release',
      text: TAG,
      user_id: USERS.alice,
      channel_id: CHANNEL,
      response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    const confirm = await slack.waitFor((c) => c.method === 'response_url' && textOf(c).includes(ACTION_IDS.releaseConfirm), 20_000);
    const id = /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(confirm))?.[1] ?? '';
    assert.ok(id);

    const hold = github.holdNext({ method: 'POST', path: /\/dispatches$/ });
    await sendBlockAction(base, SIGNING_SECRET, {
      user_id: USERS.alice,
      channel_id: CHANNEL,
      action_id: ACTION_IDS.releaseConfirm,
      value: id,
      response_url: slack.responseUrl({ channel: CHANNEL, user: USERS.alice }),
    });
    await hold.arrived;
    assert.equal(releaseRow()?.status, 'dispatching');
    assert.ok(releaseRow()?.dispatch_sent_at, 'the store knows the dispatch went out');
    first.child.kill(o.signal);
    let exitCode: number | null = null;
    if (o.signal === 'SIGTERM') {
      // A deploy: the bot stops taking work but lets the dispatch in flight finish.
      await new Promise((r) => setTimeout(r, 300));
      if (o.gitHubGot) hold.release();
      else hold.drop();
      exitCode = await first.exited;
    } else {
      await first.exited;
      if (o.gitHubGot) hold.release();
      else hold.drop();
      await eventually(() => dispatchRequests().length === 1 && dispatchRequests()[0]!.status !== undefined, 'the held request to end');
      // The job's lease belongs to the dead process; let it run out now rather than waiting.
      const db = new Database(dbFile);
      db.prepare("update jobs set lease_until = 0 where status = 'running'").run();
      db.close();
    }
    assert.equal(runs().length, o.gitHubGot ? 1 : 0);

    if (o.restart === 'child') {
      second = await startChild();
      await eventually(() => releaseRow()?.status === 'dispatched' && releaseRow()?.run_id !== null, 'the restarted bot to find the run', 30_000);
      const [run] = runs();
      assert.ok(run);
      await slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL && textOf(c).includes(`Release ${TAG}`), 20_000);
      github.completeRun(run.id, {});
      // The follower polls within a minute of the dispatch; a restarted bot keeps that schedule.
      await slack.waitFor((c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && /released in/i.test(textOf(c)), 90_000);
      await eventually(() => releaseRow()?.status === 'succeeded', 'the release recorded as succeeded', 10_000);
    } else {
      // Restarted in this process on the same file, so its clock can be moved past the run's 3 minutes to appear.
      const bot = await startBot({ slackApiUrl: slack.apiUrl, githubUrl: github.url, gheUrl: ghe.url, seed, dbFile });
      try {
        await eventually(() => releaseRow()?.status === 'dispatched', 'the restarted bot to hand over to the follower', 15_000);
        bot.advance(200_000);
        const told = await slack.waitFor((c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && /no run appeared/.test(textOf(c)), 20_000);
        assert.match(textOf(told), /Nothing was dispatched again/);
        assert.match(textOf(told), new RegExp(`<@${USERS.alice}>`));
        assert.equal(releaseRow()?.status, 'failed');
        // The tag is offered again.
        const responseUrl = slack.responseUrl({ channel: CHANNEL, user: USERS.alice });
        await sendSlashCommand(bot.appUrl, SIGNING_SECRET, {
          command: '/release',
          text: TAG,
          user_id: USERS.alice,
          channel_id: CHANNEL,
          response_url: responseUrl,
        });
        const again = await slack.waitFor(
          (c) => c.method === 'response_url' && c.responseUrlId === new URL(responseUrl).pathname.replace(/^\/response\//, ''),
          15_000,
        );
        assert.match(textOf(again), /release_confirm/);
      } finally {
        await bot.stop({ keepFiles: true });
      }
    }
    return { dispatches: dispatchRequests().length, runs: runs().length, exitCode };
  } finally {
    first?.child.kill('SIGKILL');
    second?.child.kill('SIGKILL');
    await Promise.all([slack.stop(), github.stop(), ghe.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

describe('a bot stopped while its release dispatch is in flight', () => {
  test(
    'SIGKILL after GitHub got the dispatch: the restarted bot finds the run, never dispatches again, and follows it to the end',
    { timeout: 180_000 },
    async () => {
      const r = await scenario({ signal: 'SIGKILL', gitHubGot: true, restart: 'child' });
      assert.equal(r.dispatches, 1, 'one dispatch request in all');
      assert.equal(r.runs, 1);
    },
  );

  test('SIGTERM (a deploy) mid-dispatch: the dispatch in flight finishes, and the next bot follows the run', { timeout: 180_000 }, async () => {
    const r = await scenario({ signal: 'SIGTERM', gitHubGot: true, restart: 'child' });
    assert.equal(r.exitCode, 0, 'a clean exit');
    assert.equal(r.dispatches, 1);
    assert.equal(r.runs, 1);
  });

  test(
    'SIGKILL before the request reached GitHub: no run, nothing sent twice; the person is told and the tag offered again',
    { timeout: 180_000 },
    async () => {
      const r = await scenario({ signal: 'SIGKILL', gitHubGot: false, restart: 'in-process' });
      assert.equal(r.dispatches, 1, 'the lost request is not repeated blindly');
      assert.equal(r.runs, 0);
    },
  );
});
