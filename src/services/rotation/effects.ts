import type { WebClient } from '@slack/web-api';
import type { AppDeps } from '../../deps.js';
import type { RotationEffect, RotationEvent } from '../../core/rotation/decide.js';
import type { Rotation } from '../../core/rotation/state.js';
import { renderOldPrompt } from '../../ui/rotationPrompts.js';
import { syncMessage } from '../secretChange.js';
import { deleteOldDeployKey, startVerification } from '../rotationVerify.js';
import { announcement, closePick, ephemeral, promptEnter, threadReply } from './slack.js';
import { secretSpec, targetOf } from './target.js';
import { aboutChange, recordAudit } from '../audit.js';

/**
 * The effect executor: carries out one effect the core decided on, for the rotation as
 * that transition left it, and returns the event it led to (a verification started, an
 * old key deleted), or null. It never applies that event itself: the engine's loop does.
 */
export async function perform(deps: AppDeps, client: WebClient, r: Rotation, effect: RotationEffect): Promise<RotationEvent | null> {
  const target = targetOf(deps, r);
  switch (effect.kind) {
    case 'prompt_enter':
      if (target) await promptEnter(deps, client, r, target);
      return null;
    case 'prompt_old':
      if (target) await ephemeral(deps, client, r, renderOldPrompt(r, secretSpec(deps, target)));
      return null;
    case 'announce':
      await threadReply(deps, client, r, announcement(r, effect.what));
      return null;
    case 'withdraw_change': {
      const by = r.finishedBy ?? 'system';
      if (await deps.store.secretChanges.withdraw(effect.changeId, by, deps.now())) {
        const c = await deps.store.secretChanges.get(effect.changeId);
        await recordAudit(deps, { actor: by, action: 'secret:cancel', outcome: 'withdrawn:rotation_cancelled', ...aboutChange(c) });
        await syncMessage(deps, client, effect.changeId);
      }
      return null;
    }
    case 'start_verify':
      return target ? await startVerification(deps, r, target) : { kind: 'verify_start_failed', detail: 'the secret is no longer configured' };
    case 'close_pick':
      await closePick(deps, client, r);
      return null;
    case 'delete_old_key':
      return deleteOldDeployKey(deps, effect.key);
  }
}
