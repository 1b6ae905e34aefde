import type { WebClient } from '@slack/web-api';
import type { ResolvedRepo } from '../config/load.js';
import type { SecretConfig } from '../config/schema.js';
import type { AppDeps } from '../deps.js';
import type { ChangeFacts } from '../core/secrets/facts.js';
import { callSlack } from '../slack/slackErrors.js';
import type { SecretChange, SecretChangeAction } from '../store/index.js';
import { renderSecretChange, secretText } from '../ui/secretChange.js';
import { rotationOf } from '../core/rotation/jobs.js';
import { aboutChange, recordAudit } from './audit.js';

export const APPLY_JOB = 'secret.apply';
export const EXPIRE_JOB = 'secret.expire';
export const MESSAGE_JOB = 'secret.message';

export const applyJob = (changeId: string) => ({ kind: APPLY_JOB, payload: { changeId }, dedupeKey: `secret-apply:${changeId}`, maxAttempts: 5 });

export function approvers(deps: AppDeps): readonly string[] {
  return deps.config.file.access.approve;
}

export type RequestResult = { kind: 'created'; change: SecretChange } | { kind: 'busy'; text: string } | { kind: 'not_posted'; text: string };

/**
 * Records a request, schedules its expiry and posts it for approval. If it cannot be
 * posted nobody could approve it: it is withdrawn at once (and its ciphertext with it).
 */
export async function requestChange(
  deps: AppDeps,
  client: WebClient,
  o: {
    repo: ResolvedRepo;
    secret: SecretConfig;
    action: SecretChangeAction;
    user: string;
    channel: string;
    threadTs?: string | null;
    facts: ChangeFacts;
    sealed?: { encryptedValue: string; keyId: string };
    origin?: string;
  },
): Promise<RequestResult> {
  const now = deps.now();
  const ttlSeconds = deps.config.file.approvals.expiresMinutes * 60;
  const res = await deps.store.secretChanges.create(
    {
      repo: o.repo.github,
      repoName: o.repo.shortName,
      secret: o.secret.name,
      secretKind: o.secret.kind,
      action: o.action,
      requestedBy: o.user,
      channel: o.channel,
      threadTs: o.threadTs ?? null,
      origin: o.origin ?? null,
      ciphertext: o.sealed?.encryptedValue ?? null,
      keyId: o.sealed?.keyId ?? null,
      facts: o.facts,
      ttlSeconds,
    },
    now,
  );
  if (res.kind === 'busy') {
    await recordAudit(deps, { actor: o.user, action: 'secret:request', outcome: 'busy', ...aboutChange(res.open) });
    const open = res.open;
    const link = open?.messageTs ? await permalink(client, open.channel, open.messageTs) : null;
    return { kind: 'busy', text: secretText.busy(o.secret.name, link) };
  }
  const change = res.change;
  await deps.store.jobs.enqueue({ kind: EXPIRE_JOB, payload: { changeId: change.id }, dedupeKey: `secret-expire:${change.id}`, runAt: change.expiresAt }, now);
  try {
    const posted = await callSlack('chat.postMessage', () =>
      client.chat.postMessage({
        channel: change.channel,
        ...(change.threadTs ? { thread_ts: change.threadTs } : {}),
        ...renderSecretChange(change, { approvers: approvers(deps) }),
      }),
    );
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    await deps.store.secretChanges.setMessage(change.id, posted.channel ?? change.channel, posted.ts);
  } catch (e) {
    deps.logger.warn({ err: e, change: change.id }, 'approval request not posted; withdrawing it');
    await deps.store.secretChanges.cancel(change.id, change.requestedBy, deps.now());
    await recordAudit(deps, { actor: 'system', action: 'secret:request', outcome: 'withdrawn:not_posted', ...aboutChange(change) });
    return { kind: 'not_posted', text: secretText.notPosted };
  }
  await recordAudit(deps, {
    actor: o.user,
    action: 'secret:request',
    outcome: 'pending',
    ...aboutChange(change, {
      checks: change.facts.checks.map((c) => `${c.id}:${c.level}`),
      ...(change.facts.login ? { login: change.facts.login } : {}),
      ...(change.facts.expiresAt !== undefined ? { expires: change.facts.expiresAt } : {}),
    }),
  });
  return { kind: 'created', change };
}

async function permalink(client: WebClient, channel: string, ts: string): Promise<string | null> {
  try {
    const r = await client.chat.getPermalink({ channel, message_ts: ts });
    return r.permalink ? `<${r.permalink}|the request>` : null;
  } catch {
    return null;
  }
}

/**
 * Brings the approval message in line with the stored state (false: Slack refused; a job will retry). Rendering depends on
 * the state alone, so a failed update is simply tried again later by a job.
 * `announce`: the caller made a final transition; tell the requester in the thread.
 */
export async function syncMessage(deps: AppDeps, client: WebClient, id: string, o: { announce?: boolean } = {}): Promise<boolean> {
  const change = await deps.store.secretChanges.get(id);
  const rotationId = change ? rotationOf(change.origin) : null;
  // The rotation this request belongs to moves on in a tick job the store queued with the status change; run it soon.
  if (rotationId) deps.wake?.();
  if (!change?.messageTs) return true;
  try {
    await callSlack('chat.update', () =>
      client.chat.update({ channel: change.channel, ts: change.messageTs ?? '', ...renderSecretChange(change, { approvers: approvers(deps) }) }),
    );
  } catch (e) {
    deps.logger.warn({ err: e, change: id }, 'approval message not updated; will retry');
    await deps.store.jobs.enqueue(
      { kind: MESSAGE_JOB, payload: { changeId: id }, dedupeKey: `secret-message:${id}`, runAt: new Date(deps.now().getTime() + 30_000) },
      deps.now(),
    );
    return false;
  }
  // In a rotation, its own thread reply announces a write (with what comes next).
  const reply = o.announce && !(rotationId && change.status === 'done') ? threadReply(change) : null;
  if (reply) {
    await callSlack('chat.postMessage', () =>
      client.chat.postMessage({ channel: change.channel, thread_ts: change.threadTs ?? change.messageTs ?? undefined, text: reply }),
    ).catch((e: unknown) => deps.logger.warn({ err: e, change: id }, 'thread reply not posted'));
  }
  return true;
}

/**
 * Tells the approver, privately and where they clicked (the request's thread, or its
 * channel), how the change they approved ended. Their "writing it now" answer is an
 * ephemeral message, which Slack lets nobody edit later, so the outcome follows it.
 */
export async function tellApprover(deps: AppDeps, client: WebClient, approver: string | null, id: string): Promise<void> {
  const change = await deps.store.secretChanges.get(id);
  const text = change ? secretText.approverOutcome(change) : null;
  if (!change || !text || !approver || approver === 'system') return;
  await callSlack('chat.postEphemeral', () =>
    client.chat.postEphemeral({ channel: change.channel, user: approver, text, ...(change.threadTs ? { thread_ts: change.threadTs } : {}) }),
  ).catch((e: unknown) => deps.logger.warn({ err: e, change: id }, 'the approver was not told the outcome'));
}

/** A reply in the request's thread that notifies the requester of a final outcome. */
function threadReply(c: SecretChange): string | null {
  switch (c.status) {
    case 'done':
      return secretText.thread.done(c.requestedBy, c.secret);
    case 'failed':
      return c.outcome?.writeUnknown ? secretText.thread.unknown(c.requestedBy, c.secret) : secretText.thread.failed(c.requestedBy, c.secret);
    case 'denied':
      return secretText.thread.denied(c.requestedBy, c.secret);
    case 'expired':
      return c.outcome?.writeUnknown ? secretText.thread.expiredUnknown(c.requestedBy, c.secret) : secretText.thread.expired(c.requestedBy, c.secret);
    default:
      return null;
  }
}
