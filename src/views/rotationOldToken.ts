import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { nextStep } from '../core/rotation/decide.js';
import { advance } from '../services/rotation/engine.js';
import { targetOf } from '../services/rotation/target.js';
import { precheckOldToken, revokeOldToken } from '../services/rotationOldToken.js';
import { callSlack } from '../slack/slackErrors.js';
import { truncate } from '../ui/blocks.js';
import { OLD_TOKEN_INPUT, renderOldTokenDone } from '../ui/rotationOldTokenModal.js';
import { rotationText } from '../ui/rotationText.js';
import { VIEW_IDS } from './ids.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { answerText, refusalText } from '../ui/refusal.js';

export const OldTokenMeta = z.object({ rotation: z.string().max(40) });
export type OldTokenMeta = z.infer<typeof OldTokenMeta>;

export function encodeOldTokenMeta(m: OldTokenMeta): string {
  return JSON.stringify(m);
}

function decode(raw: unknown): OldTokenMeta | null {
  if (typeof raw !== 'string' || raw.length > 500) return null;
  try {
    const r = OldTokenMeta.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const Value = z.string().max(3000);

/**
 * The old token's modal: quick checks keep the modal open with a field error; then the
 * modal says "revoking" at once (ack first), the bot revokes and proves it dead, and the
 * modal and the checklist show the outcome. The token is never stored.
 */
export function register(app: App, deps: AppDeps): void {
  app.view({ callback_id: VIEW_IDS.rotationOldToken, type: 'view_submission' }, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const fieldError = (message: string) =>
      ack({ response_action: 'errors', errors: { [OLD_TOKEN_INPUT.blockId]: truncate(message.replace(/\*/g, ''), 1500) } });
    const meta = decode(view.private_metadata);
    const r = meta ? await deps.store.rotations.get(meta.rotation) : null;
    const target = r ? targetOf(deps, r) : null;
    const value = Value.safeParse(view.state.values[OLD_TOKEN_INPUT.blockId]?.[OLD_TOKEN_INPUT.actionId]?.value ?? '');
    if (!r || !target) {
      await fieldError(rotationText.unknown);
      return recordAudit(deps, { actor: user, action: 'rotation:old_token', outcome: 'refused:unknown', ...aboutRotation(r) });
    }
    const why = r.status !== 'active' ? 'not_active' : r.requestedBy !== user ? 'not_requester' : nextStep(r).kind !== 'old' ? 'not_now' : null;
    if (why) {
      await fieldError(refusalText({ code: 'rotation_step', why }));
      return recordAudit(deps, { actor: user, action: 'rotation:old_token', outcome: 'refused:state', ...aboutRotation(r) });
    }
    const change = r.state.changeId ? await deps.store.secretChanges.get(r.state.changeId) : null;
    const problem = value.success ? precheckOldToken(value.data, change?.facts ?? null) : rotationText.oldToken.tooLong;
    if (problem || !value.success) {
      await fieldError(problem ?? rotationText.oldToken.tooLong);
      return recordAudit(deps, { actor: user, action: 'rotation:old_token', outcome: 'refused:value', ...aboutRotation(r) });
    }
    await ack({
      response_action: 'update',
      view: renderOldTokenDone({
        state: 'checking',
        text: ':hourglass_flowing_sand: Checking that this is the old token, then revoking it and checking that GitHub rejects it…',
      }),
    });
    const res = await revokeOldToken(deps, r, target, value.data);
    if (res.ok) {
      const moved = await advance(deps, client, r.id, { kind: 'old_revoked', by: user, detail: res.detail, how: res.how, record: res.record });
      if (moved.kind === 'refused') deps.logger.info({ rotation: r.id, reason: moved.reason }, 'old token revoked, but the rotation had moved on');
    } else {
      await recordAudit(deps, { actor: user, action: 'rotation:old_token', outcome: `not_revoked:${res.outcome}`, ...aboutRotation(r) });
    }
    await callSlack('views.update', () =>
      client.views.update({ view_id: body.view.id, view: renderOldTokenDone({ state: res.ok ? res.how : 'refused', text: answerText(res) }) }),
    );
  });
}
