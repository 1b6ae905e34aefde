import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../deps.js';
import type { Rotation } from '../core/rotation/state.js';
import { targetOf, type RotationTarget } from '../services/rotation.js';
import { rotationText } from '../ui/rotation.js';

export type Clicked = { ok: true; rotation: Rotation; target: RotationTarget } | { ok: false; text: string; why: string; rotation: Rotation | null };

/**
 * The rotation a button names, for a step only its requester may take. Every refusal
 * is a sentence for an ephemeral reply; nothing has changed when one comes back.
 */
export async function rotationForRequester(deps: AppDeps, value: unknown, user: string): Promise<Clicked> {
  const rotation = typeof value === 'string' ? await deps.store.rotations.get(value) : null;
  if (!rotation) return { ok: false, text: rotationText.unknown, why: 'unknown', rotation: null };
  if (rotation.status !== 'active') return { ok: false, text: rotationText.refused.not_active, why: 'not_active', rotation };
  if (rotation.requestedBy !== user) return { ok: false, text: rotationText.notRequester, why: 'not_requester', rotation };
  const target = targetOf(deps, rotation);
  if (!target) return { ok: false, text: rotationText.unknown, why: 'unconfigured', rotation };
  return { ok: true, rotation, target };
}

/**
 * The rotation a button names, for a step its requester or an approver may take
 * (cancel, verify again). Whether the step is open is the state machine's call.
 */
export async function rotationForRequesterOrApprover(deps: AppDeps, client: WebClient, value: unknown, user: string): Promise<{ ok: true; rotation: Rotation } | { ok: false; text: string; why: string; rotation: Rotation | null }> {
  const rotation = typeof value === 'string' ? await deps.store.rotations.get(value) : null;
  if (!rotation) return { ok: false, text: rotationText.unknown, why: 'unknown', rotation: null };
  if (rotation.requestedBy !== user && !(await deps.access.allowed(client, user, deps.config.file.access.approve))) {
    return { ok: false, text: rotationText.notRequesterOrApprover, why: 'not_allowed', rotation };
  }
  return { ok: true, rotation };
}
