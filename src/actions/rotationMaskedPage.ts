import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { maskedPageEnabled, mintEntryLink } from '../services/entryLinks.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { renderEntryLink } from '../ui/rotationPrompts.js';
import { rotationText } from '../ui/rotationText.js';
import { answerClick, rotationForRequester } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { refusalText } from '../ui/refusal.js';

/**
 * "Use a masked page": a one-time link, for the requester alone, to the bot's own
 * page with a hidden field (Slack has no masked input). "Open the masked page" is a
 * link button; Slack still sends its click, which only needs an ack.
 */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.maskedPage, async ({ ack, body, action, respond }) => {
    await ack();
    const user = body.user.id;
    if (!maskedPageEnabled(deps)) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: rotationText.maskedPageOff });
      return recordAudit(deps, { actor: user, action: 'rotation:masked-page', outcome: 'refused:off', ...aboutRotation(null) });
    }
    const clicked = await rotationForRequester(deps, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:masked-page', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const r = clicked.rotation;
    if (nextStep(r).kind !== 'enter' || r.secretKind === 'deploy-key') {
      await answerClick(respond, body, rotationText.stepVoid(r), true);
      return recordAudit(deps, { actor: user, action: 'rotation:masked-page', outcome: 'refused:not_now', ...aboutRotation(r) });
    }
    const link = await mintEntryLink(deps, r, user);
    await respond({ response_type: 'ephemeral', replace_original: false, ...renderEntryLink(r, link.url, link.expiresAt) });
    await recordAudit(deps, { actor: user, action: 'rotation:masked-page', outcome: 'link', ...aboutRotation(r, { expiresAt: link.expiresAt.toISOString() }) });
  });
  router.action<BlockButtonAction>(ROTATION_ACTIONS.maskedOpen, async ({ ack }) => {
    await ack();
  });
}
