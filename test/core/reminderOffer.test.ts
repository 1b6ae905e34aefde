import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSettled, offerKey, reminderOffer, setSince, type SecretHistory } from '../../src/core/reminders/offer.js';

const T = (min: number) => new Date(Date.UTC(2026, 11, 4, 9, min));
const POSTED = T(0);
const none: SecretHistory = { active: null, lastFinished: null, lastChange: null };

test('a reminder offers Start rotation until something happens after it', () => {
  assert.deepEqual(reminderOffer(POSTED, none), { kind: 'open', cancelled: null });
  // A rotation finished before the reminder was posted says nothing about it.
  assert.equal(reminderOffer(POSTED, { ...none, lastFinished: { status: 'done', requestedBy: 'UA', finishedBy: null, finishedAt: T(-5) } }).kind, 'open');
  assert.equal(reminderOffer(POSTED, { ...none, lastChange: { action: 'replace', decidedBy: 'UB', finishedAt: T(-1) } }).kind, 'open');
});

test('started, cancelled (offered again), rotated and replaced; rotated and replaced are settled', () => {
  const started = reminderOffer(POSTED, { ...none, active: { requestedBy: 'UA', createdAt: T(1) } });
  assert.deepEqual(started, { kind: 'started', by: 'UA', at: T(1) });
  assert.equal(isSettled(started), false);
  // A reminder posted while the rotation already ran says "started" too.
  assert.equal(reminderOffer(POSTED, { ...none, active: { requestedBy: 'UA', createdAt: T(-30) } }).kind, 'started');

  const cancelled = reminderOffer(POSTED, { ...none, lastFinished: { status: 'cancelled', requestedBy: 'UA', finishedBy: 'UB', finishedAt: T(3) } });
  assert.deepEqual(cancelled, { kind: 'open', cancelled: { by: 'UB', at: T(3) } });
  assert.notEqual(offerKey(cancelled), offerKey({ kind: 'open', cancelled: null }), 'a cancellation is an edit of its own');

  const rotated = reminderOffer(POSTED, {
    active: null,
    lastFinished: { status: 'done', requestedBy: 'UA', finishedBy: null, finishedAt: T(9) },
    lastChange: { action: 'replace', decidedBy: 'UB', finishedAt: T(5) },
  });
  assert.deepEqual(rotated, { kind: 'rotated', by: 'UA', at: T(9) });
  assert.equal(isSettled(rotated), true);
  // Rotated after the reminder, then another rotation started: the reminder stays done.
  assert.equal(
    reminderOffer(POSTED, {
      active: { requestedBy: 'UC', createdAt: T(20) },
      lastFinished: { status: 'done', requestedBy: 'UA', finishedBy: null, finishedAt: T(9) },
      lastChange: null,
    }).kind,
    'rotated',
  );

  const replaced = reminderOffer(POSTED, { ...none, lastChange: { action: 'replace', decidedBy: 'UB', finishedAt: T(2) } });
  assert.deepEqual(replaced, { kind: 'replaced', by: 'UB', at: T(2), action: 'replace' });
  assert.equal(isSettled(replaced), true);
  assert.match(offerKey(replaced), /^replaced:replace:UB:/);
});

test('setSince: the secret set after the clicked message (rotation or replacement, the later), never before it, never by a revoke', () => {
  assert.equal(setSince(POSTED, none), null);
  assert.deepEqual(setSince(POSTED, { ...none, lastFinished: { status: 'done', requestedBy: 'UA', finishedBy: null, finishedAt: T(4) } }), {
    how: 'rotated',
    by: 'UA',
    at: T(4),
  });
  assert.equal(
    setSince(POSTED, { ...none, lastFinished: { status: 'cancelled', requestedBy: 'UA', finishedBy: 'UA', finishedAt: T(4) } }),
    null,
    'a cancelled rotation set nothing',
  );
  assert.equal(
    setSince(POSTED, { ...none, lastFinished: { status: 'done', requestedBy: 'UA', finishedBy: null, finishedAt: T(-4) } }),
    null,
    'before the message',
  );
  assert.deepEqual(
    setSince(POSTED, {
      ...none,
      lastChange: { action: 'replace', decidedBy: 'UB', finishedAt: T(7) },
      lastFinished: { status: 'done', requestedBy: 'UA', finishedBy: null, finishedAt: T(4) },
    }),
    { how: 'replaced', by: 'UB', at: T(7) },
  );
  assert.equal(setSince(POSTED, { ...none, lastChange: { action: 'revoke', decidedBy: 'UB', finishedAt: T(7) } }), null, 'a deleted secret is no fresh value');
});
