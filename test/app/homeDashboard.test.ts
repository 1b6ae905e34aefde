import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendEvent } from '@chatops/fake-slack';
import { CHANNEL, eventually, startHarness, USERS, type Harness } from '../helpers/harness.js';
import { deliverRun } from '../helpers/webhooks.js';

const SECRET = 'whsec-home';

async function openHome(h: Harness, user: string): Promise<string> {
  const before = h.slack.calls.length;
  const res = await sendEvent(h.appUrl, h.signingSecret, { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
  assert.equal(res.status, 200);
  const call = await h.slack.waitFor((c) => c.method === 'views.publish' && c.args.user_id === user && h.slack.calls.indexOf(c) >= before);
  assert.ok(call.ok, call.error);
  const blocks = (call.args.view as { blocks: unknown[] }).blocks;
  assert.ok(blocks.length <= 100);
  return JSON.stringify(call.args.view);
}

describe('App Home dashboard', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    const runId = h.seed.github.lastPublishRunId ?? 0;
    await deliverRun({ appUrl: h.appUrl, secret: SECRET }, { apiUrl: h.github.apiUrl, token: h.seed.github.token }, h.seed.github.repo, runId);
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied', 10_000);
    const { responseUrl } = await h.command('/sync-status', '');
    await h.responseTo(responseUrl);
    const created = await h.store.secretChanges.create({
      repo: h.seed.github.repo,
      repoName: 'pywats',
      secret: 'GHE_TOKEN',
      secretKind: 'classic-pat',
      action: 'revoke',
      requestedBy: USERS.alice,
      channel: CHANNEL,
      facts: { checks: [], impact: [] },
      ttlSeconds: 3600,
    });
    assert.equal(created.kind, 'created');
  });
  after(() => h.close());

  test('an approver sees the pending request; someone else does not; both see the sync, mirror and secrets; no GitHub request', async () => {
    h.github.clearRequests();
    h.ghe.clearRequests();
    const bob = await openHome(h, USERS.bob);
    assert.match(bob, /Waiting for your approval \(1\)/);
    assert.match(bob, /revoke `GHE_TOKEN` on \*pywats\*/);
    assert.match(bob, /Sync to GitHub Enterprise/);
    assert.match(bob, /1 tag missing/);
    assert.match(bob, /`GHE_TOKEN`: set \d+ d ago, overdue/);
    const carol = await openHome(h, USERS.carol);
    assert.match(carol, /Waiting for you:\* nothing/);
    assert.doesNotMatch(carol, /Waiting for your approval/);
    assert.equal(h.github.requests.length, 0, 'no request to github.com');
    assert.equal(h.ghe.requests.length, 0, 'no request to GHE');
  });
});

describe('App Home on a projection fed by deliveries alone', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => h.close());

  test('with no /sync-status ever asked, Home names the sync job of the delivered run (the file it ran, read once when it completed) and reads nothing', async () => {
    const runId = h.seed.github.lastPublishRunId ?? 0;
    await deliverRun({ appUrl: h.appUrl, secret: SECRET }, { apiUrl: h.github.apiUrl, token: h.seed.github.token }, h.seed.github.repo, runId);
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied', 10_000);
    const run = await h.store.githubEvents.run(h.seed.github.repo, runId);
    assert.ok(run?.workflowPath && run.headSha);
    // `sync.job` is the YAML id (sync-to-ghe); GitHub reports the display name: the names were stored when the run completed.
    assert.ok(await h.store.syncProjection.workflowJobNames(h.seed.github.repo, run.workflowPath, run.headSha), 'the job names are stored');
    h.github.clearRequests();
    h.ghe.clearRequests();
    const home = await openHome(h, USERS.carol);
    assert.match(home, /Sync to GitHub Enterprise/);
    assert.doesNotMatch(home, /no sync job/i);
    assert.equal(h.github.requests.length, 0, 'no request to github.com');
    assert.equal(h.ghe.requests.length, 0, 'no request to GHE');
  });
});

describe('App Home republished when the projection changes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    // A mirror check reads the workflow file, which maps `sync-to-ghe` to the job's display name on Home.
    const { responseUrl } = await h.command('/sync-status', '');
    await h.responseTo(responseUrl);
  });
  after(() => h.close());

  const publishesTo = (user: string) => h.slack.calls.filter((c) => c.method === 'views.publish' && c.args.user_id === user);
  const applied = () => eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied', 10_000);
  /** A completed run of the sync workflow in the fake, delivered as GitHub would; returns its sync job's URL. */
  async function syncRun(failed: boolean): Promise<string> {
    const outcome: Record<string, { conclusion: 'failure'; failedStep: string; log: string }> = failed
      ? {
          'sync-to-ghe': {
            conclusion: 'failure' as const,
            failedStep: 'Push to GitHub Enterprise',
            log: "fatal: Authentication failed for 'https://x/y.git/'",
          },
        }
      : {};
    const repo = h.seed.github.repo;
    const runId = h.github.simulateRun(
      repo,
      '.github/workflows/publish.yml',
      { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' },
      outcome,
    );
    await deliverRun({ appUrl: h.appUrl, secret: SECRET }, { apiUrl: h.github.apiUrl, token: h.seed.github.token }, repo, runId);
    const sync = h.github
      .runs(repo)
      .find((r) => r.id === runId)
      ?.jobs.find((j) => j.name.includes('Enterprise'));
    assert.ok(sync, 'the run has its sync job');
    const res = await fetch(`${h.github.apiUrl}/repos/${repo}/actions/runs/${runId}/jobs`, { headers: { authorization: `token ${h.seed.github.token}` } });
    const jobs = ((await res.json()) as { jobs: Array<{ name: string; html_url: string }> }).jobs;
    const url = jobs.find((j) => j.name === sync.name)?.html_url;
    assert.ok(url);
    return url;
  }
  /** The worker takes due jobs at least once a second: two looks. */
  const twoWorkerLooks = () => new Promise((r) => setTimeout(r, 2500));

  test('a sync failure republishes the Home of whoever opened it, once, with the new state and no GitHub request', async () => {
    const opened = await openHome(h, USERS.bob);
    const failedJob = await syncRun(true);
    assert.doesNotMatch(opened, new RegExp(failedJob.replace(/[/.]/g, '\\$&')), 'the run is newer than the Home bob opened');
    await applied();
    // The sync alert has read GitHub (jobs, log); what follows is the republish alone.
    h.github.clearRequests();
    h.ghe.clearRequests();
    const before = publishesTo(USERS.bob).length;
    h.bot.advance(4000); // past the coalescing delay
    const call = await h.slack.waitFor(
      (c) => c.method === 'views.publish' && c.args.user_id === USERS.bob && publishesTo(USERS.bob).indexOf(c) >= before,
      10_000,
    );
    assert.ok(call.ok, call.error);
    const view = JSON.stringify(call.args.view);
    assert.ok(view.includes(failedJob), `the republished Home links the failed sync job ${failedJob}: ${view.slice(0, 1500)}`);
    assert.match(view, /failed/);
    assert.equal(h.github.requests.length, 0, 'no request to github.com');
    assert.equal(h.ghe.requests.length, 0, 'no request to GHE');
    assert.equal(publishesTo(USERS.carol).length, 0, 'carol never opened Home: nothing is published for her');

    // Two changes in a row: one publish for both, showing the last.
    await syncRun(true);
    const passedJob = await syncRun(false);
    await applied();
    const burst = publishesTo(USERS.bob).length;
    h.bot.advance(4000);
    await h.slack.waitFor((c) => c.method === 'views.publish' && c.args.user_id === USERS.bob && publishesTo(USERS.bob).indexOf(c) >= burst, 10_000);
    await twoWorkerLooks();
    const after = publishesTo(USERS.bob).slice(burst);
    assert.equal(after.length, 1, 'the two changes were published together');
    assert.ok(JSON.stringify(after[0]?.args.view).includes(passedJob), 'it shows the passing sync');
  });

  test('a day after the last open the watch has ended: changes publish nothing until Home is opened again', async () => {
    await openHome(h, USERS.carol);
    h.bot.advance(25 * 3600_000);
    await twoWorkerLooks(); // the watch ends (the job is due at its end and finishes)
    const watch = await h.store.db.selectFrom('jobs').select(['status']).where('dedupe_key', '=', `home-republish:${USERS.carol}`).execute();
    assert.deepEqual(
      watch.map((w) => w.status),
      ['done'],
    );
    const before = publishesTo(USERS.carol).length;
    await syncRun(true);
    await applied();
    h.bot.advance(4000);
    await twoWorkerLooks();
    assert.equal(publishesTo(USERS.carol).length, before, 'no publish after the watch ended');
    await openHome(h, USERS.carol);
    const reopened = publishesTo(USERS.carol).length;
    await syncRun(false);
    await applied();
    h.bot.advance(4000);
    await h.slack.waitFor((c) => c.method === 'views.publish' && c.args.user_id === USERS.carol && publishesTo(USERS.carol).indexOf(c) >= reopened, 10_000);
  });
});
