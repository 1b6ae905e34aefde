import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { findRepo } from '../core/commandArgs.js';
import { findSecret } from '../core/secrets/command.js';
import { setSince } from '../core/reminders/offer.js';
import { parseStartRef } from '../core/rotation/startRef.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { historyOf } from '../services/reminders.js';
import { requestRotation } from '../services/rotation/start.js';
import { reminderActionText, renderFreshSecretWarning } from '../ui/reminders.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { ACTION_IDS } from './ids.js';
import { clickPlace, tsDate } from './clickPlace.js';
import { auditorFor } from '../services/audit.js';

/** A click on a message of unknown age counts a secret set in the last day as fresh. */
const UNKNOWN_AGE_MS = 86_400_000;

/**
 * "Start rotation" on a reminder (or a leak warning): the same as `/rotate` by the
 * person who clicked. The button only names the secret; access and configuration
 * are checked now, so an old or forged click can start nothing it should not. A
 * click on a message older than the secret's current value is told so and asked to
 * confirm ("Start another rotation"), so one stale click does not start a second
 * rotation of a token set minutes ago.
 */
export function register(router: ActionRouter, deps: AppDeps): void {
  const start = (again: boolean) =>
    router.action<BlockButtonAction>(again ? ACTION_IDS.rotationStartAgain : ROTATION_ACTIONS.start, async ({ ack, body, action, respond, client }) => {
      await ack();
      const user = body.user.id;
      const place = clickPlace(body);
      // The confirmation is an ephemeral message: it is replaced by the answer, so it cannot be clicked twice.
      const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: again && place.ephemeral, text });
      const audit = auditorFor(deps, user, again ? 'action:rotation_start_again' : 'action:rotation_start');
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
      if (!again) {
        const reminder = place.channel && place.messageTs ? await deps.store.reminders.byMessage(place.channel, place.messageTs) : null;
        const postedAt = reminder?.claimedAt ?? tsDate(place.messageTs) ?? new Date(deps.now().getTime() - UNKNOWN_AGE_MS);
        const fresh = setSince(postedAt, await historyOf(deps, repo.github, secret.name));
        if (fresh && !(await deps.store.rotations.active(repo.github, secret.name))) {
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            ...renderFreshSecretWarning({ ref: { repo: repo.github, secret: secret.name }, ...fresh, now: deps.now() }),
          });
          return audit(`asked:fresh_${fresh.how}`, repo.github);
        }
      }
      const res = await requestRotation(deps, client, { repo, secret, user, channel: place.channel ?? repo.channel ?? '' });
      await reply(res.text);
      await audit(res.outcome, repo.github);
    });
  start(false);
  start(true);
}
