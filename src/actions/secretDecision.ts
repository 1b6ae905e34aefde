import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import type { SecretChange } from '../store/index.js';
import { applyJob, approvers, syncMessage } from '../services/secretChange.js';
import { isAllowed } from '../services/policy.js';
import { approversFor, SECRET_ACTIONS, secretText } from '../ui/secretChange.js';
import { aboutChange, recordAudit } from '../services/audit.js';

/** Why a click changed nothing, in the clicker's words. */
function refusal(c: SecretChange | null, now: Date): string {
  if (!c) return secretText.unknown;
  if (c.status === 'pending' && c.expiresAt <= now) return secretText.expired;
  if (c.status === 'expired') return secretText.expired;
  return secretText.alreadyDecided(c);
}

/**
 * Approve / Deny / Cancel on an approval request. Each decision is one conditional
 * update in the store: of any number of clicks on any number of replicas, one wins.
 */
export function register(router: ActionRouter, deps: AppDeps): void {
  const decide = (decision: 'approve' | 'deny') =>
    router.action<BlockButtonAction>(SECRET_ACTIONS[decision], async ({ ack, body, action, respond, client }) => {
      await ack();
      const user = body.user.id;
      const id = typeof action.value === 'string' ? action.value : '';
      const private_ = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
      const change = await deps.store.secretChanges.get(id);
      const refuse = async (text: string, why: string) => {
        await private_(text);
        await recordAudit(deps, { actor: user, action: `secret:${decision}`, outcome: `refused:${why}`, ...aboutChange(change) });
      };
      if (!change) return refuse(secretText.unknown, 'unknown');
      const others = approversFor(approvers(deps), change.requestedBy);
      if (change.requestedBy === user) return refuse(secretText.selfApproval(others), 'self');
      if (!(await isAllowed(deps, client, user, 'approve_secret_change'))) return refuse(secretText.notApprover(others), 'not_approver');
      const now = deps.now();
      const won =
        decision === 'approve' ? await deps.store.secretChanges.approve(id, user, applyJob(id), now) : await deps.store.secretChanges.deny(id, user, now);
      if (!won) {
        await refuse(refusal(await deps.store.secretChanges.get(id), deps.now()), 'state');
        // The click was on a message that still offered a decision: bring it in line (an earlier edit may have failed).
        await syncMessage(deps, client, id);
        return;
      }
      await recordAudit(deps, { actor: user, action: `secret:${decision}`, outcome: decision === 'approve' ? 'approved' : 'denied', ...aboutChange(change) });
      if (decision === 'approve') deps.wake?.();
      await private_(decision === 'approve' ? secretText.approvedAck(change.secret) : secretText.deniedAck(change.secret));
      await syncMessage(deps, client, id, { announce: decision === 'deny' });
    });
  decide('approve');
  decide('deny');

  router.action<BlockButtonAction>(SECRET_ACTIONS.cancel, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const id = typeof action.value === 'string' ? action.value : '';
    const change = await deps.store.secretChanges.get(id);
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    if (!change || change.requestedBy !== user) {
      await reply(change ? secretText.notRequester(change.requestedBy) : secretText.unknown);
      return recordAudit(deps, { actor: user, action: 'secret:cancel', outcome: change ? 'refused:not_requester' : 'refused:unknown', ...aboutChange(change) });
    }
    if (!(await deps.store.secretChanges.cancel(id, user, deps.now()))) {
      await reply(refusal(await deps.store.secretChanges.get(id), deps.now()));
      await recordAudit(deps, { actor: user, action: 'secret:cancel', outcome: 'refused:state', ...aboutChange(change) });
      await syncMessage(deps, client, id);
      return;
    }
    await recordAudit(deps, { actor: user, action: 'secret:cancel', outcome: 'cancelled', ...aboutChange(change) });
    await reply(secretText.cancelledAck(change.secret));
    await syncMessage(deps, client, id);
  });
}
