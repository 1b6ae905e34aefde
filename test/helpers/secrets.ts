import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendViewSubmission, type RecordedCall, type SignedResponse } from '@chatops/fake-slack';
import { VALUE_INPUT } from '../../src/ui/secretChange.js';
import { CHANNEL, eventually, SIGNING_SECRET, USERS, type Harness } from './harness.js';

const DAY = 86_400_000;
export const textOf = (c: RecordedCall): string => JSON.stringify(c.args);

/** A classic PAT on the GHE fake that passes every check unless told otherwise. */
export function newGheToken(h: Harness, o: { token?: string; login?: string; scopes?: string[]; expiresInDays?: number | null; push?: boolean } = {}): string {
  const token = o.token ?? `ghp_${Math.random().toString(36).slice(2)}NEWTOKENabcdefghijklmnop`.slice(0, 40);
  const login = o.login ?? 'svc-pywats-sync';
  const expires = o.expiresInDays === null ? null : new Date(Date.now() + (o.expiresInDays ?? 180) * DAY).toISOString();
  h.ghe.addToken(token, { login, scopes: o.scopes ?? ['repo'], expiresAt: expires });
  if (o.push !== false) h.ghe.grantAccess(h.seed.ghe.repo, login, 'write');
  return token;
}

/** `/secret replace …` until the modal is open; returns the opened view. */
export async function openReplaceModal(h: Harness, text = 'replace GHE_TOKEN', user: string = USERS.alice): Promise<Record<string, unknown>> {
  const before = h.slack.callsTo('views.open').length;
  const { http } = await h.command('/secret', text, { user });
  assert.equal(http.status, 200);
  const call = await h.slack.waitFor((c) => c.method === 'views.open' && h.slack.callsTo('views.open').length > before, 10_000);
  return openedView(h, call.args.view as Record<string, unknown>);
}

/** The view as the fake opened it, with its id, so a submission names a view that exists (views.update needs it). */
export function openedView(h: Harness, sent: Record<string, unknown>): Record<string, unknown> {
  const stored = h.slack.workspace
    .allViews()
    .filter((v) => v.view.callback_id === sent.callback_id && v.view.private_metadata === sent.private_metadata)
    .at(-1);
  return stored ? { ...sent, id: stored.id } : sent;
}

/** Submits the secret modal with `value`. */
export function submitValue(h: Harness, view: Record<string, unknown>, value: string, user: string = USERS.alice): Promise<SignedResponse> {
  return sendViewSubmission(h.appUrl, SIGNING_SECRET, {
    user_id: user,
    callback_id: String(view.callback_id),
    ...(typeof view.id === 'string' ? { view_id: view.id } : {}),
    private_metadata: String(view.private_metadata ?? ''),
    values: { [VALUE_INPUT.blockId]: { [VALUE_INPUT.actionId]: value } },
  });
}

/** The approval request posted in the channel, and the id on its buttons. */
export async function approvalRequest(
  h: Harness,
  secret = 'GHE_TOKEN',
  o: { notAmong?: ReadonlySet<RecordedCall> } = {},
): Promise<{ message: RecordedCall; id: string }> {
  const message = await h.slack.waitFor(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.args.channel === CHANNEL &&
      textOf(c).includes(ACTION_IDS.secretApprove) &&
      textOf(c).includes(secret) &&
      !o.notAmong?.has(c),
    10_000,
  );
  const m = new RegExp(`"action_id":"${ACTION_IDS.secretApprove}","value":"([^"]+)"`).exec(textOf(message));
  assert.ok(m?.[1], 'the request carries its id on the Approve button');
  return { message, id: m[1] };
}

/** Requests a replacement of GHE_TOKEN with `value` and returns the request id. */
export async function requestReplacement(h: Harness, value: string): Promise<string> {
  const earlier = new Set(h.slack.callsTo('chat.postMessage'));
  const view = await openReplaceModal(h);
  const res = await submitValue(h, view, value);
  assert.equal(res.status, 200);
  assert.equal((res.json as { response_action?: string } | undefined)?.response_action, 'update', `accepted: ${res.body}`);
  const { id } = await approvalRequest(h, 'GHE_TOKEN', { notAmong: earlier });
  // The message's ts is stored just after Slack answers; a test that moves the clock on must not overtake that.
  await eventually(async () => !!(await h.store.secretChanges.get(id))?.messageTs, 'the request to record its message');
  return id;
}

export const puts = (h: Harness, secret = 'GHE_TOKEN') =>
  h.github.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/actions/secrets/${secret}`) && r.status < 300).length;
export const putAttempts = (h: Harness, secret = 'GHE_TOKEN') =>
  h.github.requests.filter((r) => r.method === 'PUT' && r.path.endsWith(`/actions/secrets/${secret}`)).length;

export async function ephemeralReply(h: Harness, responseUrl: string): Promise<string> {
  const reply = await h.responseTo(responseUrl);
  assert.equal(reply.args.response_type, 'ephemeral');
  return textOf(reply);
}
