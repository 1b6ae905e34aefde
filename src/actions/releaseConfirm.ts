import type { BlockButtonAction, RespondFn } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { dispatchJob } from '../services/releaseDispatch.js';
import { RELEASE_ACTIONS, releaseText, renderVoidConfirmation } from '../ui/releaseConfirm.js';
import { voidConfirmation } from '../core/release/confirmClick.js';
import type { Release } from '../store/index.js';
import { recordAudit } from '../services/audit.js';

/**
 * A click that cannot act: the requester's confirmation is replaced (through the
 * click's response_url, the only way to edit an ephemeral) by what happened since, so
 * its buttons go; anyone else is told privately and the confirmation left alone.
 */
async function answerVoid(deps: AppDeps, respond: RespondFn, r: Release | null, user: string): Promise<void> {
  const now = deps.now();
  const others = r ? await deps.store.releases.active(r.repo, r.tag, now) : [];
  const v = voidConfirmation(
    r,
    user,
    now,
    others.map((o) => ({ id: o.id, requestedBy: o.requestedBy, channel: o.channel, pending: o.status === 'pending' })),
  );
  const replace = v.kind !== 'notYours';
  await respond({ response_type: 'ephemeral', replace_original: replace, text: renderVoidConfirmation(v) });
}

/** Release: exactly one click, on one replica, wins the pending -> dispatching transition and dispatches. */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(RELEASE_ACTIONS.confirm, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    const id = action.value ?? '';
    const now = deps.now();
    // Wins only while this is still the tag's pending release (the store keeps one active per tag)
    // and enqueues the dispatch in the same transaction: a crash from here on leaves a job, not a
    // release stuck half-way. The job looks at GitHub once more before it sends anything.
    const won = await deps.store.releases.claimForDispatch(id, user, now, dispatchJob(id, now));
    const release = await deps.store.releases.get(id);
    if (!won || !release) {
      await answerVoid(deps, respond, release, user);
      await recordAudit(deps, { actor: user, action: 'action:release-confirm', outcome: 'refused', ...(release ? { repo: release.repo } : {}) });
      return;
    }
    deps.wake?.();
    await respond({ response_type: 'ephemeral', replace_original: true, text: releaseText.confirmed(release.tag, release.channel) });
    await recordAudit(deps, {
      actor: user,
      action: 'action:release-confirm',
      outcome: 'confirmed',
      repo: release.repo,
      detail: { tag: release.tag, release: release.id },
    });
  });

  router.action<BlockButtonAction>(RELEASE_ACTIONS.cancel, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    const id = action.value ?? '';
    const cancelled = await deps.store.releases.cancel(id, user, deps.now());
    const release = await deps.store.releases.get(id);
    if (cancelled && release) await respond({ response_type: 'ephemeral', replace_original: true, text: releaseText.cancelled(release.tag) });
    else await answerVoid(deps, respond, release, user);
    await recordAudit(deps, {
      actor: user,
      action: 'action:release-cancel',
      outcome: cancelled ? 'cancelled' : 'refused',
      ...(release ? { repo: release.repo } : {}),
    });
  });
}
