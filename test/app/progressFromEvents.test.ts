import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL, startHarness, type Harness } from '../helpers/harness.js';
import { deliver as deliverTo } from '../helpers/webhooks.js';

const SECRET = 'whsec-progress-test';

async function deliver(h: Harness, event: string, payload: unknown) {
  const res = await deliverTo({ appUrl: h.appUrl, secret: SECRET }, event, payload);
  assert.equal(res.status, 202);
}

async function api(h: Harness, path: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.github.apiUrl}/repos/${h.seed.github.repo}${path}`, { headers: { authorization: `token ${h.seed.github.token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
}

// The release message is the only one the bot edits in the channel in this test.
const updatesOf = (h: Harness) => h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.channel === CHANNEL);

describe('release progress from webhook events', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => h.close());

  test('a job event edits the release message without the clock reaching the next poll; a burst of 20 makes a bounded number of edits', async () => {
    const { responseUrl } = await h.command('/release', 'v0.1.0b39');
    const confirm = JSON.stringify((await h.responseTo(responseUrl)).args);
    const id = /"action_id":"release_confirm","value":"([^"]+)"/.exec(confirm)?.[1] ?? '';
    await h.click({ actionId: 'release_confirm', value: id });
    const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
    const ts = h.slack.workspace.messages(CHANNEL).find((m) => m.ts && JSON.stringify(m).includes('v0.1.0b39'))?.ts;
    assert.ok(ts, `the release message is in the channel (${JSON.stringify(posted.args).slice(0, 80)})`);
    const run = h.github.runs(h.seed.github.repo, '.github/workflows/release.yml').find((r) => r.event === 'workflow_dispatch');
    assert.ok(run);
    // Wait until the follower's first look (right after the dispatch) is over and its next poll is planned.
    let plannedAt = 0;
    for (let i = 0; i < 100; i++) {
      const job = await h.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'release.follow').executeTakeFirstOrThrow();
      if (job.status === 'pending') {
        plannedAt = Number(job.run_at);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(
      plannedAt > h.bot.deps.now().getTime() + 2000,
      `planned ${plannedAt} now ${h.bot.deps.now().getTime()}: the next poll is planned seconds away, so only the event can cause an edit now`,
    );
    const before = updatesOf(h).length;

    // As GitHub does: the run's workflow_run event first (it names the tag the run is for), then its jobs'.
    h.github.setJob(run.id, 'build', { status: 'in_progress' });
    const runJson = await api(h, `/actions/runs/${run.id}`);
    assert.equal(runJson.head_branch, 'v0.1.0b39');
    await deliver(h, 'workflow_run', { action: 'in_progress', workflow_run: runJson, repository: { full_name: h.seed.github.repo } });
    const jobs = (await api(h, `/actions/runs/${run.id}/jobs`)).jobs as Array<Record<string, unknown>>;
    const build = jobs.find((j) => j.status === 'in_progress') ?? jobs[0];
    assert.ok(build);
    await deliver(h, 'workflow_job', { action: 'in_progress', workflow_job: build, repository: { full_name: h.seed.github.repo } });
    for (let i = 0; i < 100 && updatesOf(h).length <= before; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(updatesOf(h).length > before, 'the event edited the release message');
    assert.match(JSON.stringify(updatesOf(h).at(-1)?.args), /in progress/);
    assert.ok(h.bot.deps.now().getTime() < plannedAt, 'the bot clock never reached the planned poll');

    // A burst: 20 job events within well under a second, each a change (the job ends, then the others move).
    const burstStart = updatesOf(h).length;
    const started = Date.now();
    h.github.setJob(run.id, 'build', { status: 'completed', conclusion: 'success' });
    const all = (await api(h, `/actions/runs/${run.id}/jobs`)).jobs as Array<Record<string, unknown>>;
    for (let i = 0; i < 20; i++) {
      const j = all[i % all.length];
      await deliver(h, 'workflow_job', {
        action: j?.status === 'completed' ? 'completed' : 'queued',
        workflow_job: j,
        repository: { full_name: h.seed.github.repo },
      });
    }
    await new Promise((r) => setTimeout(r, 3000));
    const edits = updatesOf(h).length - burstStart;
    const seconds = (Date.now() - started) / 1000;
    assert.ok(edits >= 1, 'the burst edited the message');
    // At most one edit a second per message (plus one for the edge of the window).
    assert.ok(edits <= Math.ceil(seconds) + 1, `${edits} edits in ${seconds.toFixed(1)} s`);
  });
});
