import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { advance, auditRotation } from '../services/rotation.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderOldTokenModal, ROTATION_ACTIONS, rotationText } from '../ui/rotation.js';
import { encodeOldTokenMeta } from '../views/rotationOldToken.js';
import { rotationForRequester } from './rotationClick.js';

/** The old token: "Paste the old token" (a modal; the bot revokes it) or "I revoked it" (recorded). */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.revokeOld, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const clicked = await rotationForRequester(deps, action.value, user);
    const refuse = async (text: string, why: string) => {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
      await auditRotation(deps, user, 'rotation:old_modal', `refused:${why}`, clicked.rotation);
    };
    if (!clicked.ok) return refuse(clicked.text, clicked.why);
    if (nextStep(clicked.rotation).kind !== 'old') return refuse(rotationText.refused.not_now, 'not_now');
    await callSlack('views.open', () => client.views.open({ trigger_id: body.trigger_id, view: renderOldTokenModal(clicked.rotation, encodeOldTokenMeta({ rotation: clicked.rotation.id })) }));
    await auditRotation(deps, user, 'rotation:old_modal', 'modal', clicked.rotation);
  });

  router.action<BlockButtonAction>(ROTATION_ACTIONS.confirmOld, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const clicked = await rotationForRequester(deps, action.value, user);
    if (!clicked.ok) {
      await reply(clicked.text);
      return auditRotation(deps, user, 'rotation:old_confirmed', `refused:${clicked.why}`, clicked.rotation);
    }
    const res = await advance(deps, client, clicked.rotation.id, { kind: 'old_confirmed', by: user });
    if (res.kind !== 'moved') {
      await reply(res.kind === 'refused' ? rotationText.refused[res.reason] : rotationText.refused.already);
      return auditRotation(deps, user, 'rotation:old_confirmed', 'refused', clicked.rotation);
    }
    await reply(rotationText.confirmedAck);
  });
}
