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
import { VIEW_IDS } from './ids.js';

/** What the modal carries between opening and submit. Slack signs the payload, but it is still input: re-checked on submit. */
export const ModalMeta = z.object({
  repo: z.string().max(200),
  secret: z.string().max(100),
  channel: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/),
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
    const res = await requestChange(deps, client, { repo, secret, action: 'replace', user, channel: meta.channel, facts: check.facts, sealed: check.sealed });
    const done =
      res.kind === 'created'
        ? renderSecretModalDone({ ok: true, text: `:white_check_mark: ${secretText.requested(secret.name, res.change.channel)} Nothing changes until an approver agrees.` })
        : renderSecretModalDone({ ok: false, text: res.text });
    await callSlack('views.update', () => client.views.update({ view_id: body.view.id, view: done }));
  });
}
