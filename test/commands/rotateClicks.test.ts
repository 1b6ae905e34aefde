import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import type { RecordedCall, StoredMessage } from '@chatops/fake-slack';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { newGheToken, submitValue, textOf } from '../helpers/secrets.js';
import { openModalFrom, startRotation, threadApproval, waitChecklist, waitEphemeral } from '../helpers/rotation.js';

/**
 * Clicks on a rotation's buttons, answered where they were clicked: in the thread for
 * a button in the thread, the clicked ephemeral prompt replaced once its step is void,
 * and every refusal naming the people who can act.
 */

const R = ACTION_IDS;

/** The stored message (as the fake keeps it) in the thread `ts` whose buttons include `actionId`; the newest one. */
function buttonMessage(h: Harness, ts: string, actionId: string, o: { ephemeralTo?: string } = {}): StoredMessage {
  const m = h.slack
    .messages(CHANNEL)
    .filter(
      (x) =>
        x.thread_ts === ts &&
        (o.ephemeralTo ? x.ephemeralTo === o.ephemeralTo : !x.ephemeralTo) &&
        JSON.stringify(x.blocks ?? []).includes(`"action_id":"${actionId}"`),
    )
    .at(-1);
  assert.ok(m, `a message in the thread with ${actionId}`);
  return structuredClone(m);
}

/** The private answer to `user` in the thread `ts` matching `re`. */
const threadEphemeral = (h: Harness, user: string, ts: string, re: RegExp): Promise<RecordedCall> =>
  h.slack.waitFor(
    (c) => c.method === 'chat.postEphemeral' && c.args.user === user && c.args.channel === CHANNEL && c.args.thread_ts === ts && re.test(textOf(c)),
    10_000,
  );

/** Posts through a click's response_url (none is expected for an answer that went into the thread). */
const viaUrl = (h: Harness, responseUrl: string) => {
  const id = new URL(responseUrl).pathname.replace(/^\/response\//, '');
  return h.slack.callsTo('response_url').filter((c) => c.responseUrlId === id);
};

describe('/rotate: clicks answered where they were clicked', () => {
  test('in the thread: refusals land in the thread and name who can act; a void prompt is replaced; the approver hears the outcome', () =>
    withHarness({}, async (h) => {
      const { rotation, ts } = await startRotation(h);
      await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
      const enterPrompt = buttonMessage(h, ts, R.rotationEnter, { ephemeralTo: USERS.alice });
      const view = await openModalFrom(h, R.rotationEnter, rotation.id);
      assert.equal((await submitValue(h, view, newGheToken(h))).status, 200);
      await threadApproval(h, ts);
      await waitChecklist(h, ts, /Waiting for an approver/);
      const request = buttonMessage(h, ts, R.secretApprove);
      const changeId = rotation.state.changeId ?? (await h.store.rotations.get(rotation.id))?.state.changeId ?? '';
      assert.ok(changeId);

      // carol is no approver: told in the thread, with bob named.
      const carol = await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.carol, on: request });
      const refusal = await threadEphemeral(h, USERS.carol, ts, /You are not an approver/);
      assert.match(textOf(refusal), /<@U0BOB00002> can approve or deny it/);
      assert.doesNotMatch(textOf(refusal), /access\.approve/, 'people, not a configuration key');
      assert.equal(viaUrl(h, carol.responseUrl).length, 0, 'not through the response_url (Slack would show it in the channel)');

      // alice cannot approve her own request: in the thread too, bob named.
      await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.alice, on: request });
      assert.match(textOf(await threadEphemeral(h, USERS.alice, ts, /someone else must approve/)), /<@U0BOB00002> can\. Nothing changed/);
      assert.equal((await h.store.secretChanges.get(changeId))?.status, 'pending');

      // The step-1 prompt, clicked again after the value went in: replaced, its buttons gone, no modal.
      const opens = h.slack.callsTo('views.open').length;
      const late = await h.click({ actionId: R.rotationEnter, value: rotation.id, user: USERS.alice, on: enterPrompt });
      const replaced = await h.responseTo(late.responseUrl);
      assert.equal(replaced.args.replace_original, true);
      assert.match(textOf(replaced), /That step is no longer open\. The new value of `GHE_TOKEN` was entered and waits for an approver/);
      const prompt = h.slack.messages(CHANNEL).find((m) => m.ts === enterPrompt.ts);
      assert.equal(prompt?.blocks, undefined, 'the prompt has no buttons left');
      assert.equal(h.slack.callsTo('views.open').length, opens);

      // bob approves in the thread: his answer there does not claim more than it knows, and the outcome follows it.
      await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob, on: request });
      await threadEphemeral(h, USERS.bob, ts, /Approved\. I am writing `GHE_TOKEN` to GitHub now/);
      await threadEphemeral(h, USERS.bob, ts, /Done: `GHE_TOKEN` was replaced as you approved; GitHub shows it updated/);

      // A second click on the (since edited) request, from a client that still shows it: what became of it.
      await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob, on: request });
      assert.match(textOf(await threadEphemeral(h, USERS.bob, ts, /already done\./)), /Approved by <@U0BOB00002> .*`GHE_TOKEN` was replaced/);

      // Cancelled: the old prompt (still on alice's screen) says so when clicked.
      await h.click({ actionId: R.rotationCancel, value: rotation.id, user: USERS.alice });
      await waitChecklist(h, ts, /Cancelled by/);
      const gone = await h.click({ actionId: R.rotationEnter, value: rotation.id, user: USERS.alice, on: enterPrompt });
      const over = await h.responseTo(gone.responseUrl);
      assert.equal(over.args.replace_original, true);
      assert.match(textOf(over), /The rotation of `GHE_TOKEN` was cancelled by <@U0ALICE001> .*The new secret stays in place/);
    }));

  test('on the channel message: a refusal is private and leaves the checklist as it is', () =>
    withHarness({}, async (h) => {
      const { rotation, ts } = await startRotation(h);
      const checklist = structuredClone(h.slack.messages(CHANNEL).find((m) => m.ts === ts) as StoredMessage);
      const carol = await h.click({ actionId: R.rotationCancel, value: rotation.id, user: USERS.carol, on: checklist });
      const reply = await h.responseTo(carol.responseUrl);
      assert.equal(reply.args.replace_original, false, 'the checklist everyone sees is not replaced');
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.match(textOf(reply), /Only <@U0ALICE001>, who started this rotation, or an approver \(<@U0BOB00002>\) can do this/);
      await eventually(async () => (await h.store.audit.list({ limit: 100 })).some((e) => e.outcome === 'refused:not_allowed'), 'the refusal audited');
      assert.equal((await h.store.rotations.get(rotation.id))?.status, 'active');
      assert.match(JSON.stringify(h.slack.messages(CHANNEL).find((m) => m.ts === ts)?.blocks), /rotation_cancel/, 'its buttons stay for those who may');
    }));
});
