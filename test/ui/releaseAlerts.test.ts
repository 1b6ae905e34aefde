import assert from 'node:assert/strict';
import { test } from 'node:test';
import { releaseRunMessage, type ReleaseRunView } from '../../src/ui/releaseAlerts.js';
import { assertWithinLimits } from './slackLimits.js';

const view = (o: Partial<ReleaseRunView> = {}): ReleaseRunView => ({
  repoName: 'pywats',
  workflowName: 'Release',
  runNumber: 12,
  url: 'https://github.com/olreppe/pyWATS/actions/runs/77',
  headBranch: 'v1.3.0',
  onTag: true,
  event: 'push',
  actor: 'semantic-release-bot',
  triggeringActor: 'semantic-release-bot',
  status: 'in_progress',
  conclusion: null,
  runAttempt: 1,
  startedAt: new Date('2026-03-01T10:00:00Z'),
  updatedAt: new Date('2026-03-01T10:04:12Z'),
  ...o,
});

test('running: what, how and who started it, and the run link; within Slack limits', () => {
  const m = releaseRunMessage(view());
  assertWithinLimits(m);
  assert.equal(
    m.text,
    ':rocket: Release `v1.3.0` of *pywats* started on GitHub, not from Slack: a push of the tag (semantic-release-bot). <https://github.com/olreppe/pyWATS/actions/runs/77|Release #12> is running; this message says how it ends.',
  );
  assert.match(releaseRunMessage(view({ status: 'queued' })).text, /is waiting;/);
});

test('completed: the result and how long it took; a startup failure and a cancel say so', () => {
  assert.match(
    releaseRunMessage(view({ status: 'completed', conclusion: 'success' })).text,
    /^:white_check_mark: Release `v1\.3\.0` of \*pywats\* succeeded in 4m 12s: </,
  );
  assert.match(releaseRunMessage(view({ status: 'completed', conclusion: 'failure' })).text, /^:x: .* failed after 4m 12s: /);
  assert.match(releaseRunMessage(view({ status: 'completed', conclusion: 'timed_out' })).text, /timed out after 4m 12s/);
  assert.match(releaseRunMessage(view({ status: 'completed', conclusion: 'startup_failure' })).text, /could not start \(startup failure/);
  assert.match(releaseRunMessage(view({ status: 'completed', conclusion: 'cancelled' })).text, /^:no_entry_sign: .* was cancelled after 4m 12s/);
});

test("a dispatch on a branch names the branch, not a tag; a re-run names who re-ran it; GitHub's text is escaped", () => {
  const m = releaseRunMessage(
    view({ headBranch: 'main', onTag: false, event: 'workflow_dispatch', actor: 'github-actions[bot]', triggeringActor: '<olreppe>', runAttempt: 2 }),
  );
  assertWithinLimits(m);
  assert.match(m.text, /^:rocket: A release run of \*pywats\* on `main` started on GitHub, not from Slack: a workflow_dispatch/);
  assert.match(m.text, /\(github-actions\[bot\]\)\. Re-run, attempt 2, by &lt;olreppe&gt;\./);
  assert.match(releaseRunMessage(view({ event: 'repository_dispatch', url: null })).text, /a `repository_dispatch` event .* Release #12 is running/);
});
