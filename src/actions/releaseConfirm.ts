import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { dispatchJob } from '../services/releaseDispatch.js';
import { RELEASE_ACTIONS, releaseText } from '../ui/releaseConfirm.js';
import type { Release } from '../store/index.js';

function refusal(r: Release | null, user: string, now: Date): string {
  if (!r) return releaseText.unknown;
  if (r.requestedBy !== user) return releaseText.notYours;
  if (r.status === 'pending' && r.expiresAt <= now) return releaseText.expired;
  return releaseText.alreadyDecided(r.status);
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
      await respond({ response_type: 'ephemeral', replace_original: false, text: refusal(release, user, deps.now()) });
      await deps.store.audit.record({ actor: user, action: 'action:release-confirm', outcome: 'refused', ...(release ? { repo: release.repo } : {}) }, deps.now());
      return;
    }
    deps.wake?.();
    await respond({ response_type: 'ephemeral', replace_original: true, text: releaseText.confirmed(release.tag, release.channel) });
    await deps.store.audit.record({ actor: user, action: 'action:release-confirm', outcome: 'confirmed', repo: release.repo, detail: { tag: release.tag, release: release.id } }, deps.now());
  });

  router.action<BlockButtonAction>(RELEASE_ACTIONS.cancel, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    const id = action.value ?? '';
    const cancelled = await deps.store.releases.cancel(id, user, deps.now());
    const release = await deps.store.releases.get(id);
    await respond({
      response_type: 'ephemeral',
      replace_original: cancelled,
      text: cancelled && release ? releaseText.cancelled(release.tag) : refusal(release, user, deps.now()),
    });
    await deps.store.audit.record(
      { actor: user, action: 'action:release-cancel', outcome: cancelled ? 'cancelled' : 'refused', ...(release ? { repo: release.repo } : {}) },
      deps.now(),
    );
  });
}
