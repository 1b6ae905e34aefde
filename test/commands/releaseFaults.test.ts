import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import type { FailureInjection, RecordedRequest } from '@chatops/fake-github';
import type { RecordedCall } from '@chatops/fake-slack';
import { CHANNEL, eventually, withHarness, type Harness } from '../helpers/harness.js';

/**
 * GitHub answering a share of requests with 5xx, 429 and 403 secondary limits during
 * each part of /release: the confirmation's checks, the dispatch, and the follower.
 * Nothing is dispatched twice, every failure reaches the person, limits are waited out.
 */

const RELEASE_WF = '.github/workflows/release.yml';
const TAG = 'v0.1.0b39';
const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
const textOf = (c: RecordedCall): string => JSON.stringify(c.args);
const confirmId = (c: RecordedCall) => /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(c))?.[1] ?? null;
const dispatchRequests = (h: Harness) => h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches'));
const releaseRuns = (h: Harness) => h.github.runs(h.seed.github.repo, RELEASE_WF).filter((r) => r.event === 'workflow_dispatch');
const channelText = (h: Harness) =>
  [...h.slack.callsTo('chat.postMessage'), ...h.slack.callsTo('chat.update')].filter((c) => c.args.channel === CHANNEL && c.ok).map(textOf);

/** A request refused for a rate limit, then answered for the same method and path later: waited out. */
function waitedOut(requests: RecordedRequest[]): number {
  let n = 0;
  requests.forEach((r, i) => {
    if (!r.injected || (r.status !== 429 && r.status !== 403)) return;
    if (requests.slice(i + 1).some((later) => later.method === r.method && later.path === r.path && !later.injected && later.status < 400)) n += 1;
  });
  return n;
}

async function ask(h: Harness): Promise<RecordedCall> {
  const { http, responseUrl } = await h.command('/release', TAG);
  assert.equal(http.status, 200);
  return h.responseTo(responseUrl, 30_000);
}

/** Moves the bot's clock on until `done` holds (job back-offs, polls), with the wall clock for GitHub's answers in between. */
async function stepUntil(h: Harness, done: () => boolean | Promise<boolean>, what: string, o: { stepMs?: number; rounds?: number } = {}): Promise<void> {
  for (let i = 0; i < (o.rounds ?? 40); i++) {
    if (await done()) return;
    h.bot.advance(o.stepMs ?? 31_000);
    await new Promise((r) => setTimeout(r, 400));
  }
  assert.ok(await done(), `timed out waiting for ${what}`);
}

describe('/release with GitHub faults', () => {
  test('confirm: under a 20 % storm every /release is answered (a confirmation or the GitHub error), limits are waited out, nothing is dispatched', () =>
    withHarness({}, async (h) => {
      const storm = h.github.setFaultStorm({ rate: 0.2, seed: 20261207 });
      assert.ok(storm);
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) {
        const a = await ask(h);
        answers.push(textOf(a));
        const id = confirmId(a);
        if (id) {
          const cancel = await h.click({ actionId: ACTION_IDS.releaseCancel, value: id });
          await h.responseTo(cancel.responseUrl);
        }
      }
      h.github.setFaultStorm(null);
      assert.ok(storm.total >= 3, `the storm hit (${JSON.stringify(storm.counts)})`);
      for (const a of answers) assert.match(a, /release_confirm|github\.com/, a);
      assert.ok(answers.filter((a) => /release_confirm/.test(a)).length >= 4, answers.join('\n'));
      assert.ok(waitedOut(h.github.requests) >= 1, 'a rate-limited request was sent again after the wait and answered');
      assert.equal(dispatchRequests(h).length, 0);
    }));

  const dispatchFaults: Array<{ name: string; fault: FailureInjection; posts: number; runs: number; wait?: number }> = [
    { name: '429 with Retry-After', fault: { status: 429, headers: { 'retry-after': '1' }, body: { message: SECONDARY } }, posts: 2, runs: 1 },
    { name: '403 secondary limit with retry-after', fault: { status: 403, headers: { 'retry-after': '1' }, body: { message: SECONDARY } }, posts: 2, runs: 1 },
    {
      name: '403 secondary limit with only x-ratelimit-reset',
      fault: { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'RESET' }, body: { message: SECONDARY } },
      posts: 2,
      runs: 1,
    },
    {
      name: '429 asking for 40 s (longer than a request waits): the job waits it out',
      fault: { status: 429, headers: { 'retry-after': '40' }, body: { message: SECONDARY } },
      posts: 2,
      runs: 1,
      wait: 41_000,
    },
    { name: '502 after GitHub created the run', fault: { status: 502, afterHandling: true }, posts: 1, runs: 1 },
  ];
  for (const c of dispatchFaults) {
    test(`dispatch: ${c.name}: one run, followed`, () =>
      withHarness({}, async (h) => {
        const id = confirmId(await ask(h));
        assert.ok(id);
        const headers = Object.fromEntries(
          Object.entries(c.fault.headers ?? {}).map(([k, v]) => [k, v === 'RESET' ? String(Math.ceil(Date.now() / 1000) + 1) : v]),
        );
        h.github.failNext({ method: 'POST', path: /dispatches$/ }, { ...c.fault, headers, times: 1 });
        await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
        if (c.wait) {
          await eventually(() => dispatchRequests(h).length === 1, 'the refused dispatch', 10_000);
          await new Promise((r) => setTimeout(r, 300));
          const row = await h.store.releases.get(id);
          assert.equal(row?.status, 'dispatching', 'still waiting, not failed');
          assert.equal(row?.dispatchSentAt, null, 'GitHub did nothing, so it may be sent again');
          assert.equal(releaseRuns(h).length, 0);
          h.bot.advance(c.wait);
        }
        await eventually(() => releaseRuns(h).length === c.runs, 'the run', 15_000);
        await h.slack.waitFor((m) => m.method === 'chat.postMessage' && m.args.channel === CHANNEL, 10_000);
        const [run] = releaseRuns(h);
        h.github.completeRun(run!.id, {});
        await stepUntil(h, () => channelText(h).some((t) => /released in/i.test(t) && t.includes(`actions/runs/${run!.id}`)), 'the end of the run');
        assert.equal(dispatchRequests(h).length, c.posts);
        assert.equal(releaseRuns(h).length, 1, 'never two runs');
      }));
  }

  test('dispatch: a 503 that GitHub did not act on: nothing dispatched twice; after 3 minutes without a run the person is told and the tag offered again', () =>
    withHarness({}, async (h) => {
      const id = confirmId(await ask(h));
      assert.ok(id);
      h.github.failNext({ method: 'POST', path: /dispatches$/ }, { status: 503, times: 1 });
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      await eventually(async () => (await h.store.releases.get(id))?.status === 'dispatched', 'handed to the follower', 10_000);
      await stepUntil(h, () => channelText(h).some((t) => /no run appeared/.test(t)), 'the person told', { stepMs: 61_000 });
      const told = channelText(h).find((t) => /no run appeared/.test(t)) ?? '';
      assert.match(told, /answered HTTP 503/);
      assert.match(told, /Nothing was dispatched again/);
      assert.equal((await h.store.releases.get(id))?.status, 'failed');
      assert.ok(confirmId(await ask(h)), 'offered again');
      assert.equal(dispatchRequests(h).length, 1);
      assert.equal(releaseRuns(h).length, 0);
    }));

  test('dispatch: a refusal (422) is told in the channel with GitHub’s reason, and nothing is retried', () =>
    withHarness({}, async (h) => {
      const id = confirmId(await ask(h));
      assert.ok(id);
      h.github.failNext({ method: 'POST', path: /dispatches$/ }, { status: 422, body: { message: 'Unexpected inputs provided: ["channel"]' } });
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      const told = await h.slack.waitFor((m) => m.method === 'chat.postMessage' && m.args.channel === CHANNEL, 10_000);
      assert.match(textOf(told), /could not be dispatched.*Unexpected inputs/);
      assert.equal((await h.store.releases.get(id))?.status, 'failed');
      assert.equal(dispatchRequests(h).length, 1);
    }));

  test('follow: under a 20 % storm the run is followed to its end in one message, dispatched once', () =>
    withHarness({}, async (h) => {
      const id = confirmId(await ask(h));
      assert.ok(id);
      await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
      await eventually(async () => (await h.store.releases.get(id))?.status === 'dispatched', 'dispatched', 10_000);
      const [run] = releaseRuns(h);
      assert.ok(run);
      const storm = h.github.setFaultStorm({ rate: 0.2, seed: 424242 });
      for (const job of ['build', 'sign']) h.github.setJob(run.id, job, { status: 'in_progress' });
      await stepUntil(h, () => channelText(h).some((t) => /in progress|running/i.test(t)), 'the run shown in progress', { stepMs: 61_000 });
      h.github.completeRun(run.id, {});
      await stepUntil(h, () => channelText(h).some((t) => /released in/i.test(t)), 'the end', { stepMs: 61_000 });
      h.github.setFaultStorm(null);
      assert.ok(storm && storm.total >= 1, `the storm hit the follower (${JSON.stringify(storm?.counts)})`);
      assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === CHANNEL && !c.args.thread_ts).length, 1, 'one channel message');
      assert.equal(dispatchRequests(h).length, 1);
      await eventually(async () => (await h.store.releases.get(id))?.status === 'succeeded', 'recorded as succeeded');
    }));

  for (const seed of [7, 99]) {
    test(`all of /release under a 20 % storm (seed ${seed}): at most one run, and the person hears the outcome`, () =>
      withHarness({}, async (h) => {
        const storm = h.github.setFaultStorm({ rate: 0.2, seed });
        let answer = await ask(h);
        // A confirmation whose checks GitHub failed is answered with the error; ask again as a person would.
        for (let i = 0; i < 3 && !confirmId(answer); i++) {
          assert.match(textOf(answer), /github\.com/, textOf(answer));
          answer = await ask(h);
        }
        const id = confirmId(answer);
        assert.ok(id, textOf(answer));
        await h.click({ actionId: ACTION_IDS.releaseConfirm, value: id });
        const finished = () => channelText(h).some((t) => /released in|could not be dispatched/i.test(t));
        await stepUntil(
          h,
          () => {
            const [run] = releaseRuns(h);
            if (run && run.status !== 'completed') h.github.completeRun(run.id, {});
            return finished();
          },
          'the outcome in the channel',
          { stepMs: 61_000 },
        );
        h.github.setFaultStorm(null);
        assert.ok(storm && storm.total >= 1);
        assert.ok(releaseRuns(h).length <= 1, 'never two runs');
        const applied = dispatchRequests(h).filter((r) => !r.injected || r.injected.applied).length;
        assert.ok(applied <= 1, 'GitHub acted on at most one dispatch');
        const status = (await h.store.releases.get(id))?.status;
        assert.ok(status === 'succeeded' || status === 'failed', `settled (${status})`);
        assert.equal(status === 'succeeded', releaseRuns(h).length === 1);
      }));
  }
});
