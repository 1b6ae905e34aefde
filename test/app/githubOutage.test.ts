import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { FOLLOW_JOB } from '../../src/services/releaseFollower.js';
import type { Job } from '../../src/store/index.js';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { newGheToken, puts, requestReplacement, textOf } from '../helpers/secrets.js';

/**
 * GitHub down for more than a minute (connections refused, or 5xx to everything),
 * then back: the work in the store carries on by itself, in the same process.
 * The bot's clock is moved on instead of waiting the minutes out.
 */

const TAG = 'v0.1.0b39';

async function followJob(h: Harness): Promise<Job> {
  const row = await h.store.db.selectFrom('jobs').select('id').where('kind', '=', FOLLOW_JOB).executeTakeFirstOrThrow();
  const job = await h.store.jobs.get(String(row.id));
  assert.ok(job);
  return job;
}

/** Waits for the follower's current poll to end, then moves the bot's clock to its next one and waits for that to end too. */
async function nextFollowerPoll(h: Harness): Promise<Job> {
  let job = await followJob(h);
  await eventually(async () => (job = await followJob(h)).status !== 'running', 'the poll under way to end', 10_000);
  if (job.status !== 'pending') return job;
  const due = job.runAt.getTime();
  h.bot.advance(Math.max(0, due - h.bot.deps.now().getTime()) + 1);
  await eventually(
    async () => {
      job = await followJob(h);
      return job.status !== 'running' && (job.status !== 'pending' || job.runAt.getTime() !== due);
    },
    'the next poll to run',
    10_000,
  );
  return job;
}

describe('GitHub down for a while, then back', () => {
  test('a followed release: polls keep failing without using up the job, then the run is followed to the end', () =>
    withHarness({}, async (h) => {
      const { responseUrl } = await h.command('/release', TAG);
      const id = /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(await h.responseTo(responseUrl)))?.[1] ?? '';
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      const run = h.github.runs(h.seed.github.repo, '.github/workflows/release.yml').find((r) => r.event === 'workflow_dispatch');
      assert.ok(run);
      await eventually(async () => (await followJob(h)).status === 'pending', 'the follower to wait for its next poll', 10_000);

      h.github.setUnreachable(true);
      const startedDown = h.bot.deps.now().getTime();
      let failedPolls = 0;
      while (h.bot.deps.now().getTime() - startedDown < 90_000) {
        const refusedBefore = h.github.requests.filter((r) => r.status === 0).length;
        const job = await nextFollowerPoll(h);
        assert.equal(job.status, 'pending', `still followed after ${failedPolls + 1} failed polls`);
        assert.equal(job.attempts, 0, 'an unreachable GitHub does not use up the attempts');
        assert.match(job.lastError ?? '', /could not be reached|did not answer/);
        assert.ok(h.github.requests.filter((r) => r.status === 0).length > refusedBefore, 'the poll did try GitHub');
        failedPolls += 1;
      }
      assert.ok(failedPolls >= 4, `${failedPolls} polls while GitHub was down`);

      h.github.setUnreachable(false);
      h.github.completeRun(run.id, {});
      for (let i = 0; i < 5 && (await followJob(h)).status === 'pending'; i++) await nextFollowerPoll(h);
      const main = h.slack.messages(CHANNEL).find((m) => !m.thread_ts && !m.ephemeralTo && /v0\.1\.0b39/.test(m.text ?? ''));
      assert.match(JSON.stringify(main), /Released|released/);
      assert.equal((await followJob(h)).status, 'done');
      assert.equal(h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length, 1, 'dispatched once');
    }));

  test('a secret change approved while GitHub answers 503 to everything: told, still decidable, and applied once GitHub is back', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      h.github.failNext({}, { status: 503, times: 10_000 });
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await eventually(
        async () => (await h.store.secretChanges.get(id))?.status === 'pending' && (await h.store.secretChanges.get(id))?.error !== null,
        'the request to be open again',
        20_000,
      );
      await h.slack.waitFor((c) => c.method === 'chat.update' && /last attempt failed/.test(textOf(c)) && textOf(c).includes(ACTION_IDS.secretApprove), 10_000);
      // Down for over a minute: the request's own expiry job keeps its schedule meanwhile.
      h.bot.advance(70_000);
      assert.equal((await h.store.secretChanges.get(id))?.status, 'pending');
      assert.equal(puts(h), 0);

      h.github.clearFailures();
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await eventually(async () => (await h.store.secretChanges.get(id))?.status === 'done', 'applied', 20_000);
      assert.equal(puts(h), 1);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN')?.startsWith('ghp_'), true);
    }));
});
