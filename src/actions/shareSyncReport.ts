import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { SyncReport } from '../core/sync/reportSchema.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderSyncReport } from '../ui/syncReport.js';
import { text } from '../ui/messages.js';
import { ACTION_IDS } from './ids.js';
import { recordAudit } from '../services/audit.js';

const ShareValue = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

/** "Share in channel": repost the very report the user saw, publicly, once. */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ACTION_IDS.shareSyncReport, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const channel = body.channel?.id ?? body.container.channel_id;
    const id = ShareValue.safeParse(action.value);
    const saved = id.success ? await deps.store.reports.load(id.data, deps.now()) : null;
    const report = saved?.kind === 'sync-status' ? SyncReport.safeParse(saved.payload) : null;
    if (!saved || !report?.success || typeof channel !== 'string') {
      await respond({ response_type: 'ephemeral', replace_original: false, text: text.reportExpired });
      await recordAudit(deps, { actor: user, action: 'action:share-sync-report', outcome: 'expired' });
      return;
    }
    if (saved.ownerUser !== user) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: text.reportNotYours });
      await recordAudit(deps, { actor: user, action: 'action:share-sync-report', outcome: 'refused' });
      return;
    }
    await callSlack('post the report in this channel', () =>
      client.chat.postMessage({ channel, ...renderSyncReport(report.data, { sharedBy: user }), unfurl_links: false }),
    );
    // The private copy loses its button, so the report is not shared twice by accident.
    await respond({ response_type: 'ephemeral', replace_original: true, ...renderSyncReport(report.data, {}) });
    await recordAudit(deps, { actor: user, action: 'action:share-sync-report', outcome: 'ok', detail: { channel } });
  });
}
