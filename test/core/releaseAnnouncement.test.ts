import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideReleaseAnnouncement, shownKey } from '../../src/core/events/releaseAnnouncement.js';
import { startedByBot, type AnnouncedRun, type BotRelease } from '../../src/core/release/startedByBot.js';

const running = { status: 'in_progress', conclusion: null, runAttempt: 1 };
const queued = { status: 'queued', conclusion: null, runAttempt: 1 };
const done = (conclusion: string, runAttempt = 1) => ({ status: 'completed', conclusion, runAttempt });
const decide = (o: Partial<Parameters<typeof decideReleaseAnnouncement>[0]>) =>
  decideReleaseAnnouncement({ level: 'failures', botStarted: false, run: running, prev: null, ...o });

test('all: posts when first seen, edits once on completion; the same or an older fact again changes nothing', () => {
  assert.deepEqual(decide({ level: 'all', run: queued }), { kind: 'post', shown: '1:running' });
  const posted = { shown: '1:running', posted: true };
  // queued → in_progress is the same message.
  assert.deepEqual(decide({ level: 'all', run: running, prev: posted }), { kind: 'none', why: 'seen' });
  assert.deepEqual(decide({ level: 'all', run: done('success'), prev: posted }), { kind: 'edit', from: '1:running', shown: '1:completed:success' });
  const completed = { shown: '1:completed:success', posted: true };
  assert.deepEqual(decide({ level: 'all', run: done('success'), prev: completed }), { kind: 'none', why: 'seen' });
  assert.deepEqual(decide({ level: 'all', run: running, prev: completed }), { kind: 'none', why: 'seen' });
  // First seen completed (the bot was down while it ran): one message with the result.
  assert.deepEqual(decide({ level: 'all', run: done('success') }), { kind: 'post', shown: '1:completed:success' });
});

test('failures: nothing while running or for a success or a cancel; a failure, time-out or startup failure posts', () => {
  assert.deepEqual(decide({ run: running }), { kind: 'none', why: 'quiet' });
  assert.deepEqual(decide({ run: done('success') }), { kind: 'none', why: 'quiet' });
  assert.deepEqual(decide({ run: done('cancelled') }), { kind: 'none', why: 'quiet' });
  assert.deepEqual(decide({ run: done('skipped') }), { kind: 'none', why: 'quiet' });
  for (const c of ['failure', 'timed_out', 'startup_failure']) assert.deepEqual(decide({ run: done(c) }), { kind: 'post', shown: `1:completed:${c}` });
});

test('a re-run of an announced failure edits the same message (never a second one); its result edits it again', () => {
  const failed = { shown: '1:completed:failure', posted: true };
  assert.deepEqual(decide({ run: { ...running, runAttempt: 2 }, prev: failed }), { kind: 'edit', from: '1:completed:failure', shown: '2:running' });
  assert.deepEqual(decide({ run: done('success', 2), prev: failed }), { kind: 'edit', from: '1:completed:failure', shown: '2:completed:success' });
  // An attempt-1 fact arriving late after attempt 2 was shown.
  assert.deepEqual(decide({ run: done('failure', 1), prev: { shown: '2:running', posted: true } }), { kind: 'none', why: 'seen' });
});

test('off and runs the bot started say nothing; a claim without a ts is never posted again nor edited', () => {
  assert.deepEqual(decide({ level: 'off', run: done('failure') }), { kind: 'none', why: 'off' });
  assert.deepEqual(decide({ level: 'all', botStarted: true, run: queued }), { kind: 'none', why: 'bot' });
  assert.deepEqual(decide({ botStarted: true, run: done('failure') }), { kind: 'none', why: 'bot' });
  const claimed = { shown: '1:running', posted: false };
  assert.deepEqual(decide({ level: 'all', run: done('failure'), prev: claimed }), { kind: 'none', why: 'no_message' });
  assert.deepEqual(decide({ level: 'all', run: running, prev: claimed }), { kind: 'none', why: 'seen' });
});

test('shownKey: the attempt, then running or the conclusion', () => {
  assert.equal(shownKey({ status: 'waiting', conclusion: null, runAttempt: 3 }), '3:running');
  assert.equal(shownKey({ status: 'completed', conclusion: null, runAttempt: 1 }), '1:completed:none');
});

const run = (o: Partial<AnnouncedRun> = {}): AnnouncedRun => ({
  runId: 500,
  event: 'workflow_dispatch',
  headBranch: 'v1.3.0',
  headSha: 'abc',
  status: 'queued',
  conclusion: null,
  runAttempt: 1,
  createdAt: new Date('2026-03-01T10:00:30Z'),
  ...o,
});
const rel = (o: Partial<BotRelease> = {}): BotRelease => ({
  tag: 'v1.3.0',
  sha: 'abc',
  runId: null,
  createdAt: new Date('2026-03-01T10:00:00Z'),
  dispatchSentAt: new Date('2026-03-01T10:00:20Z'),
  ...o,
});

test('startedByBot: a release that knows the run id; or a dispatch sent whose run is not known yet, by the follower rule', () => {
  assert.equal(startedByBot(run(), []), false);
  assert.equal(startedByBot(run(), [rel({ runId: 500 })]), true);
  // That release's run is another one: this run is not the bot's.
  assert.equal(startedByBot(run(), [rel({ runId: 499 })]), false);
  assert.equal(startedByBot(run(), [rel()]), true);
  assert.equal(startedByBot(run(), [rel({ dispatchSentAt: null })]), false, 'nothing was sent yet');
  assert.equal(startedByBot(run({ event: 'push' }), [rel()]), false, 'a tag push is not a dispatch');
  assert.equal(startedByBot(run({ headSha: 'def' }), [rel()]), false, 'another commit');
  assert.equal(startedByBot(run({ headBranch: 'v1.3.1' }), [rel()]), false, 'another tag');
  assert.equal(startedByBot(run({ createdAt: new Date('2026-03-01T09:58:00Z') }), [rel()]), false, 'created before the request');
  assert.equal(startedByBot(run({ createdAt: null }), [rel()]), false);
});
