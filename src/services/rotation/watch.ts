import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../deps.js';
import { waitingOn } from '../../core/rotation/decide.js';
import type { Rotation } from '../../core/rotation/state.js';
import { checkVerification, deleteOldDeployKey, type VerifyFollow } from '../rotationVerify.js';
import { changeOf } from './change.js';
import { advance } from './engine.js';
import { targetOf } from './target.js';

/**
 * Looks at whatever the rotation waits on by itself: its approval request, the
 * verification run, the old deploy key to delete (what, the core says: waitingOn).
 * Asked again after each step, since a step can end what the next one waits on.
 * `follow`: the watch's last read of the verification run from GitHub (updated in place).
 */
export async function watchOnce(
  deps: AppDeps,
  client: WebClient,
  rotationId: string,
  follow: VerifyFollow = { lastGitHubLook: null },
): Promise<{ rotation: Rotation | null; deleteFailed: boolean }> {
  let r = await deps.store.rotations.get(rotationId);
  if (!r || r.status !== 'active') return { rotation: r, deleteFailed: false };
  const { view } = await changeOf(deps, r);
  if (view && waitingOn(r).change) {
    const res = await advance(deps, client, r.id, { kind: 'change_seen', change: view });
    r = res.rotation ?? r;
  }
  if (waitingOn(r).verify) {
    const target = targetOf(deps, r);
    const ev = target
      ? await checkVerification(deps, r, target, follow)
      : { kind: 'verify_start_failed' as const, detail: 'the secret is no longer configured' };
    if (ev) r = (await advance(deps, client, r.id, ev)).rotation ?? r;
  }
  const key = waitingOn(r).oldKey;
  if (key) {
    const ev = await deleteOldDeployKey(deps, key);
    if (ev) r = (await advance(deps, client, r.id, ev)).rotation ?? r;
    else return { rotation: r, deleteFailed: true };
  }
  return { rotation: r, deleteFailed: false };
}
