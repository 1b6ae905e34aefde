import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { ephemeral, promptEnter } from '../services/rotation/slack.js';
import { secretSpec } from '../services/rotation/target.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { renderOldPrompt } from '../ui/rotationPrompts.js';
import { rotationText } from '../ui/rotationText.js';
import { askOldKeyAgain } from '../services/rotationOldKey.js';
import { answerClick, rotationForRequester } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { refusalText } from '../ui/refusal.js';

/** "My next step": sends the requester their current private step again (lost, scrolled away, or after a restart). */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.next, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const clicked = await rotationForRequester(deps, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:next', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const { rotation: r, target } = clicked;
    const step = nextStep(r);
    switch (step.kind) {
      case 'enter':
        await promptEnter(deps, client, r, target);
        break;
      case 'old':
        await ephemeral(deps, client, r, renderOldPrompt(r, secretSpec(deps, target)));
        break;
      case 'pick_key':
        await reply(r.state.old.pick?.messageTs ? rotationText.noNextStep(rotationText.pickKey.pending) : (await askOldKeyAgain(deps, client, r, target)).text);
        break;
      case 'retry_verify':
        await reply(rotationText.noNextStep('the verification failed; see what to check in the checklist, then click *Verify again*.'));
        break;
      case 'wait':
        await reply(rotationText.noNextStep(rotationText.waitingFor[step.on]));
        break;
      case 'none':
        await reply(rotationText.over(r));
        break;
    }
    await recordAudit(deps, { actor: user, action: 'rotation:next', outcome: step.kind, ...aboutRotation(r) });
  });
}
