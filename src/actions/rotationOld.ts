import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { advance } from '../services/rotation/engine.js';
import { callSlack } from '../slack/slackErrors.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { renderOldTokenModal } from '../ui/rotationOldTokenModal.js';
import { rotationText } from '../ui/rotationText.js';
import { encodeOldTokenMeta } from '../views/rotationOldToken.js';
import { answerClick, rotationForRequester } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { refusalText } from '../ui/refusal.js';

/** The old token: "Paste the old token" (a modal; the bot revokes it) or "I revoked it" (recorded). */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.revokeOld, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const clicked = await rotationForRequester(deps, action.value, user);
    const refuse = async (text: string, why: string, isVoid = false) => {
      await answerClick(respond, body, text, isVoid);
      await recordAudit(deps, { actor: user, action: 'rotation:old_modal', outcome: `refused:${why}`, ...aboutRotation(clicked.rotation) });
    };
    if (!clicked.ok) return refuse(refusalText(clicked.refusal), clicked.why, clicked.void);
    if (nextStep(clicked.rotation).kind !== 'old')
      return refuse(
        clicked.rotation.state.old.state === 'waiting' ? rotationText.stepVoid(clicked.rotation) : rotationText.oldAlreadyDone(clicked.rotation),
        'not_now',
        true,
      );
    await callSlack('views.open', () =>
      client.views.open({ trigger_id: body.trigger_id, view: renderOldTokenModal(clicked.rotation, encodeOldTokenMeta({ rotation: clicked.rotation.id })) }),
    );
    await recordAudit(deps, { actor: user, action: 'rotation:old_modal', outcome: 'modal', ...aboutRotation(clicked.rotation) });
  });

  router.action<BlockButtonAction>(ROTATION_ACTIONS.confirmOld, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const clicked = await rotationForRequester(deps, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:old_confirmed', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const res = await advance(deps, client, clicked.rotation.id, { kind: 'old_confirmed', by: user });
    if (res.kind !== 'moved') {
      await answerClick(
        respond,
        body,
        refusalText({ code: 'rotation_click_void', rotation: res.rotation, reason: res.kind === 'refused' ? res.reason : 'already' }),
        true,
      );
      return recordAudit(deps, { actor: user, action: 'rotation:old_confirmed', outcome: 'refused', ...aboutRotation(clicked.rotation) });
    }
    // The step is done: its prompt is replaced, so its buttons cannot be clicked again.
    await answerClick(respond, body, rotationText.confirmedAck, true);
  });
}
