import type { App, BlockButtonAction } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { advance, auditRotation } from '../services/rotation.js';
import { ROTATION_ACTIONS, rotationText } from '../ui/rotation.js';

/** "Cancel rotation", by its requester or an approver, at any step before the approved write. */
export function register(app: App, deps: AppDeps): void {
  app.action<BlockButtonAction>(ROTATION_ACTIONS.cancel, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const r = typeof action.value === 'string' ? await deps.store.rotations.get(action.value) : null;
    if (!r) {
      await reply(rotationText.unknown);
      return auditRotation(deps, user, 'rotation:cancel', 'refused:unknown', null);
    }
    if (r.requestedBy !== user && !(await deps.access.allowed(client, user, deps.config.file.access.approve))) {
      await reply(rotationText.notRequesterOrApprover);
      return auditRotation(deps, user, 'rotation:cancel', 'refused:not_allowed', r);
    }
    const res = await advance(deps, client, r.id, { kind: 'cancel', by: user });
    if (res.kind !== 'moved') {
      await reply(res.kind === 'refused' ? rotationText.refused[res.reason] : rotationText.refused.not_active);
      return auditRotation(deps, user, 'rotation:cancel', `refused:${res.kind === 'refused' ? res.reason : 'same'}`, r);
    }
    await reply(rotationText.cancelledAck);
  });
}
