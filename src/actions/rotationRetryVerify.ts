import type { App, BlockButtonAction } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { advance, auditRotation } from '../services/rotation.js';
import { ROTATION_ACTIONS, rotationText } from '../ui/rotation.js';

/** "Verify again" after a failed verification, by the requester or an approver. */
export function register(app: App, deps: AppDeps): void {
  app.action<BlockButtonAction>(ROTATION_ACTIONS.retryVerify, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const r = typeof action.value === 'string' ? await deps.store.rotations.get(action.value) : null;
    if (!r) {
      await reply(rotationText.unknown);
      return auditRotation(deps, user, 'rotation:verify_retry', 'refused:unknown', null);
    }
    if (r.requestedBy !== user && !(await deps.access.allowed(client, user, deps.config.file.access.approve))) {
      await reply(rotationText.notRequesterOrApprover);
      return auditRotation(deps, user, 'rotation:verify_retry', 'refused:not_allowed', r);
    }
    const res = await advance(deps, client, r.id, { kind: 'verify_retry', by: user });
    if (res.kind !== 'moved') {
      await reply(res.kind === 'refused' ? rotationText.refused[res.reason] : rotationText.refused.not_now);
      return auditRotation(deps, user, 'rotation:verify_retry', 'refused', r);
    }
  });
}
