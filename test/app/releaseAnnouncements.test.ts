import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendEvent } from '@chatops/fake-slack';
import type { AlertsConfig } from '../../src/config/schema.js';
import { POLL_KIND, pollDedupeKey } from '../../src/services/events/poller.js';
import { CHANNEL, eventually, startHarness, USERS, type Harness } from '../helpers/harness.js';
import { deliver } from '../helpers/webhooks.js';

/**
 * Release-workflow runs not started from the bot (a tag push, semantic-release's dispatch)
 * are announced per `alerts.release`: the real bot against the fakes, the runs played out
 * on the fake GitHub and their workflow_run deliveries sent signed as GitHub sends them.
 */

const SECRET = 'whsec-release-announcements';
const RELEASE_YML = '.github/workflows/release.yml';

async function runJson(h: Harness, id: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.github.apiUrl}/repos/${h.seed.github.repo}/actions/runs/${id}`, { headers: { authorization: `token ${h.seed.github.token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

/** The run's workflow_run delivery as it is now on the fake GitHub; returns once the bot applied it. */
async function deliverRunState(h: Harness, id: number, deliveryId: string = crypto.randomUUID()): Promise<void> {
  const run = await runJson(h, id);
  const action = run.status === 'completed' ? 'completed' : run.status === 'queued' ? 'requested' : 'in_progress';
  const res = await deliver(
    { appUrl: h.appUrl, secret: SECRET },
    'workflow_run',
    { action, workflow_run: run, repository: { full_name: h.seed.github.repo } },
    { id: deliveryId },
  );
  assert.equal(res.status, 202);
  await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'the delivery applied', 10_000);
}

/** A run of release.yml that someone started on GitHub: a push of a new tag. */
function tagPushRun(h: Harness, tag: string, actor = 'semantic-release-bot'): number {
  h.github.createTag(h.seed.github.repo, tag, { sha: h.seed.github.mainSha });
  return h.github.startRun(h.seed.github.repo, RELEASE_YML, { event: 'push', headBranch: tag, headSha: h.seed.github.mainSha, actor });
}

const FAILING = { build: { conclusion: 'failure' as const, failedStep: 'Build distributions', log: 'error: build failed' } };

/** The announcements the bot sent (posts and edits), by the words every one of them has. */
const announcements = (h: Harness, method: 'chat.postMessage' | 'chat.update') =>
  h.slack.calls.filter((c) => c.method === method && JSON.stringify(c.args).includes('not from Slack'));
const mentions = (runId: number) => (c: { args: Record<string, unknown> }) => JSON.stringify(c.args).includes(`/actions/runs/${runId}`);

function harnessWith(level: AlertsConfig['release'], o: { webhooks?: boolean } = {}): Promise<Harness> {
  return startHarness({
    env: { GITHUB_WEBHOOK_SECRET: o.webhooks === false ? undefined : SECRET },
    config: (cfg) => {
      const repo = cfg.repos[0];
      assert.ok(repo);
      repo.alerts = { release: level };
    },
  });
}

describe('alerts.release: all', () => {
  let h: Harness;
  before(async () => {
    h = await harnessWith('all');
  });
  after(() => h.close());

  test('a tag-push run is posted when first seen and that one message is edited when it completes; redeliveries post nothing more', async () => {
    const id = tagPushRun(h, 'v0.2.0');
    await deliverRunState(h, id, 'release-run-queued');
    const posted = announcements(h, 'chat.postMessage').filter(mentions(id));
    assert.equal(posted.length, 1, 'one message when the run is first seen');
    const first = JSON.stringify(posted[0]?.args);
    assert.equal(posted[0]?.args.channel, CHANNEL);
    assert.match(first, /Release `v0\.2\.0` of \*pywats\* started on GitHub, not from Slack: a push of the tag \(semantic-release-bot\)/);
    assert.match(first, /is waiting/);
    const ts = h.slack.workspace.messages(CHANNEL).find((m) => (m.text ?? '').includes(`/actions/runs/${id}`))?.ts;
    assert.ok(ts, 'the message is in the channel');

    // The same state again: the same delivery id (dropped at the door) and another one (as the poller would find it).
    await deliverRunState(h, id, 'release-run-queued');
    await deliverRunState(h, id);
    h.github.setJob(id, 'build', { status: 'in_progress' });
    await deliverRunState(h, id);
    assert.equal(announcements(h, 'chat.postMessage').filter(mentions(id)).length, 1);
    assert.equal(announcements(h, 'chat.update').filter(mentions(id)).length, 0, 'queued to running is the same message');

    h.github.completeRun(id, {});
    await deliverRunState(h, id, 'release-run-completed');
    const edits = announcements(h, 'chat.update').filter(mentions(id));
    assert.equal(edits.length, 1, 'the completion edits the message');
    assert.equal(edits[0]?.args.ts, ts);
    assert.match(JSON.stringify(edits[0]?.args), /:white_check_mark: Release `v0\.2\.0` of \*pywats\* succeeded in \d+[smh]/);
    await deliverRunState(h, id, 'release-run-completed');
    await deliverRunState(h, id);
    assert.equal(announcements(h, 'chat.postMessage').filter(mentions(id)).length, 1, 'one message for the run, ever');
    assert.equal(announcements(h, 'chat.update').filter(mentions(id)).length, 1);
  });

  test("a run started by the bot's own /release is not announced (neither when it starts nor when it ends)", async () => {
    // A new commit and tag (the first test's run released main's commit, which /release would refuse to release again).
    const sha = h.github.pushCommit(h.seed.github.repo, { message: 'Prepare 0.3.0' });
    h.github.createTag(h.seed.github.repo, 'v0.3.0', { sha });
    const { responseUrl } = await h.command('/release', 'v0.3.0');
    const confirm = JSON.stringify((await h.responseTo(responseUrl)).args);
    const releaseId = /"action_id":"release_confirm","value":"([^"]+)"/.exec(confirm)?.[1] ?? '';
    assert.ok(releaseId, `the confirmation offers the release: ${confirm.slice(0, 600)}`);
    await h.click({ actionId: 'release_confirm', value: releaseId });
    let runId = 0;
    await eventually(() => {
      runId = h.github.runs(h.seed.github.repo, RELEASE_YML).find((r) => r.event === 'workflow_dispatch')?.id ?? 0;
      return runId !== 0;
    }, 'the dispatched run');
    await deliverRunState(h, runId);
    h.github.completeRun(runId, FAILING);
    await deliverRunState(h, runId);
    assert.equal(announcements(h, 'chat.postMessage').filter(mentions(runId)).length, 0);
    assert.equal(announcements(h, 'chat.update').filter(mentions(runId)).length, 0);
    assert.equal(await h.store.releaseAnnouncements.get(h.seed.github.repo, runId), null);
    // The bot's own release message is what follows that run.
    assert.ok((await h.store.releases.get(releaseId))?.messageTs, 'the release has its own message');
  });
});

describe('alerts.release: failures (the default)', () => {
  let h: Harness;
  before(async () => {
    h = await harnessWith('failures');
  });
  after(() => h.close());

  test('only the failed run is posted, once, when it completes; the successful one says nothing', async () => {
    const ok = tagPushRun(h, 'v0.2.0');
    const bad = tagPushRun(h, 'v0.2.1', 'alice-gh');
    await deliverRunState(h, ok);
    await deliverRunState(h, bad);
    assert.equal(announcements(h, 'chat.postMessage').length, 0, 'nothing while they run');
    h.github.completeRun(ok, {});
    h.github.completeRun(bad, FAILING);
    await deliverRunState(h, ok);
    await deliverRunState(h, bad, 'failed-run-completed');
    await deliverRunState(h, bad);
    const posted = announcements(h, 'chat.postMessage');
    assert.equal(posted.length, 1, JSON.stringify(posted.map((c) => c.args.text)));
    assert.ok(mentions(bad)(posted[0] ?? { args: {} }));
    assert.match(String(posted[0]?.args.text), /:x: Release `v0\.2\.1` of \*pywats\* failed after \d+[smh].*a push of the tag \(alice-gh\)/);
    assert.equal(announcements(h, 'chat.update').length, 0);
    assert.equal(await h.store.releaseAnnouncements.get(h.seed.github.repo, ok), null);
  });

  test('the App Home tab shows the newest release run not from Slack as the last release, without a GitHub request', async () => {
    h.github.clearRequests();
    const before = h.slack.calls.length;
    const res = await sendEvent(h.appUrl, h.signingSecret, { type: 'app_home_opened', user: USERS.carol, channel: 'D0HOME', tab: 'home' });
    assert.equal(res.status, 200);
    const call = await h.slack.waitFor((c) => c.method === 'views.publish' && h.slack.calls.indexOf(c) >= before);
    const view = JSON.stringify(call.args.view);
    // Both runs started at the fake's clock; the failed v0.2.1 was started last.
    assert.match(view, /Last release\* \(not from Slack\)\\n<[^|]+\|v0\.2\.1>: a tag push by alice-gh/);
    assert.match(view, /:x: failed/);
    assert.equal(h.github.requests.length, 0);
  });
});

describe('alerts.release: off', () => {
  let h: Harness;
  before(async () => {
    h = await harnessWith('off');
  });
  after(() => h.close());

  test('a failed run is kept in the projection, with who started it, and nothing is posted', async () => {
    const id = tagPushRun(h, 'v0.2.0');
    await deliverRunState(h, id);
    h.github.completeRun(id, FAILING);
    await deliverRunState(h, id);
    const stored = await h.store.githubEvents.run(h.seed.github.repo, id);
    assert.equal(stored?.conclusion, 'failure');
    assert.equal(stored?.actor, 'semantic-release-bot');
    assert.equal(announcements(h, 'chat.postMessage').length, 0);
    assert.equal(await h.store.releaseAnnouncements.get(h.seed.github.repo, id), null);
  });
});

describe('alerts.release: all, by polling alone (no webhooks)', () => {
  let h: Harness;
  before(async () => {
    h = await harnessWith('all', { webhooks: false });
  });
  after(() => h.close());

  /** The poll job's next look is planned after `since` (it finished the look due then). */
  async function lookedAfter(since: number) {
    await eventually(
      async () => {
        const id = await h.store.jobs.enqueue({ kind: POLL_KIND, payload: { repo: h.seed.github.repo }, dedupeKey: pollDedupeKey(h.seed.github.repo) });
        const job = await h.store.jobs.get(id);
        return job?.status === 'pending' && job.runAt.getTime() > since;
      },
      'a look of the poller',
      15_000,
    );
  }

  test('the poller feeds the same intake: the run is posted when seen and the message edited when it completes', async () => {
    await lookedAfter(0);
    const id = tagPushRun(h, 'v0.2.0');
    h.bot.advance(61_000);
    await lookedAfter(h.bot.deps.now().getTime() - 1000);
    await eventually(() => announcements(h, 'chat.postMessage').filter(mentions(id)).length === 1, 'the announcement', 10_000);
    assert.match(String(announcements(h, 'chat.postMessage').filter(mentions(id))[0]?.args.text), /a push of the tag \(semantic-release-bot\)/);
    h.github.completeRun(id, FAILING);
    h.bot.advance(61_000);
    await eventually(() => announcements(h, 'chat.update').filter(mentions(id)).length === 1, 'the edit', 10_000);
    assert.match(String(announcements(h, 'chat.update').filter(mentions(id))[0]?.args.text), /^:x: Release `v0\.2\.0` of \*pywats\* failed/);
    assert.equal(announcements(h, 'chat.postMessage').filter(mentions(id)).length, 1);
  });
});
