import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedRequest } from '@chatops/fake-github';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { eventually, startReplica, startHarness, USERS, withHarness, type BotUnderTest, type Harness } from '../helpers/harness.js';
import { channelUpdates, confirmRelease, followJob } from '../helpers/release.js';
import { deliver } from '../helpers/webhooks.js';
import { newGheToken, submitValue } from '../helpers/secrets.js';
import { openModalFrom, requestsTo, startRotation, threadApproval, waitChecklist } from '../helpers/rotation.js';

/**
 * The release follower reads the run from the projection while webhook deliveries keep it
 * fresh (no GitHub request for the run or its jobs), and from GitHub when they stop.
 * The test's own reads of the fake (to build the deliveries) carry `?by=test`, so what is
 * counted is the bot's.
 */

const SECRET = 'whsec-follow-test';

async function read(h: Harness, path: string): Promise<Record<string, unknown>> {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${h.github.apiUrl}/repos/${h.seed.github.repo}${path}${sep}by=test`, {
    headers: { authorization: `token ${h.seed.github.token}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

/** What GitHub sends as a run moves: each job's `workflow_job`, then the run's `workflow_run`. */
async function deliverState(h: Harness, runId: number, appUrl = h.appUrl): Promise<void> {
  const repository = { full_name: h.seed.github.repo };
  const target = { appUrl, secret: SECRET };
  const run = await read(h, `/actions/runs/${runId}`);
  const jobs = (await read(h, `/actions/runs/${runId}/jobs`)).jobs as Array<Record<string, unknown>>;
  for (const job of jobs) {
    const action = job.status === 'completed' ? 'completed' : job.status === 'in_progress' ? 'in_progress' : 'queued';
    assert.equal((await deliver(target, 'workflow_job', { action, workflow_job: job, repository })).status, 202);
  }
  const action = run.status === 'completed' ? 'completed' : run.status === 'in_progress' ? 'in_progress' : 'requested';
  assert.equal((await deliver(target, 'workflow_run', { action, workflow_run: run, repository })).status, 202);
}

/**
 * The bot's reads of one run or its jobs (not the test's): the follower reads the run from its
 * workflow's page of runs (the events poller's query), by its id only when that page lacks it.
 */
const runReads = (h: Harness, runId: number, from = 0): RecordedRequest[] =>
  h.github.requests
    .slice(from)
    .filter((r) => new RegExp(`/actions/runs/${runId}(/jobs)?$|/actions/workflows/release\\.yml/runs$`).test(r.path) && r.query.by !== 'test');

const updates = channelUpdates;

/** Confirms a release of `tag`; returns its run and the index in the request log just after the dispatch. */
async function release(h: Harness, tag: string): Promise<{ runId: number; releaseId: string; afterDispatch: number }> {
  const { run, releaseId, afterDispatch } = await confirmRelease(h, tag);
  // The follower's first look is planned 5 s after the dispatch: with nothing delivered yet it
  // waits for a delivery (its next look, the fallback, is minutes away).
  h.bot.advance(5_001);
  await eventually(
    async () => {
      const job = await followJob(h);
      return job.status === 'pending' && Number(job.run_at) > h.bot.deps.now().getTime() + 60_000;
    },
    'the first look',
    10_000,
  );
  return { runId: run.id, releaseId, afterDispatch };
}

async function settled(h: Harness): Promise<void> {
  await eventually(async () => (await followJob(h)).status !== 'running', 'the follower to be between looks', 10_000);
}

describe('release follower from the projection', () => {
  // Each test releases the seed's newest tag on a bot of its own.
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  afterEach(() => h.close());

  test('with webhooks delivering, the release is followed to its end with no GitHub request for its run or jobs after the dispatch', async () => {
    const { runId, releaseId, afterDispatch } = await release(h, 'v0.1.0b39');

    h.github.setJob(runId, 'build', { status: 'in_progress' });
    await deliverState(h, runId);
    await eventually(() => /In progress/.test(JSON.stringify(updates(h).at(-1)?.args ?? '')), 'an edit saying the run is in progress', 10_000);

    h.github.completeRun(runId, {});
    await deliverState(h, runId);
    await eventually(() => /Released/.test(JSON.stringify(updates(h).at(-1)?.args ?? '')), 'the final edit', 10_000);
    await eventually(async () => (await h.store.releases.get(releaseId))?.status === 'succeeded', 'the release to be concluded', 10_000);
    assert.equal((await followJob(h)).status, 'done');
    assert.deepEqual(
      runReads(h, runId, afterDispatch).map((r) => `${r.method} ${r.path}`),
      [],
      'the run and its jobs came from the deliveries only',
    );
  });

  test('with deliveries stopped, the follower falls back to reading GitHub and still finishes', async () => {
    const { runId, releaseId, afterDispatch } = await release(h, 'v0.1.0b39');
    const before = updates(h).length;
    h.github.setJob(runId, 'build', { status: 'in_progress' });
    // No delivery: at the fallback look (events.reconcileSeconds after the follow began) GitHub is read.
    h.bot.advance(601_000);
    await eventually(
      () => updates(h).length > before && /In progress/.test(JSON.stringify(updates(h).at(-1)?.args)),
      'the fallback look to edit the message',
      10_000,
    );
    assert.ok(runReads(h, runId, afterDispatch).length >= 2, 'the run and its jobs were read from GitHub');
    // GitHub was found ahead of the projection: it is now polled on the back-off (seconds, not minutes).
    h.github.completeRun(runId, {});
    for (let i = 0; i < 20 && (await h.store.releases.get(releaseId))?.status !== 'succeeded'; i++) {
      await settled(h);
      h.bot.advance(61_000);
      await new Promise((r) => setTimeout(r, 300));
    }
    await eventually(async () => (await h.store.releases.get(releaseId))?.status === 'succeeded', 'the release to be concluded', 10_000);
    assert.match(JSON.stringify(updates(h).at(-1)?.args), /Released/);
  });
});

describe('a wake while the follower looks', { skip: Boolean(process.env.CHATOPS_SKIP_PG) }, () => {
  test('a delivery applied by another replica while the follower is in the middle of a look is not lost: it looks again right after', async () => {
    // One worker runs one job at a time, so a wake during a look comes from another replica.
    const h = await startHarness({ store: 'postgres', env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    let second: BotUnderTest | null = null;
    try {
      second = await startReplica(h, { env: { GITHUB_WEBHOOK_SECRET: SECRET } });
      const { runId } = await release(h, 'v0.1.0b39');
      // The first look from the projection reads the workflow file once (the declared jobs):
      // hold that request, so the next delivery is applied (by the other replica) while the look is under way.
      const hold = h.github.holdNext({ method: 'GET', path: /\/contents\/\.github(%2F|\/)workflows(%2F|\/)release\.yml$/ });
      await deliverState(h, runId, h.appUrl);
      const arrived = await Promise.race([hold.arrived.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
      assert.ok(arrived, 'the follower reads the workflow file');
      assert.equal((await followJob(h)).status, 'running', 'the follower is in the middle of its look');
      h.github.setJob(runId, 'build', { status: 'in_progress' });
      await deliverState(h, runId, second.appUrl);
      await eventually(
        async () => (await h.store.githubEvents.jobsOf(h.seed.github.repo, runId)).some((j) => j.status === 'in_progress'),
        'the job fact to be applied',
        10_000,
      );
      const editsBefore = updates(h).length;
      hold.release();
      // The look under way renders the run as it read it; the wake that came meanwhile makes
      // the follower look again at once (its own next look is minutes away on either clock).
      await eventually(
        () =>
          updates(h)
            .slice(editsBefore)
            .some((c) => /In progress/.test(JSON.stringify(c.args)) && /running/.test(JSON.stringify(c.args))),
        'an edit showing the job running',
        10_000,
      );
    } finally {
      await second?.stop();
      await h.close();
    }
  });
});

describe('rotation verification from the projection', () => {
  test('the re-run that verifies a rotated GHE_TOKEN is followed from its delivered events, with no GitHub request for the run or its jobs', () =>
    withHarness(
      {
        env: { GITHUB_WEBHOOK_SECRET: SECRET },
        seed: { gheTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() },
        // The sync alert reads a completed sync run's jobs once (services/events/syncAlerts.ts):
        // off here, so what is counted is the verification's.
        config: (cfg) => {
          const repo = cfg.repos[0];
          assert.ok(repo);
          repo.alerts = { sync: 'off' };
        },
      },
      async (h) => {
        const { rotation, ts } = await startRotation(h);
        const newToken = newGheToken(h, { token: 'ghp_ROTATEDevents0123456789abcdefghijxyz1' });
        const view = await openModalFrom(h, ACTION_IDS.rotationEnter, rotation.id);
        await submitValue(h, view, newToken);
        const changeId = await threadApproval(h, ts);
        await h.click({ actionId: ACTION_IDS.secretApprove, value: changeId, user: USERS.bob });
        await waitChecklist(h, ts, /Verifying: re-run the last sync job/);
        const runId = h.seed.github.lastPublishRunId ?? 0;
        await eventually(() => requestsTo(h.github, 'POST', /\/actions\/jobs\/\d+\/rerun$/).some((r) => r.status === 201), 'the sync job to be re-run', 10_000);
        const afterRerun = h.github.requests.length;
        h.github.completeRun(runId, {});
        // GitHub's events for the re-run's end; the bot's clock stays where it is (its watch's own look is 15 s away).
        await deliverState(h, runId);
        await waitChecklist(h, ts, /Verified: re-run the last sync job passed/, 10_000);
        assert.deepEqual(
          runReads(h, runId, afterRerun).map((r) => `${r.method} ${r.path}`),
          [],
          'the re-run and its jobs came from the deliveries only',
        );
      },
    ));
});
