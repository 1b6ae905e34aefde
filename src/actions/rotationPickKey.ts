import type { BlockButtonAction } from '@slack/bolt';
import type { ActionRouter } from './router.js';
import type { AppDeps } from '../deps.js';
import { pickOldKey } from '../services/rotationOldKey.js';
import { ROTATION_ACTIONS } from '../ui/rotation.js';
import { rotationText } from '../ui/rotationText.js';
import { rotationForRequester } from './rotationClick.js';
import { aboutRotation, recordAudit } from '../services/audit.js';
import { answerText, refusalText } from '../ui/refusal.js';

/** `<rotation id>:<key id>` or `<rotation id>:none`, as ui/rotation's pickKeyValue writes it. */
function parse(value: unknown): { rotation: string; choice: number | 'none' } | null {
  const m = typeof value === 'string' ? /^([A-Za-z0-9_-]{1,40}):(none|\d{1,15})$/.exec(value) : null;
  if (!m?.[1] || !m[2]) return null;
  return { rotation: m[1], choice: m[2] === 'none' ? 'none' : Number(m[2]) };
}

/** deploy-key rotation: the requester's answer to "which deploy key does the secret hold?". */
export function register(router: ActionRouter, deps: AppDeps): void {
  router.action<BlockButtonAction>(ROTATION_ACTIONS.pickKey, async ({ ack, body, action, respond, client }) => {
    await ack();
    const user = body.user.id;
    const reply = (text: string) => respond({ response_type: 'ephemeral', replace_original: false, text });
    const value = parse(action.value);
    const clicked = value
      ? await rotationForRequester(deps, value.rotation, user)
      : ({ ok: false, refusal: { code: 'rotation_unknown' }, why: 'unknown', rotation: null } as const);
    if (!clicked.ok || !value) {
      await reply(clicked.ok ? rotationText.unknown : refusalText(clicked.refusal));
      return recordAudit(deps, {
        actor: user,
        action: 'rotation:old_key_picked',
        outcome: `refused:${clicked.ok ? 'unknown' : clicked.why}`,
        ...aboutRotation(clicked.rotation),
      });
    }
    const res = await pickOldKey(deps, client, clicked.rotation, clicked.target, user, value.choice);
    await reply(answerText(res));
    if (!res.ok) await recordAudit(deps, { actor: user, action: 'rotation:old_key_picked', outcome: res.outcome, ...aboutRotation(clicked.rotation) });
  });
}
