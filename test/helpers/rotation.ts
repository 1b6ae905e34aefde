import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import type { Rotation } from '../../src/core/rotation/state.js';
import { sendViewSubmission, type RecordedCall, type SignedResponse } from '@chatops/fake-slack';
import { OLD_TOKEN_INPUT } from '../../src/ui/rotationOldTokenModal.js';
import { CHANNEL, eventually, SIGNING_SECRET, USERS, type Harness } from './harness.js';
import { openedView, textOf } from './secrets.js';

/** `/rotate <text>` as `user`, until its checklist is posted; returns the rotation. */
export async function startRotation(h: Harness, text = 'GHE_TOKEN', user: string = USERS.alice): Promise<{ rotation: Rotation; ts: string; reply: string }> {
  const { http, responseUrl } = await h.command('/rotate', text, { user });
  assert.equal(http.status, 200);
  const reply = textOf(await h.responseTo(responseUrl));
  let rotation: Rotation | null = null;
  await eventually(async () => {
    const name = text.split(/\s+/).at(-1) ?? '';
    rotation = await h.store.rotations.active(h.seed.github.repo, name.toUpperCase());
    return !!rotation?.messageTs;
  }, 'the rotation to post its checklist');
  const r = rotation as unknown as Rotation;
  return { rotation: r, ts: r.messageTs ?? '', reply };
}

export const rotationOf = async (h: Harness, id: string): Promise<Rotation> => {
  const r = await h.store.rotations.get(id);
  assert.ok(r, 'rotation exists');
  return r;
};

/** The checklist as it stands in the channel (the fake applies every chat.update). */
export function checklistText(h: Harness, ts: string): string {
  const m = h.slack.messages(CHANNEL).find((x) => x.ts === ts);
  assert.ok(m, 'the checklist exists');
  return JSON.stringify({ text: m.text, blocks: m.blocks });
}

export async function waitChecklist(h: Harness, ts: string, re: RegExp, timeoutMs = 10_000): Promise<string> {
  await eventually(() => re.test(checklistText(h, ts)), `the checklist to match ${re}`, timeoutMs);
  return checklistText(h, ts);
}

/** Private steps posted to `user` in the rotation's thread. */
export const ephemeralsTo = (h: Harness, user: string, ts: string): RecordedCall[] =>
  h.slack.callsTo('chat.postEphemeral').filter((c) => c.args.user === user && c.args.thread_ts === ts);

export async function waitEphemeral(h: Harness, user: string, ts: string, re: RegExp): Promise<RecordedCall> {
  return h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === user && c.args.thread_ts === ts && re.test(textOf(c)), 10_000);
}

/** Clicks a rotation button and waits for the modal it opens. */
export async function openModalFrom(h: Harness, actionId: string, rotationId: string, user: string = USERS.alice): Promise<Record<string, unknown>> {
  const before = h.slack.callsTo('views.open').length;
  await h.click({ actionId, value: rotationId, user });
  const call = await h.slack.waitFor((c) => c.method === 'views.open' && h.slack.callsTo('views.open').length > before, 10_000);
  return openedView(h, call.args.view as Record<string, unknown>);
}

export function submitOldToken(h: Harness, view: Record<string, unknown>, value: string, user: string = USERS.alice): Promise<SignedResponse> {
  return sendViewSubmission(h.appUrl, SIGNING_SECRET, {
    user_id: user,
    callback_id: String(view.callback_id),
    ...(typeof view.id === 'string' ? { view_id: view.id } : {}),
    private_metadata: String(view.private_metadata ?? ''),
    values: { [OLD_TOKEN_INPUT.blockId]: { [OLD_TOKEN_INPUT.actionId]: value } },
  });
}

/** The approval request posted in the rotation's thread, and the id on its buttons. */
export async function threadApproval(h: Harness, ts: string, o: { notAmong?: ReadonlySet<RecordedCall> } = {}): Promise<string> {
  const message = await h.slack.waitFor(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.args.channel === CHANNEL &&
      c.args.thread_ts === ts &&
      textOf(c).includes(ACTION_IDS.secretApprove) &&
      !o.notAmong?.has(c),
    10_000,
  );
  const m = new RegExp(`"action_id":"${ACTION_IDS.secretApprove}","value":"([^"]+)"`).exec(textOf(message));
  assert.ok(m?.[1]);
  return m[1];
}

export const requestsTo = (fake: Harness['github'], method: string, path: RegExp) => fake.requests.filter((r) => r.method === method && path.test(r.path));
