import type { DeployKeyTarget } from '../secrets/facts.js';
import type { Rotation, RotationState, RotationStatus } from './state.js';

/**
 * The rotation's state machine, pure: an event and the stored rotation in, the next
 * state and the effects to perform out (the service performs them and reports back
 * with further events). Nothing here talks to Slack or GitHub, so every step, refusal
 * and ordering rule is tested without either.
 */

export type ChangeStatus = 'pending' | 'approved' | 'applying' | 'done' | 'failed' | 'denied' | 'cancelled' | 'expired';

/** What the rotation needs to know of its approval request. */
export interface ChangeView {
  id: string;
  status: ChangeStatus;
  /** The secret's updated_at read back after the write. */
  updatedAt: string | null;
  decidedBy: string | null;
  error: string | null;
  /** A write got no answer and GitHub could not be read back: the secret may hold the new value. */
  writeUnknown?: boolean;
}

export type RotationEvent =
  /** A value was entered (or a key generated) and sent for approval. */
  | { kind: 'change_requested'; changeId: string; newKey?: { fingerprint: string; title: string } }
  /** The approval request as it now stands. */
  | { kind: 'change_seen'; change: ChangeView }
  | { kind: 'verify_started'; runId: number; runUrl: string | null; attemptBefore: number | null; jobId: number | null }
  | { kind: 'verify_start_failed'; detail: string }
  | { kind: 'verify_finished'; passed: boolean; runUrl: string | null; detail: string | null; advice: string[] }
  | { kind: 'verify_retry'; by: string }
  /**
   * The pasted old token was dealt with: `revoked` now and proven dead, or `already_dead`
   * (GitHub rejected it before, and it is shown to be the recorded value). `record`: it
   * matched the record of the value the bot set, or there was none (set outside the bot).
   */
  | { kind: 'old_revoked'; by: string; detail: string; how: 'revoked' | 'already_dead'; record: 'matched' | 'unrecorded' }
  | { kind: 'old_confirmed'; by: string }
  | { kind: 'old_deleted'; detail: string }
  /** deploy-key: the question "which deploy key is the old one?" was posted in the thread. */
  | { kind: 'old_key_asked'; messageTs: string }
  /** deploy-key: the requester's answer: that key, or none of them (null). */
  | { kind: 'old_key_picked'; by: string; key: DeployKeyTarget | null }
  | { kind: 'cancel'; by: string };

export type Announcement = 'replaced' | 'verify_passed' | 'verify_failed' | 'completed' | 'cancelled';

export type RotationEffect =
  /** Ask the requester (privately, in the thread) for the new value, or to try again. */
  | { kind: 'prompt_enter' }
  /** Ask the requester to revoke the old token (paste it, or confirm by hand). */
  | { kind: 'prompt_old' }
  | { kind: 'start_verify' }
  | { kind: 'delete_old_key'; key: DeployKeyTarget }
  /** Withdraw a pending approval request (the rotation was cancelled). */
  | { kind: 'withdraw_change'; changeId: string }
  /** A public reply in the thread. */
  | { kind: 'announce'; what: Announcement }
  /** deploy-key: edit the question about the old key: the answer, or why it no longer applies (no buttons left). */
  | { kind: 'close_pick' };

/** Why an event does not move the rotation (core/refusal.ts `rotation_step` words it for a person). */
export type StepRefused =
  /** The rotation is finished or cancelled. */
  | 'not_active'
  /** The step is not open (e.g. revoking the old token before the new one is in place). */
  | 'not_now'
  /** Already done (a second click, another replica). */
  | 'already'
  /** The approved change is being written: it cannot be stopped half-way. */
  | 'applying';

export type Decision =
  | { kind: 'next'; status: RotationStatus; state: RotationState; effects: RotationEffect[]; finishedBy: string | null }
  /** Nothing to change (a stale or repeated event). */
  | { kind: 'same' }
  | { kind: 'refused'; reason: StepRefused };

type Current = Pick<Rotation, 'status' | 'state' | 'secretKind'>;

const FINAL_OLD = new Set(['revoked', 'dead', 'confirmed', 'deleted', 'none']);
const FINAL_VERIFY = new Set(['passed', 'skipped']);

export function decide(r: Current, ev: RotationEvent, now: Date): Decision {
  if (r.status !== 'active')
    return ev.kind === 'change_seen' || ev.kind.startsWith('verify_') || ev.kind === 'old_deleted' || ev.kind === 'old_key_asked'
      ? { kind: 'same' }
      : { kind: 'refused', reason: 'not_active' };
  const s = r.state;
  const at = now.toISOString();
  const effects: RotationEffect[] = [];
  let next: RotationState;
  let status: RotationStatus = 'active';
  let finishedBy: string | null = null;

  switch (ev.kind) {
    case 'change_requested':
      if (s.replacedAt) return { kind: 'refused', reason: 'already' };
      if (s.changeId) return { kind: 'refused', reason: 'not_now' };
      next = { ...s, changeId: ev.changeId, changeStatus: 'pending', attempts: s.attempts + 1, lastOutcome: null, newKey: ev.newKey ?? s.newKey };
      break;

    case 'change_seen': {
      const c = ev.change;
      if (c.id !== s.changeId || s.replacedAt) return { kind: 'same' };
      if (c.status === 'pending' || c.status === 'approved' || c.status === 'applying') {
        if (c.status === s.changeStatus) return { kind: 'same' };
        next = { ...s, changeStatus: c.status };
        break;
      }
      if (c.status === 'done') {
        next = { ...s, changeStatus: null, replacedAt: c.updatedAt ?? at };
        effects.push({ kind: 'announce', what: 'replaced' });
        if (s.verify.method) {
          next.verify = { ...s.verify, state: 'starting', startedAt: at, tries: s.verify.tries + 1 };
          effects.push({ kind: 'start_verify' });
        } else {
          next.verify = { ...s.verify, state: 'skipped' };
        }
        if (r.secretKind !== 'deploy-key' && s.old.state === 'waiting') effects.push({ kind: 'prompt_old' });
        break;
      }
      // failed, denied, expired, cancelled: nothing was written (or, writeUnknown, GitHub could not say); the requester may try again.
      next = {
        ...s,
        changeId: null,
        changeStatus: null,
        newKey: null,
        lastOutcome: { status: c.status, by: c.decidedBy, error: c.error, ...(c.writeUnknown ? { writeUnknown: true } : {}) },
      };
      effects.push({ kind: 'prompt_enter' });
      break;
    }

    case 'verify_started':
      if (s.verify.state !== 'starting') return { kind: 'same' };
      next = { ...s, verify: { ...s.verify, state: 'running', runId: ev.runId, runUrl: ev.runUrl, attemptBefore: ev.attemptBefore, jobId: ev.jobId } };
      break;

    case 'verify_start_failed':
      if (s.verify.state !== 'starting') return { kind: 'same' };
      next = { ...s, verify: { ...s.verify, state: 'failed', finishedAt: at, detail: ev.detail, advice: [] } };
      effects.push({ kind: 'announce', what: 'verify_failed' });
      break;

    case 'verify_finished':
      if (s.verify.state !== 'running' && s.verify.state !== 'starting') return { kind: 'same' };
      next = {
        ...s,
        verify: {
          ...s.verify,
          state: ev.passed ? 'passed' : 'failed',
          finishedAt: at,
          runUrl: ev.runUrl ?? s.verify.runUrl,
          detail: ev.detail,
          advice: ev.advice,
        },
      };
      effects.push({ kind: 'announce', what: ev.passed ? 'verify_passed' : 'verify_failed' });
      break;

    case 'verify_retry':
      if (s.verify.state !== 'failed' || !s.verify.method) return { kind: 'refused', reason: 'not_now' };
      next = {
        ...s,
        verify: {
          ...s.verify,
          state: 'starting',
          startedAt: at,
          finishedAt: null,
          runId: null,
          runUrl: null,
          attemptBefore: null,
          jobId: null,
          detail: null,
          advice: [],
          tries: s.verify.tries + 1,
        },
      };
      effects.push({ kind: 'start_verify' });
      break;

    case 'old_revoked':
    case 'old_confirmed':
      if (r.secretKind === 'deploy-key' || !s.replacedAt) return { kind: 'refused', reason: 'not_now' };
      if (s.old.state !== 'waiting') return { kind: 'refused', reason: 'already' };
      next = {
        ...s,
        old:
          ev.kind === 'old_revoked'
            ? { ...s.old, state: ev.how === 'already_dead' ? 'dead' : 'revoked', by: ev.by, at, detail: ev.detail, record: ev.record }
            : { ...s.old, state: 'confirmed', by: ev.by, at, detail: null },
      };
      break;

    case 'old_key_asked':
      if (!s.old.pick || s.old.pick.messageTs) return { kind: 'same' };
      next = { ...s, old: { ...s.old, pick: { ...s.old.pick, messageTs: ev.messageTs } } };
      // Answered before its ts was stored (a quick click): edit it now.
      if (s.old.pick.state !== 'asked') effects.push({ kind: 'close_pick' });
      break;

    case 'old_key_picked': {
      const pick = s.old.pick;
      if (r.secretKind !== 'deploy-key' || !pick) return { kind: 'refused', reason: 'not_now' };
      if (pick.state !== 'asked' || s.old.state !== 'waiting') return { kind: 'refused', reason: 'already' };
      const answered = { ...pick, state: ev.key ? ('picked' as const) : ('none' as const), by: ev.by, at };
      next = { ...s, old: ev.key ? { ...s.old, deployKey: ev.key, pick: answered } : { ...s.old, state: 'none', by: ev.by, at, pick: answered } };
      effects.push({ kind: 'close_pick' });
      break;
    }

    case 'old_deleted':
      if (s.old.state !== 'waiting') return { kind: 'same' };
      next = { ...s, old: { ...s.old, state: 'deleted', at, detail: ev.detail } };
      if (s.old.pick?.state === 'picked') effects.push({ kind: 'close_pick' });
      break;

    case 'cancel':
      if (s.changeStatus === 'approved' || s.changeStatus === 'applying') return { kind: 'refused', reason: 'applying' };
      next = { ...s, changeStatus: null };
      if (s.changeId && s.changeStatus === 'pending') effects.push({ kind: 'withdraw_change', changeId: s.changeId });
      status = 'cancelled';
      finishedBy = ev.by;
      effects.push({ kind: 'announce', what: 'cancelled' });
      // The question, answered or not, must not keep promising a deletion that will not come.
      if (s.old.pick?.state === 'asked' || (s.old.pick?.state === 'picked' && s.old.state === 'waiting')) effects.push({ kind: 'close_pick' });
      return { kind: 'next', status, state: next, effects, finishedBy };
  }

  // A deploy key is only deleted once the new one is known to work (or nothing can tell).
  // (Also when the requester names the old key only after the verification passed.)
  const keyJustKnown = !s.old.deployKey && !!next.old.deployKey;
  if (
    r.secretKind === 'deploy-key' &&
    next.replacedAt &&
    next.old.state === 'waiting' &&
    next.old.deployKey &&
    FINAL_VERIFY.has(next.verify.state) &&
    (!FINAL_VERIFY.has(s.verify.state) || keyJustKnown)
  ) {
    effects.push({ kind: 'delete_old_key', key: next.old.deployKey });
  }
  if (next.replacedAt && FINAL_OLD.has(next.old.state) && FINAL_VERIFY.has(next.verify.state)) {
    status = 'done';
    effects.push({ kind: 'announce', what: 'completed' });
  }
  return { kind: 'next', status, state: next, effects, finishedBy };
}

/**
 * What the rotation waits on that the bot must look at by itself rather than a person:
 * its approval request being decided or applied, the verification run, the old deploy
 * key to delete (once the new one is known to work). Read whatever the status.
 */
export interface WaitingOn {
  change: boolean;
  verify: boolean;
  oldKey: DeployKeyTarget | null;
}

export function waitingOn(r: Current): WaitingOn {
  const s = r.state;
  const oldKeyDue = r.secretKind === 'deploy-key' && !!s.replacedAt && s.old.state === 'waiting' && FINAL_VERIFY.has(s.verify.state);
  return {
    change: !!s.changeStatus,
    verify: s.verify.state === 'starting' || s.verify.state === 'running',
    oldKey: oldKeyDue ? s.old.deployKey : null,
  };
}

/** Whether an active rotation waits on something the bot must look at by itself (see waitingOn). */
export function needsWatching(r: Current): boolean {
  if (r.status !== 'active') return false;
  const w = waitingOn(r);
  return w.change || w.verify || w.oldKey !== null;
}

export type NextStep =
  | { kind: 'enter' }
  | { kind: 'old' }
  | { kind: 'pick_key' }
  | { kind: 'retry_verify' }
  | { kind: 'wait'; on: 'approval' | 'writing' | 'verify' | 'oldKey' }
  | { kind: 'none' };

/** What the requester can do now (the "My next step" button). */
export function nextStep(r: Current): NextStep {
  const s = r.state;
  if (r.status !== 'active') return { kind: 'none' };
  if (!s.replacedAt) {
    if (s.changeStatus === 'pending') return { kind: 'wait', on: 'approval' };
    if (s.changeStatus) return { kind: 'wait', on: 'writing' };
    return { kind: 'enter' };
  }
  if (r.secretKind !== 'deploy-key' && s.old.state === 'waiting') return { kind: 'old' };
  if (s.verify.state === 'failed' && s.verify.method) return { kind: 'retry_verify' };
  if (s.verify.state === 'starting' || s.verify.state === 'running') return { kind: 'wait', on: 'verify' };
  if (r.secretKind === 'deploy-key' && s.old.state === 'waiting') return s.old.deployKey ? { kind: 'wait', on: 'oldKey' } : { kind: 'pick_key' };
  return { kind: 'none' };
}
