import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { findRepo } from '../core/commandArgs.js';
import { CHECK_DEADLINE_MS, checkReplacement } from '../services/secretReplace.js';
import { admitReplacement, sendReplacement } from '../services/secretSubmission.js';
import { callSlack } from '../slack/slackErrors.js';
import { renderSecretModalDone, secretText, VALUE_INPUT } from '../ui/secretChange.js';
import { truncate } from '../ui/blocks.js';
import { VIEW_IDS } from './ids.js';
import { auditorFor } from '../services/audit.js';

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

/** What of the modal's budget the checks with GitHub keep, however long the access check takes. */
const MIN_CHECK_SHARE_MS = 1_000;

/**
 * The secret modal's submit. The value is checked against its host within Slack's
 * 3 s (problems keep the modal open, with the value still in it), sealed for GitHub,
 * and dropped: only the sealed box and safe facts go on. One budget covers the whole
 * answer: the access check (a user-group lookup may be waiting out Slack's 429) and the
 * checks with GitHub share it.
 */
export function register(app: App, deps: AppDeps): void {
  app.view({ callback_id: VIEW_IDS.secretValue, type: 'view_submission' }, async ({ ack, body, view, client }) => {
    const started = performance.now();
    const left = () => CHECK_DEADLINE_MS - (performance.now() - started);
    const user = body.user.id;
    const fieldError = (message: string) => ack({ response_action: 'errors', errors: { [VALUE_INPUT.blockId]: truncate(message, 1500) } });
    const audit = auditorFor(deps, user, 'view:secret-value');

    const meta = decodeModalMeta(view.private_metadata);
    if (!meta) {
      await fieldError(secretText.formGone);
      return audit('refused:form');
    }
    const value = Value.safeParse(view.state.values[VALUE_INPUT.blockId]?.[VALUE_INPUT.actionId]?.value ?? '');
    if (!value.success) {
      await fieldError('That value is too long to be a token or a key.');
      return audit('refused:value', findRepo(deps.config.repos, meta.repo)?.github);
    }
    // The access check leaves the GitHub checks a share of the budget; a lookup that cannot answer in its share says so.
    const admitted = await admitReplacement(deps, client, { user, ...meta }, { deadlineMs: left() - MIN_CHECK_SHARE_MS });
    if (!admitted.ok) {
      await fieldError(admitted.text);
      return audit(admitted.outcome, admitted.repo);
    }
    const { repo, secret, rotation } = admitted;
    const check = await checkReplacement(deps, repo, secret, value.data, { deadlineMs: left() });
    if (!check.ok) {
      await fieldError(check.problems.join(' '));
      return audit('refused:checks', repo.github, { problems: check.problems.length });
    }
    await ack({
      response_action: 'update',
      view: renderSecretModalDone({ ok: true, text: ':hourglass_flowing_sand: Checked and encrypted. Sending the request to the approvers…' }),
    });
    const sent = await sendReplacement(deps, client, { user, channel: meta.channel, repo, secret, rotation, check });
    const done = renderSecretModalDone({ ok: sent.ok, text: sent.ok ? `:white_check_mark: ${sent.text}` : sent.text });
    await callSlack('views.update', () => client.views.update({ view_id: body.view.id, view: done }));
  });
}
