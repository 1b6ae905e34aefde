import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../deps.js';
import { decide, needsWatching, type Decision, type RotationEffect, type RotationEvent } from '../../core/rotation/decide.js';
import type { Rotation } from '../../core/rotation/state.js';
import type { SecretChange } from '../../store/index.js';
import { syncMessage } from '../secretChange.js';
import { syncReminderMessagesSoon } from '../reminders.js';
import { perform } from './effects.js';
import { render } from './slack.js';
import { watchJob } from './watchSchedule.js';
import { aboutChange, aboutRotation, recordAudit } from '../audit.js';
import type { Refusal } from '../../core/refusal.js';

export type AdvanceResult =
  | { kind: 'moved'; rotation: Rotation }
  | { kind: 'same'; rotation: Rotation | null }
  | { kind: 'refused'; reason: Extract<Decision, { kind: 'refused' }>['reason']; rotation: Rotation | null };

/** Work left in one advance: an effect to carry out (for the rotation its transition wrote), or a follow-up event to decide. */
type Work = { kind: 'effect'; rotation: Rotation; effect: RotationEffect } | { kind: 'event'; event: RotationEvent };

/**
 * Applies one event and whatever follows from it, in a loop: each transition is decided
 * (pure) and written with compare-and-set, then its effects are carried out; an effect
 * that leads to a further event (a verification started, an old key deleted) hands it
 * back to the loop, which decides it before the transition's remaining effects, so
 * messages keep their order. Nothing here calls itself. The result is the first event's.
 */
export async function advance(deps: AppDeps, client: WebClient, rotationId: string, event: RotationEvent): Promise<AdvanceResult> {
  const first = await transition(deps, client, rotationId, event);
  if (first.kind !== 'moved') return first;
  const work: Work[] = effectsOf(first);
  for (let w = work.pop(); w; w = work.pop()) {
    if (w.kind === 'effect') {
      const followUp = await perform(deps, client, w.rotation, w.effect);
      if (followUp) work.push({ kind: 'event', event: followUp });
      continue;
    }
    const t = await transition(deps, client, rotationId, w.event);
    if (t.kind === 'moved') work.push(...effectsOf(t));
  }
  return { kind: 'moved', rotation: first.rotation };
}

type Transition = { kind: 'moved'; rotation: Rotation; effects: RotationEffect[] } | Exclude<AdvanceResult, { kind: 'moved' }>;

/** The transition's effects as work, last first (the loop pops from the end). */
const effectsOf = (t: { rotation: Rotation; effects: RotationEffect[] }): Work[] =>
  t.effects.map((effect): Work => ({ kind: 'effect', rotation: t.rotation, effect })).reverse();

/**
 * One event: decide, write with compare-and-set (a lost race re-reads and decides again,
 * so each step is taken once) together with the watch of a rotation left waiting, audit, render.
 */
async function transition(deps: AppDeps, client: WebClient, rotationId: string, event: RotationEvent): Promise<Transition> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = await deps.store.rotations.get(rotationId);
    if (!r) return { kind: 'refused', reason: 'not_active', rotation: null };
    const d = decide(r, event, deps.now());
    if (d.kind === 'same') return { kind: 'same', rotation: r };
    if (d.kind === 'refused') return { kind: 'refused', reason: d.reason, rotation: r };
    const now = deps.now();
    const watch = needsWatching({ status: d.status, state: d.state, secretKind: r.secretKind }) ? watchJob(deps, { id: r.id, state: d.state }) : undefined;
    if (!(await deps.store.rotations.write(r.id, r.version, { status: d.status, state: d.state, finishedBy: d.finishedBy }, now, watch))) continue;
    const next: Rotation = {
      ...r,
      status: d.status,
      state: d.state,
      version: r.version + 1,
      updatedAt: now,
      ...(d.status !== 'active' ? { finishedAt: now, finishedBy: d.finishedBy } : {}),
    };
    await recordAudit(deps, {
      actor: actorOf(event),
      action: `rotation:${event.kind}`,
      outcome: d.status === r.status ? 'ok' : d.status,
      ...aboutRotation(next),
    });
    await render(deps, client, next);
    // Finished: reminders say so; cancelled: they offer to start it again.
    if (d.status !== r.status) await syncReminderMessagesSoon(deps, r.repo, r.secret);
    return { kind: 'moved', rotation: next, effects: d.effects };
  }
  throw new Error(`rotation ${rotationId}: too many concurrent writes`);
}

/**
 * Ties a new approval request to its rotation. If the rotation moved on meanwhile
 * (cancelled, a second submit) the request must not outlive it: it is withdrawn.
 */
export async function attachChange(
  deps: AppDeps,
  client: WebClient,
  rotationId: string,
  change: SecretChange,
  newKey?: { fingerprint: string; title: string },
): Promise<{ ok: true } | { ok: false; refusal: Refusal }> {
  const moved = await advance(deps, client, rotationId, { kind: 'change_requested', changeId: change.id, ...(newKey ? { newKey } : {}) });
  if (moved.kind === 'moved') return { ok: true };
  if (await deps.store.secretChanges.withdraw(change.id, 'system', deps.now())) {
    await recordAudit(deps, { actor: 'system', action: 'secret:cancel', outcome: 'withdrawn:rotation_moved', ...aboutChange(change) });
    await syncMessage(deps, client, change.id);
  }
  return { ok: false, refusal: { code: 'rotation_step', why: moved.kind === 'refused' ? moved.reason : 'not_now' } };
}

function actorOf(e: RotationEvent): string {
  return 'by' in e ? e.by : 'system';
}
