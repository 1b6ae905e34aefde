import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APPLY_KIND } from '../../src/services/events/intake.js';
import { CHANNEL, eventually, startReplica, startHarness, type Harness } from '../helpers/harness.js';
import { deliver as deliverTo, deliverRun, type DeliveryOptions } from '../helpers/webhooks.js';

const SECRET = 'whsec-events-test';

/** One delivery to the harness's bot, signed with its secret unless `o` says otherwise. */
const deliver = (h: Harness, event: string, payload: unknown, o: DeliveryOptions = {}) => deliverTo({ appUrl: h.appUrl, secret: SECRET }, event, payload, o);

/** The run as the fake GitHub's REST API gives it: the shape of a workflow_run payload's run. */
async function runOf(h: Harness, id: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.github.apiUrl}/repos/${h.seed.github.repo}/actions/runs/${id}`, { headers: { authorization: `token ${h.seed.github.token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

describe('GitHub events over webhooks', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => h.close());

  test('forged and unsigned deliveries get 401 and store nothing; malformed JSON 400', async () => {
    const payload = { action: 'created', ref: 'v9.9.9', ref_type: 'tag', repository: { full_name: h.seed.github.repo } };
    assert.equal((await deliver(h, 'create', payload, { secret: 'wrong' })).status, 401);
    assert.equal((await deliver(h, 'create', payload, { signature: null })).status, 401);
    const bad = await deliver(h, 'create', null, { id: 'd-bad', body: '{nope' });
    assert.equal(bad.status, 400);
    assert.equal(await h.store.githubEvents.deliveryCount(), 0);
    assert.equal(await h.store.githubEvents.tag(h.seed.github.repo, 'v9.9.9'), null);
  });

  test('a tag is stored once, applied, and a replayed delivery id changes nothing; other repos and events ignored', async () => {
    const payload = { ref: 'v2.0.0', ref_type: 'tag', repository: { full_name: h.seed.github.repo } };
    const first = await deliver(h, 'create', payload, { id: 'delivery-tag-1' });
    assert.equal(first.status, 202);
    assert.deepEqual(await first.json(), { stored: true });
    const again = await deliver(h, 'create', payload, { id: 'delivery-tag-1' });
    assert.deepEqual(await again.json(), { stored: false, duplicate: true });
    await eventually(async () => (await h.store.githubEvents.tag(h.seed.github.repo, 'v2.0.0')) !== null, 'the tag in the projection');
    const other = await deliver(h, 'create', { ref: 'v1.0.0', ref_type: 'tag', repository: { full_name: 'someone/else' } });
    assert.deepEqual(await other.json(), { ignored: 'repository not configured' });
    const issues = await deliver(h, 'issues', { action: 'opened', repository: { full_name: h.seed.github.repo } });
    assert.equal(issues.status, 202);
    assert.deepEqual(await (await deliver(h, 'ping', { zen: 'hi', repository: { full_name: h.seed.github.repo } })).json(), { pong: true });
    assert.equal(await h.store.githubEvents.deliveryCount(), 1);
  });

  test('a failed sync posts one alert with the diagnosis and Rotate GHE_TOKEN; a repeat changes nothing; the next failure replies; a pass edits it to recovered', async () => {
    const runId = h.seed.github.lastPublishRunId;
    assert.ok(runId);
    const run = await runOf(h, runId);
    const payload = { action: 'completed', workflow_run: run, repository: { full_name: h.seed.github.repo } };
    const taken = await deliver(h, 'workflow_run', payload, { id: 'run-1' });
    assert.deepEqual(await taken.json(), { stored: true });
    const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'), 10_000);
    const text = JSON.stringify(posted.args);
    assert.equal(posted.args.channel, CHANNEL);
    assert.match(text, /authentication failed/);
    assert.match(text, /Rotate GHE_TOKEN/);
    assert.match(text, /rotation_start/);
    // The run's jobs are read once, for the projection and the alert both (its delivery carried none).
    assert.equal(h.github.requests.filter((r) => r.path.endsWith(`/actions/runs/${runId}/jobs`)).length, 1, 'the jobs of the run read once');
    const alertTs = h.slack.workspace.messages(CHANNEL).find((m) => (m.text ?? '').includes('GitHub Enterprise failed'))?.ts;
    assert.ok(alertTs);
    // The same run again under another delivery id (as polling would find it): no second message.
    assert.equal((await deliver(h, 'workflow_run', payload, { id: 'run-1-again' })).status, 202);
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied');
    const alerts = () => h.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'));
    assert.equal(alerts().length, 1);

    const outcome = {
      'sync-to-ghe': { conclusion: 'failure' as const, failedStep: 'Push to GitHub Enterprise', log: "fatal: Authentication failed for 'https://x/y.git/'" },
    };
    const second = h.github.simulateRun(
      h.seed.github.repo,
      '.github/workflows/publish.yml',
      { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' },
      outcome,
    );
    await deliver(h, 'workflow_run', { action: 'completed', workflow_run: await runOf(h, second), repository: { full_name: h.seed.github.repo } });
    const reply = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === alertTs, 10_000);
    assert.match(JSON.stringify(reply.args), /Failed again \(2 failures/);

    const passing = h.github.simulateRun(
      h.seed.github.repo,
      '.github/workflows/publish.yml',
      { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' },
      {},
    );
    await deliver(h, 'workflow_run', { action: 'completed', workflow_run: await runOf(h, passing), repository: { full_name: h.seed.github.repo } });
    const edit = await h.slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === alertTs, 10_000);
    assert.match(JSON.stringify(edit.args), /recovered/);
    assert.doesNotMatch(JSON.stringify(edit.args), /rotation_start/);
  });
});

describe('deliveries sent back to back', () => {
  test('each is applied at once, also one stored while the apply job was finishing its last look (not at its 60 s idle look)', async () => {
    const h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    try {
      const repo = h.seed.github.repo;
      for (let i = 0; i < 4; i++) {
        const runId = h.github.simulateRun(
          repo,
          '.github/workflows/publish.yml',
          { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' },
          {},
        );
        // Its jobs, then the run: each answered before the next is sent, as GitHub sends them.
        await deliverRun({ appUrl: h.appUrl, secret: SECRET }, { apiUrl: h.github.apiUrl, token: h.seed.github.token }, repo, runId);
      }
      // The bot's clock stays put: only the job being run again can apply what is left.
      await eventually(async () => (await h.store.githubEvents.pending(repo, 5)).length === 0, 'every delivery applied', 10_000);
    } finally {
      await h.close();
    }
  });
});

describe('GitHub events with alerts.sync off', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      env: { GITHUB_WEBHOOK_SECRET: SECRET },
      config: (cfg) => {
        const repo = cfg.repos[0];
        assert.ok(repo);
        repo.alerts = { sync: 'off' };
      },
    });
  });
  after(() => h.close());

  test('a failed sync is kept in the projection and posts nothing', async () => {
    const runId = h.seed.github.lastPublishRunId;
    assert.ok(runId);
    const payload = { action: 'completed', workflow_run: await runOf(h, runId), repository: { full_name: h.seed.github.repo } };
    assert.deepEqual(await (await deliver(h, 'workflow_run', payload)).json(), { stored: true });
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied');
    assert.ok(await h.store.githubEvents.run(h.seed.github.repo, runId), 'the run is in the projection');
    assert.equal(await h.store.githubEvents.syncAlert(h.seed.github.repo), null);
    assert.deepEqual(
      h.slack.calls.filter((c) => c.method.startsWith('chat.')),
      [],
    );
  });
});

describe('a replica lost between storing and applying a delivery', () => {
  test('another replica on the same database takes the apply job over once its lease runs out, and posts the alert once', { timeout: 60_000 }, async () => {
    const h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    let second: Awaited<ReturnType<typeof startReplica>> | null = null;
    try {
      assert.ok(h.dbFile, 'the first replica runs on a SQLite file');
      // The first replica stores the delivery and answers GitHub, but never applies it:
      // its worker is stopped, and the apply job is leased to an owner that then dies.
      await h.bot.chatops.worker.stop();
      const runId = h.seed.github.lastPublishRunId;
      assert.ok(runId);
      const payload = { action: 'completed', workflow_run: await runOf(h, runId), repository: { full_name: h.seed.github.repo } };
      assert.deepEqual(await (await deliver(h, 'workflow_run', payload, { id: 'run-takeover' })).json(), { stored: true });
      const leased = await h.store.jobs.claim({ owner: 'replica-killed', kinds: [APPLY_KIND], leaseSeconds: 30, now: h.deps.now() });
      assert.ok(leased, 'the apply job was waiting');
      await h.bot.stop({ keepFiles: true });
      assert.equal(h.slack.calls.filter((c) => c.method.startsWith('chat.')).length, 0);

      second = await startReplica(h, { env: { GITHUB_WEBHOOK_SECRET: SECRET } });
      const store = second.store;
      // Within the dead owner's lease, nothing moves.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await store.githubEvents.pending(h.seed.github.repo, 5)).length, 1, 'still pending while the lease stands');
      second.advance(31_000);
      await eventually(async () => (await store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied by the second replica', 15_000);
      const alerts = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes('GitHub Enterprise failed'));
      assert.equal(alerts.length, 1);
      assert.match(JSON.stringify(alerts[0]?.args), /Rotate GHE_TOKEN/);
      assert.equal(await store.githubEvents.deliveryCount(), 1);
    } finally {
      await second?.stop();
      await Promise.all([h.slack.stop(), h.github.stop(), h.ghe.stop()]);
    }
  });
});
