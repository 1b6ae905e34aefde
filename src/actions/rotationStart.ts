import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { findRepo } from '../core/commandArgs.js';
import { findSecret } from '../core/secrets/command.js';
import { parseStartRef } from '../core/rotation/startRef.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { requestRotation } from '../services/rotation.js';
import { reminderActionText } from '../ui/reminders.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';

/**
 * "Start rotation" on a reminder (or a leak warning): the same as `/rotate` by the
 * person who clicked. The button only names the secret; access and configuration
 * are checked now, so an old or forged click can start nothing it should not.
 */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.start, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const audit = (outcome: string, repo?: string) => deps.store.audit.record({ actor: user, action: 'action:rotation_start', outcome, ...(repo ? { repo } : {}) }, deps.now());
    const ref = parseStartRef(action.value);
    if (!ref) {
      await reply(reminderActionText.bad);
      return audit('refused:value');
    }
    const repo = findRepo(deps.config.repos, ref.repo);
    const secret = repo ? findSecret(repo, ref.secret) : undefined;
    if (!repo || !secret) {
      await reply(reminderActionText.gone);
      return audit('refused:unconfigured', ref.repo);
    }
    await letWaitingAcksGoFirst();
    const res = await requestRotation(deps, client, { repo, secret, user, channel: body.channel?.id ?? repo.channel ?? '' });
    await reply(res.text);
    await audit(res.outcome, repo.github);
  });
}
