import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeGitHub } from '@chatops/fake-github';
import { POLL_KIND, pollDedupeKey } from '../../src/services/events/poller.js';
import { PollState, RELEASES_PER_LOOK } from '../../src/core/events/poll.js';
import type { Store } from '../../src/store/index.js';
import { eventually, startReplica, startHarness, type Harness } from '../helpers/harness.js';
import { deliver } from '../helpers/webhooks.js';

const SECRET = 'whsec-poller-test';
const PUBLISH = '.github/workflows/publish.yml';
const AUTH_FAILURE = {
  'sync-to-ghe': { conclusion: 'failure' as const, failedStep: 'Push to GitHub Enterprise', log: "fatal: Authentication failed for 'https://x/y.git/'" },
};
const backends = process.env.CHATOPS_SKIP_PG ? (['sqlite'] as const) : (['sqlite', 'postgres'] as const);

/** The repository's poll job, as the store holds it (enqueue with its dedupe key names the existing one). */
async function pollJob(store: Store, repo: string) {
  const id = await store.jobs.enqueue({ kind: POLL_KIND, payload: { repo }, dedupeKey: pollDedupeKey(repo) });
  const job = await store.jobs.get(id);
  assert.ok(job);
  return job;
}

/** Waits for the poll job to have finished a look after `since`, the bot's time once the look was due (it is then rescheduled past it). */
async function looked(store: Store, repo: string, since: Date, what: string) {
  await eventually(
    async () => {
      const j = await pollJob(store, repo);
      return j.status === 'pending' && j.runAt.getTime() > since.getTime() && Object.keys(PollState.parse(j.payload).etags).length > 0;
    },
    what,
    15_000,
  );
}

/** The requests the poller makes for one repository: runs lists, jobs lists, tags, releases. */
const pollReads = (gh: FakeGitHub, repo: string) =>
  gh.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`/repos/${repo}/`) && /\/(tags|runs|jobs|releases)$/.test(r.path));

const alerts = (h: Harness) => h.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'));

for (const store of backends) {
  describe(`the events poller without webhooks (${store})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ store, env: { GITHUB_WEBHOOK_SECRET: undefined } });
    });
    after(() => h.close());

    test('a run started on the fake reaches the projection and a failed sync is alerted, with no webhook; a look with nothing new costs only 304s', async () => {
      const repo = h.seed.github.repo;
      // The look at start-up learns what there is: the seed's failed sync finished before the bot looked and is no news.
      await looked(h.store, repo, new Date(0), 'the first look');
      const first = await pollJob(h.store, repo);
      assert.equal(first.leaseOwner, null);
      assert.equal(alerts(h).length, 0, 'a run finished before the first look is not alerted');

      const runId = h.github.startRun(repo, PUBLISH, { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' });
      h.bot.advance(61_000);
      let since = h.deps.now();
      await looked(h.store, repo, since, 'a look a minute later');
      await eventually(
        async () => ['queued', 'in_progress'].includes((await h.store.githubEvents.run(repo, runId))?.status ?? ''),
        'the run, not finished, in the projection',
        10_000,
      );
      await eventually(async () => (await h.store.githubEvents.jobsOf(repo, runId)).length > 0, 'its jobs in the projection', 10_000);

      h.github.completeRun(runId, AUTH_FAILURE);
      h.bot.advance(61_000);
      since = h.deps.now();
      await looked(h.store, repo, since, 'the look after the run ended');
      const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'), 10_000);
      assert.match(JSON.stringify(posted.args), /Rotate GHE_TOKEN/);
      const row = await h.store.githubEvents.run(repo, runId);
      assert.equal(row?.status, 'completed');
      assert.equal(row?.conclusion, 'failure');
      const sync = (await h.store.githubEvents.jobsOf(repo, runId)).find((j) => j.name.includes('GitHub Enterprise'));
      assert.equal(sync?.conclusion, 'failure');
      assert.equal(sync?.failingStep, 'Push to GitHub Enterprise');
      await eventually(async () => (await h.store.githubEvents.pending(repo, 5)).length === 0, 'everything applied');

      // Nothing changed on GitHub: the next look asks with ETags and gets only 304s.
      const deliveries = await h.store.githubEvents.deliveryCount();
      h.github.clearRequests();
      h.bot.advance(61_000);
      since = h.deps.now();
      await looked(h.store, repo, since, 'a look with nothing new');
      const reads = pollReads(h.github, repo);
      assert.ok(reads.some((r) => r.path.endsWith('/tags')) && reads.some((r) => r.path.endsWith('/runs')), JSON.stringify(reads));
      // The releases page too (the query a release's follower asks for its link: ReleasePort.releaseUrl), with its ETag.
      assert.ok(
        reads.some((r) => r.path.endsWith('/releases') && r.query.per_page === String(RELEASES_PER_LOOK) && r.conditional),
        JSON.stringify(reads),
      );
      assert.deepEqual(
        reads.filter((r) => r.status !== 304),
        [],
        'every read of an unchanged repository is answered 304',
      );
      assert.equal(await h.store.githubEvents.deliveryCount(), deliveries, 'nothing new stored');
      assert.equal(alerts(h).length, 1, 'one alert');
      // A look with nothing new still confirms the projection, so /sync-status may report from it without webhooks.
      const confirmed = await h.store.syncProjection.confirmedAt(repo);
      assert.ok(confirmed && confirmed.getTime() >= since.getTime(), `confirmed by the last look (${confirmed?.toISOString()})`);
    });

    test('a tag pushed after the first look is stored as a push would be', async () => {
      const repo = h.seed.github.repo;
      h.github.createTag(repo, 'v9.8.7', { sha: h.seed.github.mainSha });
      h.bot.advance(61_000);
      const since = h.deps.now();
      await looked(h.store, repo, since, 'a look after the tag');
      await eventually(async () => (await h.store.githubEvents.tag(repo, 'v9.8.7'))?.sha === h.seed.github.mainSha, 'the tag in the projection', 10_000);
    });
  });

  describe(`the poll job survives a restart (${store})`, () => {
    test('the next replica takes the same job, asks with its ETags, and alerts a failure that happened while none ran', { timeout: 60_000 }, async () => {
      const h = await startHarness({ store, env: { GITHUB_WEBHOOK_SECRET: undefined } });
      let second: Awaited<ReturnType<typeof startReplica>> | null = null;
      const repo = h.seed.github.repo;
      try {
        await looked(h.store, repo, new Date(0), 'the first look');
        const before = await pollJob(h.store, repo);
        await h.bot.stop({ keepFiles: true });

        const runId = h.github.simulateRun(
          repo,
          PUBLISH,
          { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' },
          AUTH_FAILURE,
        );
        h.github.clearRequests();
        second = await startReplica(h, { env: { GITHUB_WEBHOOK_SECRET: undefined } });
        const s = second.store;
        await h.slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'), 15_000);
        assert.equal((await s.githubEvents.run(repo, runId))?.conclusion, 'failure');
        const after = await pollJob(s, repo);
        assert.equal(after.id, before.id, 'one poll job per repository, the same after the restart');
        // The new process has an empty ETag cache: the ETags came from the job, so unchanged tags cost a 304.
        const tagReads = pollReads(h.github, repo).filter((r) => r.path.endsWith('/tags'));
        assert.equal(tagReads[0]?.status, 304);
        assert.equal(pollReads(h.github, repo).find((r) => r.path.endsWith('/releases'))?.status, 304, 'so do unchanged releases');
        assert.equal(alerts(h).length, 1);
      } finally {
        await second?.stop();
        await Promise.all([h.slack.stop(), h.github.stop(), h.ghe.stop()]);
      }
    });
  });
}

describe('webhooks and the reconciling poller on the same run', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => h.close());

  test('the webhook and the poll of one run give one projection row and one alert; with webhooks the poller looks every reconcileSeconds', async () => {
    const repo = h.seed.github.repo;
    await looked(h.store, repo, new Date(0), 'the first look');
    const job = await pollJob(h.store, repo);
    const interval = job.runAt.getTime() - h.deps.now().getTime();
    assert.ok(interval > 590_000 && interval <= 600_000, `next look in ${interval} ms`);

    const runId = h.github.simulateRun(repo, PUBLISH, { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' }, AUTH_FAILURE);
    const runRes = await fetch(`${h.github.apiUrl}/repos/${repo}/actions/runs/${runId}`, { headers: { authorization: `token ${h.seed.github.token}` } });
    const res = await deliver({ appUrl: h.appUrl, secret: SECRET }, 'workflow_run', {
      action: 'completed',
      workflow_run: await runRes.json(),
      repository: { full_name: repo },
    });
    assert.equal(res.status, 202);
    await h.slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'), 10_000);
    await eventually(async () => (await h.store.githubEvents.pending(repo, 5)).length === 0, 'the webhook applied');
    const afterWebhook = await h.store.githubEvents.deliveryCount();

    // Ten minutes later the poller reconciles: it reads the same run, stores it under its own id, applies it: nothing more is said.
    h.bot.advance(601_000);
    const since = h.deps.now();
    await looked(h.store, repo, since, 'the reconciling look');
    await eventually(async () => (await h.store.githubEvents.pending(repo, 5)).length === 0, 'the poll applied');
    assert.ok((await h.store.githubEvents.deliveryCount()) > afterWebhook, 'the poller stored the run it read');
    const rows = (await h.store.githubEvents.latestRuns(repo, PUBLISH, 50)).filter((r) => r.runId === runId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.conclusion, 'failure');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(alerts(h).length, 1, 'one alert for the run');
  });
});
