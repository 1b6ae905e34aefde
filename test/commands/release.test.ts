import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import type { RecordedCall } from '@chatops/fake-slack';
import { sendEvent } from '@chatops/fake-slack';
import { CHANNEL, eventually, startReplica, startHarness, USERS, withHarness, type Harness } from '../helpers/harness.js';

const RELEASE_WF = '.github/workflows/release.yml';
const TAG = 'v0.1.0b39';
const textOf = (c: RecordedCall): string => JSON.stringify(c.args);

/** `/release` until its private confirmation; returns the release id on the buttons. */
async function askRelease(h: Harness, text = TAG, user: string = USERS.alice): Promise<{ reply: RecordedCall; id: string | null }> {
  const { http, responseUrl } = await h.command('/release', text, { user });
  assert.equal(http.status, 200);
  const reply = await h.responseTo(responseUrl);
  const m = /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(reply));
  return { reply, id: m?.[1] ?? null };
}

const dispatches = (h: Harness) => h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length;
const releaseRuns = (h: Harness) => h.github.runs(h.seed.github.repo, RELEASE_WF).filter((r) => r.event === 'workflow_dispatch');
/** The message's ts is stored just after Slack answers; a test's next poll must not overtake that. */
const dispatchRecorded = (h: Harness) =>
  eventually(async () => (await h.store.audit.list()).some((e) => e.action === 'release:dispatch'), 'the dispatch is recorded');

/** Asks for the release, confirms it, and returns the run the dispatch created once the channel message is posted. */
async function confirmedRun(h: Harness): Promise<{ id: number }> {
  const { id } = await askRelease(h);
  await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id ?? '' });
  await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
  await dispatchRecorded(h);
  const [run] = releaseRuns(h);
  assert.ok(run, 'the dispatch created a run');
  return run;
}

/** Lets the bot's clock run ahead so the next poll of the follower is due. */
const nextPoll = (h: Harness) => h.bot.advance(61_000);

describe('/release', () => {
  test('happy path: confirm, dispatch once, follow queued -> in progress -> done in one channel message', () =>
    withHarness({}, async (h) => {
      const { reply, id } = await askRelease(h);
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.match(textOf(reply), /Release `v0\.1\.0b39` of `pywats`\?/);
      assert.match(textOf(reply), /release\.yml/);
      assert.ok(id);

      const click = await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      assert.equal(click.http.status, 200);
      const main = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      assert.match(textOf(main), /Release v0\.1\.0b39 of pywats, started by <@U0ALICE001>/);
      await dispatchRecorded(h);
      assert.equal(dispatches(h), 1);
      const [run] = releaseRuns(h);
      assert.ok(run, 'the dispatch created a run');

      for (const job of ['build', 'sign']) h.github.setJob(run.id, job, { status: 'in_progress' });
      nextPoll(h);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /in progress|running/i.test(textOf(c)), 10_000);

      h.github.completeRun(run.id, {});
      nextPoll(h);
      const done = await h.slack.waitFor((c) => c.method === 'chat.update' && /released in/i.test(textOf(c)), 10_000);
      // One channel message, edited in place.
      assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL && !c.args.thread_ts).length, 1);
      assert.equal(new Set(h.slack.callsTo('chat.update').map((c) => c.args.ts)).size, 1);
      assert.equal(done.args.channel, CHANNEL);
      assert.ok(main.ok);
      assert.match(textOf(done), /actions\/runs\/\d+/);
      await eventually(
        async () => (await h.store.audit.list()).some((e) => e.action === 'release:finished' && e.outcome === 'success'),
        'the audit of the end',
      );
      assert.equal(dispatches(h), 1, 'never dispatched twice');
      const actions = (await h.store.audit.list()).map((e) => `${e.action}:${e.outcome}`);
      assert.ok(actions.includes('command:/release:confirmation') && actions.includes('release:dispatch:run'), actions.join(' '));
    }));

  test('a failed job adds one reply in the thread with the failing step', () =>
    withHarness({}, async (h) => {
      const { id } = await askRelease(h);
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id ?? '' });
      const main = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      await dispatchRecorded(h);
      const [run] = releaseRuns(h);
      assert.ok(run);
      h.github.completeRun(run.id, { sign: { conclusion: 'failure', failedStep: 'Sign distributions', log: 'sigstore: error: OIDC token expired' } });
      nextPoll(h);
      const reply = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined, 10_000);
      assert.ok(reply.args.thread_ts);
      assert.match(textOf(reply), /Sign distributions/);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /fail/i.test(textOf(c)), 10_000);
      nextPoll(h);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts).length, 1, 'one reply, never repeated');
      assert.ok(main.ok);
    }));

  test('refusals: usage, unknown tag, not allowed; nothing dispatched', () =>
    withHarness({}, async (h) => {
      const bad = await h.command('/release', 'latest');
      assert.match(JSON.parse(bad.http.body).text as string, /v1\.3\.0.*v0\.1\.0b39/s);
      const missing = await askRelease(h, 'v9.9.9');
      assert.match(textOf(missing.reply), /Tag `v9\.9\.9` does not exist.*Latest tags/);
      assert.equal(missing.id, null);
      const carol = await askRelease(h, TAG, USERS.carol);
      assert.match(textOf(carol.reply), /not allowed to release/);
      assert.equal(carol.id, null);
      assert.equal(dispatches(h), 0);
    }));

  test('access through a user group, refreshed when the group changes', () =>
    withHarness({ config: (cfg) => void (cfg.access.release = ['S0RELEASERS']) }, async (h) => {
      h.slack.addUsergroup('S0RELEASERS', [USERS.bob]);
      assert.ok((await askRelease(h, TAG, USERS.bob)).id, 'a member may');
      assert.match(textOf((await askRelease(h, 'v0.1.0b38', USERS.carol)).reply), /not allowed/);
      h.slack.setUsergroupUsers('S0RELEASERS', [USERS.carol]);
      const ev = await sendEvent(h.appUrl, h.signingSecret, {
        type: 'subteam_members_changed',
        subteam_id: 'S0RELEASERS',
        team_id: 'T0SANDBOX',
        added_users: [USERS.carol],
        removed_users: [USERS.bob],
      });
      assert.equal(ev.status, 200);
      await eventually(async () => (await askRelease(h, 'v0.1.0b38', USERS.carol)).id !== null, 'carol allowed after the change', 10_000);
      assert.equal(h.slack.callsTo('usergroups.users.list').length, 2, 'cached between checks, fetched again after the change');
    }));

  test('a tag whose release run failed is offered again; one that succeeded is refused with its link', () =>
    withHarness({}, async (h) => {
      const sha = h.seed.github.tags[TAG];
      h.github.simulateRun(
        h.seed.github.repo,
        RELEASE_WF,
        { headBranch: TAG, headSha: sha, event: 'push' },
        { build: { conclusion: 'failure', failedStep: 'Build distributions', log: 'error' } },
      );
      const again = await askRelease(h);
      assert.ok(again.id);
      assert.match(textOf(again.reply), /Release again/);
      assert.match(textOf(again.reply), /failed/);
      const older = 'v0.1.0b38';
      const okRun = h.github.simulateRun(h.seed.github.repo, RELEASE_WF, { headBranch: older, headSha: h.seed.github.tags[older], event: 'push' }, {});
      const done = await askRelease(h, older);
      assert.equal(done.id, null);
      assert.match(textOf(done.reply), new RegExp(`already released by .*actions/runs/${okRun}`));
    }));

  test('two confirm clicks at once, and one from someone else: one dispatch', () =>
    withHarness({}, async (h) => {
      const { id } = await askRelease(h);
      assert.ok(id);
      const clicks = await Promise.all([
        h.click({ actionId: ACTION_IDS.releaseConfirm, value: id }),
        h.click({ actionId: ACTION_IDS.releaseConfirm, value: id }),
        h.click({ actionId: ACTION_IDS.releaseConfirm, value: id, user: USERS.carol }),
      ]);
      assert.ok(clicks.every((c) => c.http.status === 200));
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(dispatches(h), 1);
      const texts = await Promise.all(clicks.map((c) => h.responseTo(c.responseUrl).then(textOf)));
      assert.ok(texts.some((t) => /already confirmed/.test(t)));
      assert.ok(texts.some((t) => /Only the person who asked/.test(t)));
    }));

  test('cancel, and a confirmation after expiry: nothing dispatched', () =>
    withHarness({}, async (h) => {
      const first = await askRelease(h);
      const cancel = await h.click({ actionId: ACTION_IDS.releaseCancel, value: first.id ?? '' });
      assert.match(textOf(await h.responseTo(cancel.responseUrl)), /cancelled/);
      const again = await h.click({ actionId: ACTION_IDS.releaseConfirm, value: first.id ?? '' });
      assert.match(textOf(await h.responseTo(again.responseUrl)), /cancelled/);
      const second = await askRelease(h);
      h.bot.advance(11 * 60_000);
      const late = await h.click({ actionId: ACTION_IDS.releaseConfirm, value: second.id ?? '' });
      assert.match(textOf(await h.responseTo(late.responseUrl)), /expired/);
      assert.equal(dispatches(h), 0);
    }));

  test('a 502 on dispatch that did create a run: no second dispatch, the run is found and followed', () =>
    withHarness({}, async (h) => {
      const { id } = await askRelease(h);
      // GitHub creates the run, then its gateway answers 502.
      h.github.failNext({ method: 'POST', path: /dispatches$/ }, { status: 502, times: 1, afterHandling: true });
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id ?? '' });
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      await dispatchRecorded(h);
      const [run] = releaseRuns(h);
      assert.ok(run, 'GitHub created the run despite the 502');
      const runId = run.id;
      nextPoll(h);
      await h.slack.waitFor((c) => c.method === 'chat.update' && new RegExp(`actions/runs/${runId}`).test(textOf(c)), 10_000);
      h.github.completeRun(runId, {});
      nextPoll(h);
      await h.slack.waitFor((c) => c.method === 'chat.update' && new RegExp(`actions/runs/${runId}`).test(textOf(c)) && /released in/i.test(textOf(c)), 10_000);
      assert.equal(dispatches(h), 1);
    }));

  test('Slack answering 429 on chat.update is waited out', () =>
    withHarness({}, async (h) => {
      const run = await confirmedRun(h);
      h.slack.rateLimit('chat.update', { times: 1, retryAfterSeconds: 1 });
      h.github.completeRun(run.id, {});
      nextPoll(h);
      await h.slack.waitFor((c) => c.method === 'chat.update' && c.ok && /released in/i.test(textOf(c)), 15_000);
      assert.equal(h.slack.callsTo('chat.update').filter((c) => !c.ok).length, 1);
    }));

  test('a GHES that refuses return_run_details gets the plain dispatch; the run is found and followed', () =>
    withHarness({ githubFlavor: 'ghes' }, async (h) => {
      const { id } = await askRelease(h);
      assert.ok(id, 'confirmation offered on GHES too');
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      await dispatchRecorded(h);
      assert.equal(dispatches(h), 2, 'the refused request with return_run_details, then the plain one');
      const [run] = releaseRuns(h);
      assert.ok(run);
      h.github.completeRun(run.id, {});
      nextPoll(h);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /released in/i.test(textOf(c)) && textOf(c).includes(`actions/runs/${run.id}`), 15_000);
      assert.equal(releaseRuns(h).length, 1, 'one run');
    }));

  test('a job waiting for an environment reviewer is shown as waiting for approval, with the link', () =>
    withHarness({}, async (h) => {
      const run = await confirmedRun(h);
      for (const job of ['build', 'sign']) h.github.setJob(run.id, job, { status: 'completed', conclusion: 'success' });
      h.github.setJob(run.id, 'publish-pypi', { status: 'waiting' });
      nextPoll(h);
      const waiting = await h.slack.waitFor((c) => c.method === 'chat.update' && /approv/i.test(textOf(c)), 10_000);
      assert.match(textOf(waiting), new RegExp(`actions/runs/${run.id}`));
    }));

  test('a restart while a run is followed: the next bot finishes the message', async () => {
    const h = await startHarness({});
    try {
      const { id } = await askRelease(h);
      const click = await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id ?? '' });
      const main = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.channel === CHANNEL, 10_000);
      await h.slack.waitFor(
        (c) =>
          c.method === 'response_url' && /confirmed/.test(textOf(c)) && c.responseUrlId === new URL(click.responseUrl).pathname.replace(/^\/response\//, ''),
      );
      await dispatchRecorded(h);
      await h.bot.stop({ keepFiles: true });
      const [run] = releaseRuns(h);
      assert.ok(run);
      h.github.completeRun(run.id, {});
      const second = await startReplica(h);
      try {
        second.advance(61_000);
        const done = await h.slack.waitFor((c) => c.method === 'chat.update' && /released in/i.test(textOf(c)), 15_000);
        assert.equal(done.args.channel, CHANNEL);
        assert.ok(main.ok);
        assert.equal(dispatches(h), 1);
      } finally {
        await second.stop();
      }
    } finally {
      await Promise.all([h.slack.stop(), h.github.stop(), h.ghe.stop()]);
    }
  });
});
