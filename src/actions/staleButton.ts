import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { text } from '../ui/messages.js';
import { answerVoid } from './clickPlace.js';
import { recordAudit } from '../services/audit.js';

/**
 * A click on a button no listener knows (an old message, an earlier version of
 * the bot): ack within Slack's 3 s and say so privately, where the click was; nothing changes.
 */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.otherwise(async ({ ack, body, respond }) => {
    await ack();
    // An ephemeral message with such a button is void as a whole: it is replaced (a public one is answered privately).
    if ('response_url' in body && body.response_url) await answerVoid(respond, body, text.staleButton);
    await recordAudit(deps, { actor: body.user.id, action: 'action:stale', outcome: 'ignored' });
  });
}
