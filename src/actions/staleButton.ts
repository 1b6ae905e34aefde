import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { text } from '../ui/messages.js';
import { LIVE_ACTION_IDS } from './ids.js';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A click on a button no listener knows (an old message, an earlier version of
 * the bot): ack within Slack's 3 s and say so privately; nothing changes.
 * Registered last, and it excludes the live ids so a click is answered once.
 */
export function register(app: App, deps: AppDeps): void {
  const notLive = new RegExp(`^(?!(?:${LIVE_ACTION_IDS.map(escapeRegExp).join('|')})$).*`);
  app.action({ action_id: notLive }, async ({ ack, body, respond }) => {
    await ack();
    if ('response_url' in body && body.response_url) await respond({ response_type: 'ephemeral', replace_original: false, text: text.staleButton });
    await deps.store.audit.record({ actor: body.user.id, action: 'action:stale', outcome: 'ignored' }, deps.now());
  });
}
