import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideSyncAlert } from '../../src/core/events/syncAlert.js';

const failing = { state: 'failing' as const, lastJobId: 1, failures: 1, posted: true };

test('a first failure posts; a further one replies; a pass recovers; the same job again changes nothing', () => {
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: null, jobId: 1, failed: true }), { kind: 'post' });
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: failing, jobId: 2, failed: true }), { kind: 'reply', failures: 2 });
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: failing, jobId: 2, failed: false }), { kind: 'recover' });
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: failing, jobId: 1, failed: true }), { kind: 'none', why: 'seen' });
  assert.deepEqual(decideSyncAlert({ level: 'off', prev: null, jobId: 1, failed: true }), { kind: 'none', why: 'off' });
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: null, jobId: 1, failed: false }), { kind: 'none', why: 'quiet' });
  assert.deepEqual(decideSyncAlert({ level: 'all', prev: null, jobId: 1, failed: false }), { kind: 'announce_pass' });
});

test('an alert saved but never given a ts (a crash between the two): no thread to reply in, nothing to edit', () => {
  const unposted = { ...failing, posted: false };
  // The job the row was saved for is not posted again on retry.
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: unposted, jobId: 1, failed: true }), { kind: 'none', why: 'seen' });
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: unposted, jobId: 2, failed: true }), { kind: 'post' });
  assert.deepEqual(decideSyncAlert({ level: 'failures', prev: unposted, jobId: 2, failed: false }), { kind: 'none', why: 'quiet' });
});
