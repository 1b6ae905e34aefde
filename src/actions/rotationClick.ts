import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import type { RotationTarget } from '../core/rotation/target.js';
import { targetOf } from '../services/rotation/target.js';
import { isAllowed } from '../services/policy.js';
import type { RespondFn } from '@slack/bolt';
import { rotationText } from '../ui/rotation.js';
import { answerVoid } from './clickPlace.js';

/** `void`: the clicked offer no longer applies to anyone (a finished rotation), so an ephemeral prompt is replaced. */
export type Clicked =
  { ok: true; rotation: Rotation; target: RotationTarget } | { ok: false; text: string; why: string; rotation: Rotation | null; void?: boolean };

/**
 * The rotation a button names, for a step only its requester may take. Every refusal
 * is a sentence for an ephemeral reply; nothing has changed when one comes back.
 */
export async function rotationForRequester(deps: AppDeps, value: unknown, user: string): Promise<Clicked> {
  const rotation = typeof value === 'string' ? await deps.store.rotations.get(value) : null;
  if (!rotation) return { ok: false, text: rotationText.unknown, why: 'unknown', rotation: null };
  if (rotation.status !== 'active') return { ok: false, text: rotationText.over(rotation), why: 'not_active', rotation, void: true };
  if (rotation.requestedBy !== user) return { ok: false, text: rotationText.notRequesterNamed(rotation.requestedBy), why: 'not_requester', rotation };
  const target = targetOf(deps, rotation);
  if (!target) return { ok: false, text: rotationText.unknown, why: 'unconfigured', rotation };
  return { ok: true, rotation, target };
}

/**
 * The rotation a button names, for a step its requester or an approver may take
 * (cancel, verify again). Whether the step is open is the state machine's call.
 */
export async function rotationForRequesterOrApprover(
  deps: AppDeps,
  client: WebClient,
  value: unknown,
  user: string,
): Promise<{ ok: true; rotation: Rotation } | { ok: false; text: string; why: string; rotation: Rotation | null; void?: boolean }> {
  const rotation = typeof value === 'string' ? await deps.store.rotations.get(value) : null;
  if (!rotation) return { ok: false, text: rotationText.unknown, why: 'unknown', rotation: null };
  if (rotation.requestedBy !== user && !(await isAllowed(deps, client, user, 'approve_secret_change'))) {
    return { ok: false, text: rotationText.notRequesterOrApproverNamed(rotation.requestedBy, deps.config.file.access.approve), why: 'not_allowed', rotation };
  }
  return { ok: true, rotation };
}

/**
 * Why a rotation step refused a click, in words that say what happened since. A
 * refusal the state machine gives (not open, already done, finished) means the
 * clicked prompt is void: it is replaced where it is an ephemeral one.
 */
export function refusalText(r: Rotation | null, reason: 'not_active' | 'not_now' | 'already' | 'applying'): string {
  if (!r) return rotationText.unknown;
  if (reason === 'applying') return rotationText.refused.applying;
  if (r.status !== 'active') return rotationText.over(r);
  if (reason === 'already') return rotationText.oldAlreadyDone(r);
  return rotationText.stepVoid(r);
}

/** A private answer to a click; `void`: the clicked prompt is replaced by it (ephemeral prompts only, see answerVoid). */
export function answerClick(respond: RespondFn, body: unknown, text: string, isVoid = false): ReturnType<RespondFn> {
  return isVoid ? answerVoid(respond, body, text) : respond({ response_type: 'ephemeral', replace_original: false, text });
}
