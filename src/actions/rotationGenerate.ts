import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { generateAndRequest } from '../services/rotationKey.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { rotationText } from '../ui/rotationText.js';
import { answerClick, rotationForRequester } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { answerText, refusalText } from '../ui/refusal.js';

/** deploy-key rotation: "Generate the key and ask for approval". */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.generate, async ({ ack, body, action, respond, client }) => {
    await ack();
    await letWaitingAcksGoFirst();
    const user = body.user.id;
    const clicked = await rotationForRequester(deps, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:generate', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const { rotation: r, target } = clicked;
    if (nextStep(r).kind !== 'enter' || r.secretKind !== 'deploy-key') {
      await answerClick(respond, body, rotationText.stepVoid(r), true);
      return recordAudit(deps, { actor: user, action: 'rotation:generate', outcome: 'refused:not_now', ...aboutRotation(r) });
    }
    const res = await generateAndRequest(deps, client, r, target, user);
    // Generated and sent for approval: the prompt's button is done, so the answer replaces it.
    await answerClick(respond, body, answerText(res), res.ok);
    await recordAudit(deps, { actor: user, action: 'rotation:generate', outcome: res.ok ? 'requested' : 'refused', ...aboutRotation(r) });
  });
}
