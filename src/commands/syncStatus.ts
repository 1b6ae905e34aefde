import type { App } from '@slack/bolt';
import type { AppDeps } from '../deps.js';
import { letWaitingAcksGoFirst } from '../slack/afterAck.js';
import { readRepoArgs } from '../core/commandArgs.js';
import { syncStatusReport } from '../services/syncStatus.js';
import { renderSyncReport } from '../ui/syncReport.js';
import { text, USAGE } from '../ui/messages.js';
import { usageAnswer } from '../ui/refusal.js';
import { ACTION_IDS } from '../core/ids.js';
import { recordAudit } from '../services/audit.js';

/** Reports are kept this long so "Share in channel" reposts exactly what was seen. */
const REPORT_TTL_SECONDS = 24 * 60 * 60;

/** `/sync-status [repo]`: a private report of the last sync to GHE and of the mirror's drift. */
export function register(app: App, deps: AppDeps): void {
  app.command('/sync-status', async ({ command, ack, respond }) => {
    const names = deps.config.repos.map((r) => r.shortName);
    const args = readRepoArgs(command.text, deps.config.repos, 0);
    if (args.kind !== 'ok') {
      const answer = usageAnswer(args, USAGE.syncStatus, names);
      await ack({ response_type: 'ephemeral', text: answer.text });
      await recordAudit(deps, { actor: command.user_id, action: 'command:/sync-status', outcome: answer.outcome });
      return;
    }
    if (!args.repo.sync) {
      await ack({ response_type: 'ephemeral', text: text.noSyncConfigured(args.repo.shortName) });
      await recordAudit(deps, { actor: command.user_id, action: 'command:/sync-status', repo: args.repo.github, outcome: 'usage' });
      return;
    }
    // Ack before any work that asks Slack or GitHub.
    await ack();
    await letWaitingAcksGoFirst();
    const report = await syncStatusReport(deps, args.repo);
    // A shared report resolves every waiter at once: render and write one per turn.
    await letWaitingAcksGoFirst();
    const shareId = await deps.store.reports.save({ kind: 'sync-status', ownerUser: command.user_id, payload: report, ttlSeconds: REPORT_TTL_SECONDS });
    await respond({ response_type: 'ephemeral', ...renderSyncReport(report, { shareButton: { actionId: ACTION_IDS.shareSyncReport, value: shareId } }) });
    await recordAudit(deps, {
      actor: command.user_id,
      action: 'command:/sync-status',
      repo: args.repo.github,
      outcome: 'ok',
      detail: { headline: report.headline.text },
    });
  });
}
