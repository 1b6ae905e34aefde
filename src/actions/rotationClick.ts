import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import type { RotationTarget } from '../core/rotation/target.js';
import { targetOf } from '../services/rotation/target.js';
import { isAllowed } from '../services/policy.js';
import type { RespondFn } from '@slack/bolt';
import type { Refusal } from '../core/refusal.js';
import { answerVoid } from './clickPlace.js';

/** `void`: the clicked offer no longer applies to anyone (a finished rotation), so an ephemeral prompt is replaced. */
export type Clicked = { ok: true; rotation: Rotation; target: RotationTarget } | NotClicked;
/** A click refused (`why`: the audit outcome's reason) on `rotation`, the one the button names if the bot still knows it. */
export type NotClicked = { ok: false; refusal: Refusal; why: string; rotation: Rotation | null; void?: boolean };

/**
 * The rotation a button names, for a step only its requester may take. Every refusal
 * is for an ephemeral reply (ui/refusal.ts words it); nothing has changed when one comes back.
 */
export async function rotationForRequester(deps: AppDeps, value: unknown, user: string): Promise<Clicked> {
  const rotation = typeof value === 'string' ? await deps.store.rotations.get(value) : null;
  if (!rotation) return { ok: false, refusal: { code: 'rotation_unknown' }, why: 'unknown', rotation: null };
  if (rotation.status !== 'active') return { ok: false, refusal: { code: 'rotation_over', rotation }, why: 'not_active', rotation, void: true };
  if (rotation.requestedBy !== user)
    return { ok: false, refusal: { code: 'rotation_not_requester', requestedBy: rotation.requestedBy }, why: 'not_requester', rotation };
  const target = targetOf(deps, rotation);
  if (!target) return { ok: false, refusal: { code: 'rotation_unknown' }, why: 'unconfigured', rotation };
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
): Promise<{ ok: true; rotation: Rotation } | NotClicked> {
  const rotation = typeof value === 'string' ? await deps.store.rotations.get(value) : null;
  if (!rotation) return { ok: false, refusal: { code: 'rotation_unknown' }, why: 'unknown', rotation: null };
  if (rotation.requestedBy !== user && !(await isAllowed(deps, client, user, 'approve_secret_change'))) {
    const refusal = { code: 'rotation_not_requester_or_approver', requestedBy: rotation.requestedBy, approvers: deps.config.file.access.approve } as const;
    return { ok: false, refusal, why: 'not_allowed', rotation };
  }
  return { ok: true, rotation };
}

/** A private answer to a click; `void`: the clicked prompt is replaced by it (ephemeral prompts only, see answerVoid). */
export function answerClick(respond: RespondFn, body: unknown, text: string, isVoid = false): ReturnType<RespondFn> {
  return isVoid ? answerVoid(respond, body, text) : respond({ response_type: 'ephemeral', replace_original: false, text });
}
