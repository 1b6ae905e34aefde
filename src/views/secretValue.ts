import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { findRepo } from '../core/commandArgs.js';
import { findSecret } from '../core/secrets/command.js';
import { checkReplacement } from '../services/secretReplace.js';
import { requestChange } from '../services/secretChange.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderSecretModalDone, secretText, VALUE_INPUT } from '../ui/secretChange.js';
import { truncate } from '../ui/blocks.js';
import { rotationText } from '../ui/rotation.js';
import { nextStep } from '../core/rotation/decide.js';
import { attachChange } from '../services/rotation.js';
import { ROTATION_ORIGIN } from '../services/rotationJobs.js';
import { VIEW_IDS } from './ids.js';

/** What the modal carries between opening and submit. Slack signs the payload, but it is still input: re-checked on submit. */
export const ModalMeta = z.object({
  repo: z.string().max(200),
  secret: z.string().max(100),
  channel: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/),
  /** Set when the modal was opened from a rotation: the request goes into its thread. */
  rotation: z.string().max(40).optional(),
});
export type ModalMeta = z.infer<typeof ModalMeta>;

export function encodeModalMeta(m: ModalMeta): string {
  return JSON.stringify(m);
}

function decodeModalMeta(raw: unknown): ModalMeta | null {
  if (typeof raw !== 'string' || raw.length > 3000) return null;
  try {
    const r = ModalMeta.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

const Value = z.string().max(3000);

/**
 * The secret modal's submit. The value is checked against its host within Slack's
 * 3 s (problems keep the modal open, with the value still in it), sealed for GitHub,
 * and dropped: only the sealed box and safe facts go on.
 */
export function register(app: App, deps: AppDeps): void {
  app.view({ callback_id: VIEW_IDS.secretValue, type: 'view_submission' }, async ({ ack, body, view, client }) => {
    const user = body.user.id;
    const fieldError = (message: string) => ack({ response_action: 'errors', errors: { [VALUE_INPUT.blockId]: truncate(message, 1500) } });
    const audit = (outcome: string, repo?: string, detail?: Record<string, unknown>) =>
      deps.store.audit.record({ actor: user, action: 'view:secret-value', outcome, ...(repo ? { repo } : {}), ...(detail ? { detail } : {}) }, deps.now());

    const meta = decodeModalMeta(view.private_metadata);
    const repo = meta ? findRepo(deps.config.repos, meta.repo) : undefined;
    const secret = repo && meta ? findSecret(repo, meta.secret) : undefined;
    const value = Value.safeParse(view.state.values[VALUE_INPUT.blockId]?.[VALUE_INPUT.actionId]?.value ?? '');
    if (!meta || !repo || !secret) {
      await fieldError(secretText.formGone);
      return audit('refused:form');
    }
    if (!value.success) {
      await fieldError('That value is too long to be a token or a key.');
      return audit('refused:value', repo.github);
    }
    if (!(await deps.access.allowed(client, user, deps.config.file.access.release))) {
      await fieldError(secretText.notAllowed(repo.shortName));
      return audit('refused:access', repo.github);
    }
    const rotation = meta.rotation ? await deps.store.rotations.get(meta.rotation) : null;
    if (meta.rotation) {
      const why = !rotation || rotation.status !== 'active' ? rotationText.refused.not_active : rotation.requestedBy !== user ? rotationText.notRequester : nextStep(rotation).kind !== 'enter' ? rotationText.refused.not_now : null;
      if (why) {
        await fieldError(why.replace(/\*/g, ''));
        return audit('refused:rotation', repo.github);
      }
    } else if (await deps.store.rotations.active(repo.github, secret.name)) {
      await fieldError(rotationText.busy(secret.name).replace(/[`*]/g, ''));
      return audit('busy:rotation', repo.github);
    }
    if (await deps.store.secretChanges.open(repo.github, secret.name, deps.now())) {
      await fieldError(secretText.busy(secret.name, null).replace(/`/g, ''));
      return audit('busy', repo.github);
    }
    const check = await checkReplacement(deps, repo, secret, value.data);
    if (!check.ok) {
      await fieldError(check.problems.join(' '));
      return audit('refused:checks', repo.github, { problems: check.problems.length });
    }
    await ack({ response_action: 'update', view: renderSecretModalDone({ ok: true, text: ':hourglass_flowing_sand: Checked and encrypted. Sending the request to the approvers…' }) });
    const inRotation = rotation ? { channel: rotation.channel, threadTs: rotation.messageTs, origin: `${ROTATION_ORIGIN}${rotation.id}` } : { channel: meta.channel };
    const res = await requestChange(deps, client, { repo, secret, action: 'replace', user, ...inRotation, facts: check.facts, sealed: check.sealed });
    const attached = res.kind === 'created' && rotation ? await attachChange(deps, client, rotation.id, res.change) : { ok: true as const };
    const done =
      res.kind !== 'created'
        ? renderSecretModalDone({ ok: false, text: res.text })
        : !attached.ok
          ? renderSecretModalDone({ ok: false, text: attached.text })
          : renderSecretModalDone({ ok: true, text: `:white_check_mark: ${secretText.requested(secret.name, res.change.channel)} Nothing changes until an approver agrees.` });
    await callSlack('views.update', () => client.views.update({ view_id: body.view.id, view: done }));
  });
}
