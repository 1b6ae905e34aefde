import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../deps.js';
import { decide, needsWatching, type Decision, type RotationEffect, type RotationEvent } from '../../core/rotation/decide.js';
import type { Rotation } from '../../core/rotation/state.js';
import type { SecretChange } from '../../store/index.js';
import { renderOldPrompt, rotationText } from '../../ui/rotation.js';
import { auditChange, syncMessage } from '../secretChange.js';
import { deleteOldDeployKey, startVerification } from '../rotationVerify.js';
import { syncReminderMessagesSoon } from '../reminders.js';
import { auditRotation } from './audit.js';
import { announcement, closePick, ephemeral, promptEnter, render, threadReply } from './slack.js';
import { secretSpec, targetOf } from './target.js';
import { scheduleWatch } from './watchSchedule.js';

export type AdvanceResult = { kind: 'moved'; rotation: Rotation } | { kind: 'same'; rotation: Rotation | null } | { kind: 'refused'; reason: Extract<Decision, { kind: 'refused' }>['reason']; rotation: Rotation | null };

/**
 * Applies one event: decide (pure), write with compare-and-set, then perform the
 * effects. A lost race re-reads and decides again, so each step is taken once.
 */
export async function advance(deps: AppDeps, client: WebClient, rotationId: string, event: RotationEvent): Promise<AdvanceResult> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = await deps.store.rotations.get(rotationId);
    if (!r) return { kind: 'refused', reason: 'not_active', rotation: null };
    const d = decide(r, event, deps.now());
    if (d.kind === 'same') return { kind: 'same', rotation: r };
    if (d.kind === 'refused') return { kind: 'refused', reason: d.reason, rotation: r };
    const now = deps.now();
    if (!(await deps.store.rotations.write(r.id, r.version, { status: d.status, state: d.state, finishedBy: d.finishedBy }, now))) continue;
    const next: Rotation = { ...r, status: d.status, state: d.state, version: r.version + 1, updatedAt: now, ...(d.status !== 'active' ? { finishedAt: now, finishedBy: d.finishedBy } : {}) };
    await auditRotation(deps, actorOf(event), `rotation:${event.kind}`, d.status === r.status ? 'ok' : d.status, next);
    if (needsWatching(next)) await scheduleWatch(deps, next);
    await render(deps, client, next);
    // Finished: reminders say so; cancelled: they offer to start it again.
    if (d.status !== r.status) await syncReminderMessagesSoon(deps, r.repo, r.secret);
    for (const effect of d.effects) await perform(deps, client, next, effect);
    return { kind: 'moved', rotation: next };
  }
  throw new Error(`rotation ${rotationId}: too many concurrent writes`);
}

/**
 * Ties a new approval request to its rotation. If the rotation moved on meanwhile
 * (cancelled, a second submit) the request must not outlive it: it is withdrawn.
 */
export async function attachChange(deps: AppDeps, client: WebClient, rotationId: string, change: SecretChange, newKey?: { fingerprint: string; title: string }): Promise<{ ok: true } | { ok: false; text: string }> {
  const moved = await advance(deps, client, rotationId, { kind: 'change_requested', changeId: change.id, ...(newKey ? { newKey } : {}) });
  if (moved.kind === 'moved') return { ok: true };
  if (await deps.store.secretChanges.withdraw(change.id, 'system', deps.now())) {
    await auditChange(deps, 'system', 'secret:cancel', 'withdrawn:rotation_moved', change);
    await syncMessage(deps, client, change.id);
  }
  return { ok: false, text: moved.kind === 'refused' ? rotationText.refused[moved.reason] : rotationText.refused.not_now };
}

function actorOf(e: RotationEvent): string {
  return 'by' in e ? e.by : 'system';
}

async function perform(deps: AppDeps, client: WebClient, r: Rotation, effect: RotationEffect): Promise<void> {
  const target = targetOf(deps, r);
  switch (effect.kind) {
    case 'prompt_enter':
      if (target) await promptEnter(deps, client, r, target);
      return;
    case 'prompt_old':
      if (target) await ephemeral(deps, client, r, renderOldPrompt(r, secretSpec(deps, target)));
      return;
    case 'announce':
      await threadReply(deps, client, r, announcement(r, effect.what));
      return;
    case 'withdraw_change': {
      const by = r.finishedBy ?? 'system';
      if (await deps.store.secretChanges.withdraw(effect.changeId, by, deps.now())) {
        const c = await deps.store.secretChanges.get(effect.changeId);
        await auditChange(deps, by, 'secret:cancel', 'withdrawn:rotation_cancelled', c);
        await syncMessage(deps, client, effect.changeId);
      }
      return;
    }
    case 'start_verify': {
      const ev = target ? await startVerification(deps, r, target) : { kind: 'verify_start_failed' as const, detail: 'the secret is no longer configured' };
      if (ev) await advance(deps, client, r.id, ev);
      return;
    }
    case 'close_pick':
      await closePick(deps, client, r);
      return;
    case 'delete_old_key': {
      const ev = await deleteOldDeployKey(deps, effect.key);
      if (ev) await advance(deps, client, r.id, ev);
      return;
    }
  }
}
