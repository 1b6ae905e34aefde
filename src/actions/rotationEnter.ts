import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderSecretModal } from '../ui/secretChange.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { rotationText } from '../ui/rotationText.js';
import { encodeModalMeta } from '../views/secretValue.js';
import { answerClick, rotationForRequester } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { refusalText } from '../ui/refusal.js';

/** "Enter the new token": the modal of /secret replace, bound to the rotation. */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.enter, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const clicked = await rotationForRequester(deps, action.value, user);
    if (!clicked.ok) {
      await answerClick(respond, body, refusalText(clicked.refusal), clicked.void);
      return recordAudit(deps, { actor: user, action: 'rotation:enter', outcome: `refused:${clicked.why}`, ...aboutRotation(clicked.rotation) });
    }
    const { rotation: r, target } = clicked;
    if (nextStep(r).kind !== 'enter' || r.secretKind === 'deploy-key') {
      await answerClick(respond, body, rotationText.stepVoid(r), true);
      return recordAudit(deps, { actor: user, action: 'rotation:enter', outcome: 'refused:not_now', ...aboutRotation(r) });
    }
    const s = target.secret;
    await callSlack('views.open', () =>
      client.views.open({
        trigger_id: body.trigger_id,
        view: renderSecretModal({
          repoName: target.repo.shortName,
          repo: target.repo.github,
          secret: s.name,
          kind: s.kind,
          host: s.host,
          scopes: s.scopes,
          maxAgeDays: s.maxAgeDays,
          privateMetadata: encodeModalMeta({ repo: target.repo.github, secret: s.name, channel: r.channel, rotation: r.id }),
        }),
      }),
    );
    await recordAudit(deps, { actor: user, action: 'rotation:enter', outcome: 'modal', ...aboutRotation(r) });
  });
}
