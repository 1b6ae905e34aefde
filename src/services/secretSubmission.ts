import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import { SlackApiError } from '../errors.js';
import { findRepo } from '../core/commandArgs.js';
import type { Refusal } from '../core/refusal.js';
import type { Rotation } from '../core/rotation/state.js';
import { findSecret } from '../core/secrets/command.js';
import { refusalText } from '../ui/refusal.js';
import { secretText } from '../ui/secretChange.js';
import { attachChange } from './rotation/engine.js';
import { ROTATION_ORIGIN } from '../core/rotation/jobs.js';
import { mayAct, secretMayChange } from './policy.js';
import { requestChange } from './secretChange.js';
import type { ReplacementCheck } from './secretReplace.js';

/**
 * What the two ways of entering a new value (the Slack modal and the masked page)
 * share: who may submit it now, and what happens once it is checked and sealed.
 */
export interface Submission {
  user: string;
  repo: string;
  secret: string;
  /** Where a request outside a rotation is posted. */
  channel: string;
  rotation?: string;
}

export type Admission =
  | { ok: true; repo: ResolvedRepo; secret: SecretConfig; rotation: Rotation | null }
  /** `retry`: nothing was decided (Slack did not answer the access check in time); the same submission may be sent again. */
  | { ok: false; outcome: string; text: string; repo?: string; retry?: boolean };

const plain = (s: string) => s.replace(/<!subteam\^([A-Z0-9]+)(\|[^>]*)?>/g, '$1').replace(/[`*]/g, '');

/**
 * Whether this person may submit a new value for this secret now. Refusals are plain sentences (a modal field shows no mrkdwn).
 * `deadlineMs`: how long the access check may take (the modal shares Slack's 3 s with the checks that follow).
 */
export async function admitReplacement(deps: AppDeps, client: WebClient, s: Submission, o: { deadlineMs?: number } = {}): Promise<Admission> {
  const repo = findRepo(deps.config.repos, s.repo);
  const secret = repo ? findSecret(repo, s.secret) : undefined;
  if (!repo || !secret) return { ok: false, outcome: 'refused:form', text: secretText.formGone };
  const refuse = (outcome: string, refusal: Refusal, retry = false): Admission => ({
    ok: false,
    outcome,
    text: plain(refusalText(refusal)),
    repo: repo.github,
    ...(retry ? { retry } : {}),
  });
  let denied: Refusal | null;
  try {
    denied = await mayAct(deps, client, {
      user: s.user,
      action: 'request_secret_change',
      repo,
      ...(o.deadlineMs === undefined ? {} : { deadlineMs: o.deadlineMs }),
    });
  } catch (e) {
    if (!(e instanceof SlackApiError)) throw e;
    return refuse('refused:access_unavailable', { code: 'access_unavailable', why: e.userMessage }, true);
  }
  if (denied) return refuse('refused:access', denied);
  const { block, rotation } = await secretMayChange(
    deps,
    repo,
    secret,
    s.rotation ? { kind: 'rotation_value', rotation: s.rotation, user: s.user } : { kind: 'request' },
  );
  if (block) return refuse(block.code === 'rotation_step' ? 'refused:rotation' : block.code === 'rotation_busy' ? 'busy:rotation' : 'busy', block);
  return { ok: true, repo, secret, rotation };
}

/** Posts the approval request for a checked, sealed value (in the rotation's thread when there is one). `text` is mrkdwn. */
export async function sendReplacement(
  deps: AppDeps,
  client: WebClient,
  o: { user: string; channel: string; repo: ResolvedRepo; secret: SecretConfig; rotation: Rotation | null; check: Extract<ReplacementCheck, { ok: true }> },
): Promise<{ ok: boolean; text: string; channel?: string }> {
  const { rotation, secret } = o;
  const where = rotation ? { channel: rotation.channel, threadTs: rotation.messageTs, origin: `${ROTATION_ORIGIN}${rotation.id}` } : { channel: o.channel };
  const res = await requestChange(deps, client, {
    repo: o.repo,
    secret,
    action: 'replace',
    user: o.user,
    ...where,
    facts: o.check.facts,
    sealed: o.check.sealed,
  });
  if (res.kind !== 'created') return { ok: false, text: res.text };
  const attached = rotation ? await attachChange(deps, client, rotation.id, res.change) : { ok: true as const };
  if (!attached.ok) return { ok: false, text: refusalText(attached.refusal) };
  return { ok: true, text: `${secretText.requested(secret.name, res.change.channel)} Nothing changes until an approver agrees.`, channel: res.change.channel };
}
