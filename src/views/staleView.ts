import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { text } from '../ui/messages.js';
import { LIVE_VIEW_CALLBACK_IDS } from './ids.js';
import { recordAudit } from '../services/audit.js';

/** A submitted modal no listener knows: replace it with a short notice instead of Slack's generic error. */
export function register(app: App, deps: AppDeps): void {
  const live = LIVE_VIEW_CALLBACK_IDS;
  app.view({ callback_id: new RegExp(live.length ? `^(?!(?:${live.join('|')})$).*` : '.*'), type: 'view_submission' }, async ({ ack, body }) => {
    await ack({
      response_action: 'update',
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'Release ChatOps' },
        close: { type: 'plain_text', text: 'Close' },
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: text.staleView } }],
      },
    });
    await recordAudit(deps, { actor: body.user.id, action: 'view:stale', outcome: 'ignored' });
  });
}
