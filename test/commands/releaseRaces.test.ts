import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendBlockAction, sendSlashCommand, type RecordedCall } from '@chatops/fake-slack';
import { CHANNEL, eventually, SIGNING_SECRET, startReplica, startHarness, USERS, withHarness, type Harness } from '../helpers/harness.js';

const RELEASE_WF = '.github/workflows/release.yml';
const TAG = 'v0.1.0b39';
const textOf = (c: RecordedCall): string => JSON.stringify(c.args);
const confirmId = (c: RecordedCall) => /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(c))?.[1] ?? null;
const dispatches = (h: Harness) => h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length;
const releaseRuns = (h: Harness) => h.github.runs(h.seed.github.repo, RELEASE_WF).filter((r) => r.event === 'workflow_dispatch');
const bothMayRelease = { config: (cfg: { access: Record<string, string[]> }) => void (cfg.access.release = [USERS.alice, USERS.bob]) };

/** Sends `/release` to a bot at `appUrl` and returns its private answer. */
async function release(h: Harness, appUrl: string, user: string, text = TAG): Promise<RecordedCall> {
  const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user });
  const http = await sendSlashCommand(appUrl, SIGNING_SECRET, { command: '/release', text, user_id: user, channel_id: CHANNEL, response_url: responseUrl });
  assert.equal(http.status, 200);
  return h.responseTo(responseUrl, 20_000);
}

async function click(h: Harness, appUrl: string, actionId: string, value: string, user: string = USERS.alice): Promise<RecordedCall> {
  const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user });
  await sendBlockAction(appUrl, SIGNING_SECRET, { user_id: user, channel_id: CHANNEL, action_id: actionId, value, response_url: responseUrl });
  return h.responseTo(responseUrl, 20_000);
}

describe('/release races', () => {
  test('two people and a double submit, with GitHub taking 300 ms: one confirmation, the others told who holds the tag', () =>
    withHarness(bothMayRelease, async (h) => {
      h.github.setLatency(300);
      const answers = await Promise.all([release(h, h.appUrl, USERS.alice), release(h, h.appUrl, USERS.alice), release(h, h.appUrl, USERS.bob)]);
      const offered = answers.filter((a) => confirmId(a) !== null);
      assert.equal(offered.length, 1, answers.map(textOf).join('\n'));
      const refused = answers.filter((a) => confirmId(a) === null);
      assert.ok(
        refused.every((a) => /already waiting for .*confirmation/.test(textOf(a))),
        refused.map(textOf).join('\n'),
      );
      const holder = offered[0]!;
      const rows = await h.store.db.selectFrom('releases').selectAll().execute();
      assert.equal(rows.length, 1, 'one release row');
      // The holder confirms; nothing else could.
      h.github.setLatency(0);
      const confirmed = await click(h, h.appUrl, ACTION_IDS.releaseConfirm, confirmId(holder) ?? '', rows[0]!.requested_by);
      assert.match(textOf(confirmed), /confirmed/);
      await eventually(() => releaseRuns(h).length === 1, 'the run', 10_000);
      assert.match(textOf(await release(h, h.appUrl, USERS.bob)), /already (under way|running|queued|in progress)/);
      assert.equal(dispatches(h), 1);
    }));

  test('two replicas on PostgreSQL: concurrent /release of one tag on both gives one confirmation, and one dispatch', async () => {
    const h = await startHarness({ ...bothMayRelease, store: 'postgres' });
    const other = await startReplica(h, bothMayRelease);
    try {
      h.github.setLatency(300);
      const answers = await Promise.all([
        release(h, h.appUrl, USERS.alice),
        release(h, other.appUrl, USERS.bob),
        release(h, other.appUrl, USERS.alice),
        release(h, h.appUrl, USERS.bob),
      ]);
      const offered = answers.filter((a) => confirmId(a) !== null);
      assert.equal(offered.length, 1, answers.map(textOf).join('\n'));
      h.github.setLatency(0);
      const id = confirmId(offered[0]!) ?? '';
      const row = await h.store.releases.get(id);
      assert.ok(row);
      // Clicked on both replicas at once: one wins, the dispatch job runs once.
      const clicks = await Promise.all([
        click(h, h.appUrl, ACTION_IDS.releaseConfirm, id, row.requestedBy),
        click(h, other.appUrl, ACTION_IDS.releaseConfirm, id, row.requestedBy),
      ]);
      assert.equal(clicks.filter((c) => /being dispatched/.test(textOf(c))).length, 1, clicks.map(textOf).join('\n'));
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 15_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(dispatches(h), 1);
      assert.equal(releaseRuns(h).length, 1);
    } finally {
      await other.stop({ keepFiles: true });
      await h.close();
    }
  });

  test('the click re-checks: a run of the tag started after the confirmation (a tag push) means nothing is dispatched, and the person is told', () =>
    withHarness({}, async (h) => {
      const offered = await release(h, h.appUrl, USERS.alice);
      const id = confirmId(offered);
      assert.ok(id);
      const pushed = h.github.startRun(h.seed.github.repo, RELEASE_WF, {
        event: 'push',
        headBranch: TAG,
        headSha: h.seed.github.tags[TAG],
        createdAt: new Date().toISOString(),
      });
      await click(h, h.appUrl, ACTION_IDS.releaseConfirm, id);
      const told = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      assert.match(textOf(told), /could not be dispatched/);
      assert.match(textOf(told), new RegExp(`started meanwhile.*actions/runs/${pushed}`));
      assert.match(textOf(told), new RegExp(`<@${USERS.alice}>`));
      assert.equal(dispatches(h), 0);
      assert.equal((await h.store.releases.get(id))?.status, 'failed');
    }));

  test('a release whose run failed is no longer active and is offered again, naming the failure; once it succeeded, it is refused', () =>
    withHarness({}, async (h) => {
      const first = confirmId(await release(h, h.appUrl, USERS.alice));
      assert.ok(first);
      await click(h, h.appUrl, ACTION_IDS.releaseConfirm, first);
      await eventually(() => releaseRuns(h).length === 1, 'the first run', 10_000);
      const [run] = releaseRuns(h);
      h.github.completeRun(run!.id, { build: { conclusion: 'failure', failedStep: 'Build distributions', log: 'error: boom' } });
      h.bot.advance(61_000);
      await eventually(async () => (await h.store.releases.get(first))?.status === 'run_failed', 'the failure recorded', 10_000);

      const again = await release(h, h.appUrl, USERS.alice);
      const second = confirmId(again);
      assert.ok(second, 'offered again');
      assert.match(textOf(again), /Release again/);
      assert.match(textOf(again), new RegExp(`actions/runs/${run!.id}.*failed`));
      await click(h, h.appUrl, ACTION_IDS.releaseConfirm, second);
      await eventually(() => releaseRuns(h).length === 2, 'the second run', 10_000);
      const rerun = releaseRuns(h).find((r) => r.id !== run!.id);
      h.github.completeRun(rerun!.id, {});
      h.bot.advance(61_000);
      await eventually(async () => (await h.store.releases.get(second))?.status === 'succeeded', 'the success recorded', 10_000);
      assert.match(textOf(await release(h, h.appUrl, USERS.alice)), /already released by/);
      assert.equal(dispatches(h), 2);
    }));

  test('a dispatched release whose follower stopped is settled from GitHub: its failed run frees the tag', () =>
    withHarness({}, async (h) => {
      const id = confirmId(await release(h, h.appUrl, USERS.alice));
      assert.ok(id);
      await click(h, h.appUrl, ACTION_IDS.releaseConfirm, id);
      await eventually(async () => (await h.store.releases.get(id))?.status === 'dispatched', 'dispatched', 10_000);
      // The follow job is gone (given up, or purged) while the run fails.
      await h.store.db.updateTable('jobs').set({ status: 'failed' }).where('kind', '=', 'release.follow').execute();
      const [run] = releaseRuns(h);
      h.github.completeRun(run!.id, { build: { conclusion: 'failure', failedStep: 'Build distributions', log: 'error' } });
      const again = await release(h, h.appUrl, USERS.alice);
      assert.ok(confirmId(again), textOf(again));
      assert.equal((await h.store.releases.get(id))?.status, 'run_failed');
    }));
});
