import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobInfo, WorkflowRunInfo } from '../../src/core/ports.js';
import { progressState, type FollowedRelease } from '../../src/core/release/progressState.js';
import { renderJobFailure, renderReleaseProgress } from '../../src/ui/releaseProgress.js';
import { job, run, step } from '../core/builders.js';
import { allText, assertWithinLimits } from './slackLimits.js';

const RUN_URL = 'https://github.com/thecturner/jankins/actions/runs/22000000001';
const RELEASE: FollowedRelease = { repo: 'thecturner/jankins', repoName: 'jankins', tag: 'v1.3.0', workflow: 'release.yml', startedBy: 'UALICE01' };

function runOf(over: Partial<WorkflowRunInfo> = {}): WorkflowRunInfo {
  return run({
    runNumber: 12,
    status: 'in_progress',
    conclusion: null,
    htmlUrl: RUN_URL,
    createdAt: '2026-03-01T12:00:00Z',
    runStartedAt: '2026-03-01T12:00:00Z',
    updatedAt: '2026-03-01T12:04:00Z',
    ...over,
  });
}

/** Renders the main message, checks it against Slack's limits, and returns it with its visible text. */
function render(o: { run?: WorkflowRunInfo | null; jobs?: JobInfo[]; release?: FollowedRelease }) {
  const state = progressState(o.release ?? RELEASE, o.run === undefined ? runOf() : o.run, o.jobs ?? []);
  const msg = renderReleaseProgress(state);
  assertWithinLimits(msg);
  assert.ok(!msg.blocks.some((b) => b.type === 'actions'), 'links, not buttons: a URL button would still send an action to handle');
  return { msg, text: allText(msg), state };
}

describe('renderReleaseProgress', () => {
  test('before the run exists: the dispatch run URL, when known, is already linked', () => {
    const { msg, text } = render({ run: null, release: { ...RELEASE, runUrl: RUN_URL } });
    assert.equal(msg.text, 'Release v1.3.0 of jankins, started by <@UALICE01>: queued: waiting for GitHub to start the run');
    assert.match(text, /^:rocket: \*Release `v1\.3\.0` of jankins\*, started by <@UALICE01>/);
    assert.match(text, new RegExp(`<${RUN_URL}\\|Run> · workflow \`release\\.yml\` on \`v1\\.3\\.0\` in \`thecturner/jankins\``));
    assert.ok(!msg.blocks.some((b) => b.type === 'divider'), 'no job list before there are jobs');
  });

  test('jobs of a reusable workflow sit under their caller, with the group state and its span', () => {
    const jobs = [
      job({ id: 1, name: 'Build Distribution', startedAt: '2026-03-01T12:00:05Z', completedAt: '2026-03-01T12:01:05Z' }),
      job({ id: 2, name: 'Generate SLSA Provenance / detect-env', startedAt: '2026-03-01T12:01:10Z', completedAt: '2026-03-01T12:01:20Z' }),
      job({ id: 3, name: 'Sign Release', status: 'in_progress', conclusion: null, completedAt: null }),
      job({ id: 4, name: 'Generate SLSA Provenance / generator', startedAt: '2026-03-01T12:01:21Z', completedAt: '2026-03-01T12:02:30Z' }),
    ];
    const { text } = render({ jobs });
    const list = text.slice(text.indexOf(':white_check_mark: Build'));
    assert.equal(
      list,
      [
        ':white_check_mark: Build Distribution · 1m',
        ':white_check_mark: *Generate SLSA Provenance* · 1m 20s',
        '\u2003↳ :white_check_mark: detect-env · 10s',
        '\u2003↳ :white_check_mark: generator · 1m 9s',
        ':hourglass_flowing_sand: Sign Release · running',
      ].join('\n'),
    );
  });

  test('a group with a failed member shows failed; queued after done shows running', () => {
    const failed = render({ jobs: [job({ id: 1, name: 'P / a' }), job({ id: 2, name: 'P / b', conclusion: 'failure' })] });
    assert.match(failed.text, /:x: \*P\* · failed after/);
    const partly = render({
      jobs: [job({ id: 1, name: 'P / a' }), job({ id: 2, name: 'P / b', status: 'queued', conclusion: null, startedAt: null, completedAt: null })],
    });
    assert.match(partly.text, /:hourglass_flowing_sand: \*P\* · running/);
  });

  test('names are escaped and cut; a start by someone who is not a Slack user id is not a mention', () => {
    const name = `Deploy <prod> & ${'y'.repeat(400)}`;
    const { text, msg } = render({ jobs: [job({ id: 1, name, conclusion: 'failure' })], release: { ...RELEASE, repoName: 'a<b>', startedBy: 'release-bot' } });
    assert.match(text, /Deploy &lt;prod&gt; &amp; y+…/);
    assert.ok(!text.includes('y'.repeat(150)), 'long names are cut');
    assert.match(text, /of a&lt;b&gt;\*, started by release-bot/);
    assert.match(msg.text, /^Release v1\.3\.0 of a&lt;b&gt;, started by release-bot: /);
  });

  test('several jobs waiting for approval', () => {
    const jobs = ['A', 'B', 'C', 'D', 'E'].map((n, i) =>
      job({ id: i + 1, name: `Deploy ${n}`, status: 'waiting', conclusion: null, startedAt: null, completedAt: null }),
    );
    const { text } = render({ run: runOf({ status: 'waiting' }), jobs });
    assert.match(text, /\*Deploy A\*, \*Deploy B\*, \*Deploy C\* and 2 more wait for a required reviewer/);
    assert.match(text, new RegExp(`<${RUN_URL}\\|Review the deployment>`));
  });

  test('every ending has a wording and a duration', () => {
    const endings: Array<[WorkflowRunInfo['conclusion'], RegExp]> = [
      ['success', /:white_check_mark: \*Released\* in 4m\./],
      ['failure', /:x: \*Failed\* after 4m\./],
      ['timed_out', /:x: \*Timed out\* after 4m\./],
      ['startup_failure', /:x: \*Failed to start\* after 4m\./],
      ['cancelled', /:no_entry_sign: \*Cancelled\* after 4m\./],
      ['neutral', /:grey_question: \*Ended \(neutral\)\* after 4m\./],
      [null, /\*Ended \(no conclusion\)\* after 4m\./],
    ];
    for (const [conclusion, want] of endings) {
      const { text } = render({ run: runOf({ status: 'completed', conclusion }) });
      assert.match(text, want, String(conclusion));
    }
  });

  test('200 failed jobs with long names and links stay within limits', () => {
    const jobs = Array.from({ length: 200 }, (_, i) =>
      job({
        id: 5000 + i,
        name: `Caller ${i % 4} / ${'n'.repeat(140)} ${i}`,
        conclusion: 'failure',
        htmlUrl: `${RUN_URL}/job/${5000 + i}?pr=${'9'.repeat(60)}`,
      }),
    );
    const { msg, text } = render({ run: runOf({ status: 'completed', conclusion: 'failure' }), jobs });
    assert.ok(msg.blocks.length <= 50);
    assert.match(text, /200 jobs failed: details in the thread/);
    assert.match(text, /:x: \*Caller 3\*/);
  });
});

describe('renderJobFailure', () => {
  test('falls back to the run link when the job has none', () => {
    const j = job({
      id: 7,
      name: 'Publish to PyPI',
      conclusion: 'failure',
      htmlUrl: null,
      steps: [step(1, 'Set up job'), step(2, 'Publish to PyPI', 'failure')],
    });
    const state = progressState(RELEASE, runOf(), [j]);
    const [jp] = state.jobs;
    assert.ok(jp);
    const msg = renderJobFailure(state, jp);
    assertWithinLimits(msg);
    assert.match(allText(msg), new RegExp(`failed at step \`Publish to PyPI\`\\. <${RUN_URL}\\|Open the job log>`));
    assert.equal(msg.text, 'Publish to PyPI failed at step "Publish to PyPI" (release v1.3.0 of jankins)');
  });
});
