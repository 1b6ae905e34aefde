import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideTagAlert,
  onReleaseRunArrived,
  parseTagAlertValue,
  planTagCheck,
  releaseTriggerSecret,
  tagAlertValue,
} from '../../src/core/events/tagWithoutRelease.js';
import type { SecretConfig } from '../../src/config/schema.js';

const seenAt = new Date('2026-01-01T10:00:00Z');
const plan = (o: Partial<Parameters<typeof planTagCheck>[0]> = {}) =>
  planTagCheck({ tag: 'v1.3.0', minutes: 15, hasChannel: true, hasReleaseWorkflow: true, firstSeen: true, scheduled: false, seenAt, now: seenAt, ...o });

test('a release tag first seen is checked the configured minutes after it was seen', () => {
  assert.deepEqual(plan(), { kind: 'schedule', dueAt: new Date('2026-01-01T10:15:00Z') });
  assert.deepEqual(plan({ minutes: 40, tag: '1.3.0rc1' }), { kind: 'schedule', dueAt: new Date('2026-01-01T10:40:00Z') });
});

test('no check: not a release tag, alert off, no channel, no release workflow, already scheduled (a redelivery)', () => {
  assert.deepEqual(plan({ tag: 'nightly' }), { kind: 'none', why: 'not_release_tag' });
  assert.deepEqual(plan({ tag: 'V1.3.0' }), { kind: 'none', why: 'not_release_tag' });
  assert.deepEqual(plan({ minutes: 0 }), { kind: 'none', why: 'off' });
  assert.deepEqual(plan({ hasChannel: false }), { kind: 'none', why: 'no_channel' });
  assert.deepEqual(plan({ hasReleaseWorkflow: false }), { kind: 'none', why: 'no_release_workflow' });
  assert.deepEqual(plan({ scheduled: true }), { kind: 'none', why: 'scheduled' });
});

test('a tag recorded before but never scheduled (a crash in between) is scheduled while new, never once old', () => {
  assert.deepEqual(plan({ firstSeen: false, now: new Date('2026-01-01T10:05:00Z') }), { kind: 'schedule', dueAt: new Date('2026-01-01T10:15:00Z') });
  assert.deepEqual(plan({ firstSeen: false, now: new Date('2026-01-01T10:15:00Z') }), { kind: 'none', why: 'not_new' });
  assert.deepEqual(plan({ firstSeen: false, now: new Date('2026-03-01T00:00:00Z') }), { kind: 'none', why: 'not_new' });
});

const decide = (o: Partial<Parameters<typeof decideTagAlert>[0]> = {}) =>
  decideTagAlert({
    minutes: 15,
    seenAt,
    now: new Date('2026-01-01T10:15:00Z'),
    state: 'scheduled',
    releaseRunSeen: false,
    releaseRequested: false,
    ...o,
  });

test('due with no release run: post, saying how many minutes ago the tag was seen', () => {
  assert.deepEqual(decide(), { kind: 'post', minutesAgo: 15 });
  assert.deepEqual(decide({ now: new Date('2026-01-01T10:52:30Z') }), { kind: 'post', minutesAgo: 52 });
  // No row (written after the job, lost in a crash) counts as scheduled.
  assert.deepEqual(decide({ state: null }), { kind: 'post', minutesAgo: 15 });
});

test('not due yet (the minutes were raised since): wait until the new due time', () => {
  assert.deepEqual(decide({ minutes: 30 }), { kind: 'wait', until: new Date('2026-01-01T10:30:00Z') });
});

test('nothing posted: a release run came, a release was requested from Slack, the alert was turned off, or it was handled', () => {
  assert.deepEqual(decide({ releaseRunSeen: true }), { kind: 'none', why: 'released' });
  assert.deepEqual(decide({ releaseRequested: true }), { kind: 'none', why: 'requested' });
  assert.deepEqual(decide({ minutes: 0 }), { kind: 'none', why: 'off' });
  for (const state of ['posting', 'posted', 'resolved', 'settled'] as const) assert.deepEqual(decide({ state }), { kind: 'none', why: 'handled' });
});

test('the release run arriving: edits a posted alert, settles a scheduled one, leaves the rest', () => {
  assert.equal(onReleaseRunArrived('posted'), 'edit');
  assert.equal(onReleaseRunArrived('scheduled'), 'settle');
  for (const s of ['posting', 'resolved', 'settled', null] as const) assert.equal(onReleaseRunArrived(s), 'none');
});

const secret = (name: string, kind: SecretConfig['kind'], host: string): SecretConfig => ({ name, kind, host, scopes: [], maxAgeDays: 365 });

test('the secret offered is the token for the repository’s own GitHub host, never the mirror’s or a deploy key', () => {
  const ghe = secret('GHE_TOKEN', 'classic-pat', 'https://wats.ghe.com');
  const pat = secret('PAT_TOKEN', 'fine-grained-pat', 'https://github.com');
  const key = secret('DEPLOY_KEY', 'deploy-key', 'https://github.com');
  assert.equal(releaseTriggerSecret([ghe, key, pat], 'https://github.com'), 'PAT_TOKEN');
  assert.equal(releaseTriggerSecret([ghe, key], 'https://github.com'), null);
  assert.equal(releaseTriggerSecret([], 'https://github.com'), null);
  assert.equal(releaseTriggerSecret([secret('RELEASE_PAT', 'classic-pat', 'https://GitHub.com/')], 'https://github.com'), 'RELEASE_PAT');
  assert.equal(releaseTriggerSecret([ghe, pat], 'https://wats.ghe.com'), 'GHE_TOKEN');
});

test('the Release now value round-trips; anything else is refused', () => {
  assert.deepEqual(parseTagAlertValue(tagAlertValue({ repo: 'olreppe/pyWATS', tag: 'v1.3.0' })), { repo: 'olreppe/pyWATS', tag: 'v1.3.0' });
  for (const bad of [undefined, 42, '', 'olreppe/pyWATS', 'olreppe/pyWATS nightly', 'pyWATS v1.3.0', 'a/b v1.3.0 extra', `a/b v1.${'0'.repeat(400)}`])
    assert.equal(parseTagAlertValue(bad), null, String(bad));
});
