import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { advance } from '../services/rotation/engine.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { rotationText } from '../ui/rotationText.js';
import { answerClick, rotationForRequesterOrApprover } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { refusalText } from '../ui/refusal.js';

/** "Cancel rotation", by its requester or an approver, at any step before the approved write. */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.cancel, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const clicked = await rotationForRequesterOrApprover(deps, client, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:cancel', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const res = await advance(deps, client, clicked.rotation.id, { kind: 'cancel', by: user });
    if (res.kind !== 'moved') {
      await answerClick(
        respond,
        body,
        refusalText({ code: 'rotation_click_void', rotation: res.rotation, reason: res.kind === 'refused' ? res.reason : 'not_active' }),
        res.kind === 'refused' && res.reason !== 'applying',
      );
      return recordAudit(deps, {
        actor: user,
        action: 'rotation:cancel',
        outcome: `refused:${res.kind === 'refused' ? res.reason : 'same'}`,
        ...aboutRotation(clicked.rotation),
      });
    }
    await reply(rotationText.cancelledAck);
  });
}
