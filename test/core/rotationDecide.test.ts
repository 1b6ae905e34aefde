import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decide, needsWatching, nextStep, type ChangeView, type Decision, type RotationEvent } from '../../src/core/rotation/decide.js';
import { initialState, type Rotation } from '../../src/core/rotation/state.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const KEY = { apiUrl: 'https://wats.ghe.com/api/v3', repo: 'WATS/pyWATS', id: 7, title: 'GHE_DEPLOY_KEY' };

type R = Pick<Rotation, 'status' | 'state' | 'secretKind'>;
function rotation(kind: Rotation['secretKind'] = 'classic-pat', verify: 'rerun' | 'dispatch' | null = 'rerun'): R {
  return {
    status: 'active',
    secretKind: kind,
    state: initialState({
      verifyMethod: verify,
      verifyWorkflow: verify ? 'publish.yml' : null,
      isDeployKey: kind === 'deploy-key',
      oldDeployKey: kind === 'deploy-key' ? KEY : null,
    }),
  };
}

/** Applies events in order; every one must move the rotation. */
function run(r: R, ...events: RotationEvent[]): { r: R; decisions: Array<Extract<Decision, { kind: 'next' }>> } {
  const decisions: Array<Extract<Decision, { kind: 'next' }>> = [];
  for (const ev of events) {
    const d = decide(r, ev, NOW);
    assert.equal(d.kind, 'next', `${ev.kind} should move the rotation, got ${JSON.stringify(d)}`);
    if (d.kind !== 'next') throw new Error('unreachable');
    decisions.push(d);
    r = { ...r, status: d.status, state: d.state };
  }
  return { r, decisions };
}

const change = (status: ChangeView['status'], o: Partial<ChangeView> = {}): RotationEvent => ({
  kind: 'change_seen',
  change: { id: 'c1', status, updatedAt: '2026-11-23T10:00:05Z', decidedBy: 'UBOB', error: null, ...o },
});
const kinds = (d: { effects: Array<{ kind: string }> }) => d.effects.map((e) => e.kind);

describe('rotation state machine', () => {
  it('token: request, approval, write; then verification starts and the old token is asked for, in that order', () => {
    const { r, decisions } = run(rotation(), { kind: 'change_requested', changeId: 'c1' }, change('approved'), change('applying'), change('done'));
    assert.equal(r.state.replacedAt, '2026-11-23T10:00:05Z');
    assert.equal(r.state.verify.state, 'starting');
    assert.equal(r.state.verify.tries, 1);
    assert.deepEqual(kinds(decisions[3]!), ['announce', 'start_verify', 'prompt_old']);
    assert.equal(r.status, 'active');
    assert.deepEqual(nextStep(r), { kind: 'old' });
  });

  it('completes only when the old token is dealt with and the verification passed, whichever comes last', () => {
    const base = run(rotation(), { kind: 'change_requested', changeId: 'c1' }, change('done')).r;
    const started: RotationEvent = { kind: 'verify_started', runId: 5, runUrl: 'u', attemptBefore: 1, jobId: 9 };
    const passed: RotationEvent = { kind: 'verify_finished', passed: true, runUrl: 'u', detail: null, advice: [] };
    const a = run(base, started, passed);
    assert.equal(a.r.status, 'active', 'old token still waiting');
    const a2 = run(a.r, { kind: 'old_confirmed', by: 'UALICE' });
    assert.equal(a2.r.status, 'done');
    assert.ok(kinds(a2.decisions[0]!).includes('announce'));
    const b = run(base, { kind: 'old_revoked', by: 'UALICE', detail: 'token of x ending in abcd', how: 'revoked', record: 'matched' }, started);
    assert.equal(b.r.status, 'active', 'verification still running');
    assert.equal(run(b.r, passed).r.status, 'done');
  });

  it('a denied, expired, failed or cancelled request sends the requester back to step 1 and changes nothing else', () => {
    for (const status of ['denied', 'expired', 'failed', 'cancelled'] as const) {
      const { r, decisions } = run(rotation(), { kind: 'change_requested', changeId: 'c1' }, change(status, { error: status === 'failed' ? 'boom' : null }));
      assert.equal(r.state.changeId, null);
      assert.equal(r.state.replacedAt, null);
      assert.equal(r.state.lastOutcome?.status, status);
      assert.deepEqual(kinds(decisions[1]!), ['prompt_enter']);
      assert.deepEqual(nextStep(r), { kind: 'enter' });
      // and a second attempt is allowed
      assert.equal(run(r, { kind: 'change_requested', changeId: 'c2' }).r.state.attempts, 2);
    }
  });

  it('ignores stale and repeated events', () => {
    const r = run(rotation(), { kind: 'change_requested', changeId: 'c1' }).r;
    assert.deepEqual(decide(r, change('done', { id: 'other' }), NOW), { kind: 'same' });
    assert.deepEqual(decide(r, change('pending'), NOW), { kind: 'same' });
    const done = run(r, change('done')).r;
    assert.deepEqual(decide(done, change('done'), NOW), { kind: 'same' });
    assert.deepEqual(decide(done, { kind: 'change_requested', changeId: 'c9' }, NOW), { kind: 'refused', reason: 'already' });
    assert.deepEqual(decide(r, { kind: 'change_requested', changeId: 'c9' }, NOW), { kind: 'refused', reason: 'not_now' });
  });

  it('refuses to revoke the old token before the new one is in place, and twice', () => {
    const r = run(rotation(), { kind: 'change_requested', changeId: 'c1' }).r;
    assert.deepEqual(decide(r, { kind: 'old_confirmed', by: 'U' }, NOW), { kind: 'refused', reason: 'not_now' });
    const done = run(r, change('done'), { kind: 'old_confirmed', by: 'U' }).r;
    assert.deepEqual(decide(done, { kind: 'old_revoked', by: 'U', detail: '', how: 'revoked', record: 'matched' }, NOW), {
      kind: 'refused',
      reason: 'already',
    });
  });

  it('cancel: withdraws a pending request; refused while the approved change is being written; refused once finished', () => {
    const pending = run(rotation(), { kind: 'change_requested', changeId: 'c1' }).r;
    const c = run(pending, { kind: 'cancel', by: 'UBOB' });
    assert.equal(c.r.status, 'cancelled');
    assert.deepEqual(c.decisions[0]!.effects[0], { kind: 'withdraw_change', changeId: 'c1' });
    assert.equal(c.decisions[0]!.finishedBy, 'UBOB');
    const applying = run(pending, change('applying')).r;
    assert.deepEqual(decide(applying, { kind: 'cancel', by: 'U' }, NOW), { kind: 'refused', reason: 'applying' });
    assert.deepEqual(decide(c.r, { kind: 'cancel', by: 'U' }, NOW), { kind: 'refused', reason: 'not_active' });
    assert.deepEqual(decide(c.r, change('done'), NOW), { kind: 'same' }, 'a late outcome does not revive a cancelled rotation');
    const fresh = run(rotation(), { kind: 'cancel', by: 'UALICE' });
    assert.deepEqual(kinds(fresh.decisions[0]!), ['announce']);
  });

  it('verification: failure records the cause; retry starts again; without a method it is skipped', () => {
    const base = run(rotation(), { kind: 'change_requested', changeId: 'c1' }, change('done'), { kind: 'old_confirmed', by: 'U' }).r;
    const failed = run(base, { kind: 'verify_finished', passed: false, runUrl: 'u', detail: 'authentication failed', advice: ['check the scope'] }).r;
    assert.equal(failed.state.verify.state, 'failed');
    assert.deepEqual(failed.state.verify.advice, ['check the scope']);
    assert.equal(failed.status, 'active');
    assert.deepEqual(nextStep(failed), { kind: 'retry_verify' });
    const retried = run(failed, { kind: 'verify_retry', by: 'U' });
    assert.equal(retried.r.state.verify.state, 'starting');
    assert.equal(retried.r.state.verify.tries, 2);
    assert.deepEqual(kinds(retried.decisions[0]!), ['start_verify']);
    assert.deepEqual(decide(base, { kind: 'verify_retry', by: 'U' }, NOW), { kind: 'refused', reason: 'not_now' });

    const none = run(rotation('fine-grained-pat', null), { kind: 'change_requested', changeId: 'c1' }, change('done'));
    assert.equal(none.r.state.verify.state, 'skipped');
    assert.ok(!kinds(none.decisions[1]!).includes('start_verify'));
    assert.equal(run(none.r, { kind: 'old_confirmed', by: 'U' }).r.status, 'done');
  });

  it('deploy key: never asks for the old token; deletes the old key only after verification passed', () => {
    const { r, decisions } = run(
      rotation('deploy-key'),
      { kind: 'change_requested', changeId: 'c1', newKey: { fingerprint: 'SHA256:x', title: 't' } },
      change('done'),
    );
    assert.ok(!kinds(decisions[1]!).includes('prompt_old'));
    assert.ok(!kinds(decisions[1]!).includes('delete_old_key'), 'not before verification');
    assert.deepEqual(decide(r, { kind: 'old_confirmed', by: 'U' }, NOW), { kind: 'refused', reason: 'not_now' });
    const started = run(r, { kind: 'verify_started', runId: 5, runUrl: null, attemptBefore: 1, jobId: 3 }).r;
    const failed = run(started, { kind: 'verify_finished', passed: false, runUrl: null, detail: 'x', advice: [] });
    assert.ok(!kinds(failed.decisions[0]!).includes('delete_old_key'), 'a failed verification keeps the old key');
    const passed = run(started, { kind: 'verify_finished', passed: true, runUrl: null, detail: null, advice: [] });
    assert.deepEqual(
      passed.decisions[0]!.effects.find((e) => e.kind === 'delete_old_key'),
      { kind: 'delete_old_key', key: KEY },
    );
    assert.equal(passed.r.status, 'active');
    assert.ok(needsWatching(passed.r), 'the key deletion is retried by the watcher');
    const done = run(passed.r, { kind: 'old_deleted', detail: 'GHE_DEPLOY_KEY' });
    assert.equal(done.r.status, 'done');
    assert.equal(needsWatching(done.r), false);
  });

  it('deploy key with no old key matched: completes after verification without deleting anything', () => {
    const r0: R = {
      status: 'active',
      secretKind: 'deploy-key',
      state: initialState({ verifyMethod: 'rerun', verifyWorkflow: 'publish.yml', isDeployKey: true, oldDeployKey: null }),
    };
    assert.equal(r0.state.old.state, 'none');
    const r = run(r0, { kind: 'change_requested', changeId: 'c1' }, change('done'), {
      kind: 'verify_started',
      runId: 1,
      runUrl: null,
      attemptBefore: 1,
      jobId: 1,
    });
    const end = run(r.r, { kind: 'verify_finished', passed: true, runUrl: null, detail: null, advice: [] });
    assert.equal(end.r.status, 'done');
    assert.ok(!kinds(end.decisions[0]!).includes('delete_old_key'));
  });

  it('deploy key the requester is asked about: the answer is kept once; the chosen key goes after verification, also when the answer comes later', () => {
    const asked: R = {
      status: 'active',
      secretKind: 'deploy-key',
      state: initialState({ verifyMethod: 'rerun', verifyWorkflow: 'publish.yml', isDeployKey: true, oldDeployKey: null, askOldKey: true }),
    };
    assert.equal(asked.state.old.state, 'waiting');
    assert.equal(asked.state.old.pick?.state, 'asked');
    const withTs = run(asked, { kind: 'old_key_asked', messageTs: '1.2' }).r;
    assert.equal(withTs.state.old.pick?.messageTs, '1.2');
    assert.deepEqual(decide(withTs, { kind: 'old_key_asked', messageTs: '9.9' }, NOW), { kind: 'same' }, 'asked once');

    // Answered early: deleted once verification passes, as a matched key is.
    const early = run(withTs, { kind: 'old_key_picked', by: 'UALICE', key: KEY });
    assert.deepEqual(kinds(early.decisions[0]!), ['close_pick']);
    assert.deepEqual(early.r.state.old.deployKey, KEY);
    assert.equal(early.r.state.old.pick?.state, 'picked');
    assert.deepEqual(
      decide(early.r, { kind: 'old_key_picked', by: 'UALICE', key: null }, NOW),
      { kind: 'refused', reason: 'already' },
      'the first answer stands',
    );
    const verified = run(
      early.r,
      { kind: 'change_requested', changeId: 'c1' },
      change('done'),
      { kind: 'verify_started', runId: 1, runUrl: null, attemptBefore: 1, jobId: 1 },
      { kind: 'verify_finished', passed: true, runUrl: null, detail: null, advice: [] },
    );
    assert.deepEqual(
      verified.decisions[3]!.effects.find((e) => e.kind === 'delete_old_key'),
      { kind: 'delete_old_key', key: KEY },
    );

    // Not answered by the time verification passes: nothing to delete yet, no watching, the requester's turn.
    const late = run(
      withTs,
      { kind: 'change_requested', changeId: 'c1' },
      change('done'),
      { kind: 'verify_started', runId: 1, runUrl: null, attemptBefore: 1, jobId: 1 },
      { kind: 'verify_finished', passed: true, runUrl: null, detail: null, advice: [] },
    );
    assert.ok(!late.decisions.some((d) => kinds(d).includes('delete_old_key')));
    assert.equal(late.r.status, 'active');
    assert.equal(needsWatching(late.r), false, 'waiting on a person, not on GitHub');
    assert.deepEqual(nextStep(late.r), { kind: 'pick_key' });
    const answered = run(late.r, { kind: 'old_key_picked', by: 'UALICE', key: KEY });
    assert.deepEqual(kinds(answered.decisions[0]!), ['close_pick', 'delete_old_key']);
    assert.equal(needsWatching(answered.r), true);
    const deleted = run(answered.r, { kind: 'old_deleted', detail: 'x' });
    assert.equal(deleted.r.status, 'done');
    assert.ok(kinds(deleted.decisions[0]!).includes('close_pick'), 'the answered question is told the key is gone');
    assert.ok(kinds(run(early.r, { kind: 'cancel', by: 'UALICE' }).decisions[0]!).includes('close_pick'), 'and that it will not be, once cancelled');

    // "None of these": nothing deleted, and the rotation completes.
    const none = run(late.r, { kind: 'old_key_picked', by: 'UALICE', key: null });
    assert.deepEqual(kinds(none.decisions[0]!), ['close_pick', 'announce']);
    assert.equal(none.r.state.old.state, 'none');
    assert.equal(none.r.status, 'done');

    // Cancelled while asked: the question is closed too.
    assert.deepEqual(kinds(run(withTs, { kind: 'cancel', by: 'UALICE' }).decisions[0]!), ['announce', 'close_pick']);
    // A token rotation has nothing to pick.
    assert.deepEqual(decide(rotation(), { kind: 'old_key_picked', by: 'U', key: KEY }, NOW), { kind: 'refused', reason: 'not_now' });
  });

  it('old token: "already dead" matching the record completes the step as dead, not revoked', () => {
    const base = run(
      rotation(),
      { kind: 'change_requested', changeId: 'c1' },
      change('done'),
      { kind: 'verify_started', runId: 1, runUrl: null, attemptBefore: 1, jobId: 1 },
      { kind: 'verify_finished', passed: true, runUrl: null, detail: null, advice: [] },
    ).r;
    const dead = run(base, { kind: 'old_revoked', by: 'UALICE', detail: 'token of x ending in abcd', how: 'already_dead', record: 'matched' }).r;
    assert.equal(dead.state.old.state, 'dead');
    assert.equal(dead.state.old.record, 'matched');
    assert.equal(dead.status, 'done');
    const unrecorded = run(base, { kind: 'old_revoked', by: 'UALICE', detail: 'd', how: 'revoked', record: 'unrecorded' }).r;
    assert.equal(unrecorded.state.old.state, 'revoked');
    assert.equal(unrecorded.state.old.record, 'unrecorded');
  });

  it('watches exactly while something automatic is pending', () => {
    const r = rotation();
    assert.equal(needsWatching(r), false, 'waiting on the requester');
    const pending = run(r, { kind: 'change_requested', changeId: 'c1' }).r;
    assert.equal(needsWatching(pending), true);
    const done = run(pending, change('done')).r;
    assert.equal(needsWatching(done), true, 'verification starting');
    const finished = run(
      done,
      { kind: 'verify_started', runId: 1, runUrl: null, attemptBefore: 1, jobId: 1 },
      { kind: 'verify_finished', passed: true, runUrl: null, detail: null, advice: [] },
    ).r;
    assert.equal(needsWatching(finished), false, 'only the old token is left: that is up to the requester');
  });
});
