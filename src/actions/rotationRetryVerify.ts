import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { advance } from '../services/rotation/engine.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { answerClick, rotationForRequesterOrApprover } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { refusalText } from '../ui/refusal.js';

/** "Verify again" after a failed verification, by the requester or an approver. */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.retryVerify, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const clicked = await rotationForRequesterOrApprover(deps, client, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:verify_retry', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const res = await advance(deps, client, clicked.rotation.id, { kind: 'verify_retry', by: user });
    if (res.kind !== 'moved') {
      await answerClick(
        respond,
        body,
        refusalText({ code: 'rotation_click_void', rotation: res.rotation, reason: res.kind === 'refused' ? res.reason : 'not_now' }),
        true,
      );
      return recordAudit(deps, { actor: user, action: 'rotation:verify_retry', outcome: 'refused', ...aboutRotation(clicked.rotation) });
    }
  });
}
