import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { advance, auditRotation } from '../services/rotation.js';
import { ROTATION_ACTIONS, rotationText } from '../ui/rotation.js';
import { rotationForRequesterOrApprover } from './rotationClick.js';

/** "Verify again" after a failed verification, by the requester or an approver. */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.retryVerify, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const clicked = await rotationForRequesterOrApprover(deps, client, action.value, user);
    if (!clicked.ok) {
      await reply(clicked.text);
      return auditRotation(deps, user, 'rotation:verify_retry', `refused:${clicked.why}`, clicked.rotation);
    }
    const res = await advance(deps, client, clicked.rotation.id, { kind: 'verify_retry', by: user });
    if (res.kind !== 'moved') {
      await reply(res.kind === 'refused' ? rotationText.refused[res.reason] : rotationText.refused.not_now);
      return auditRotation(deps, user, 'rotation:verify_retry', 'refused', clicked.rotation);
    }
  });
}
