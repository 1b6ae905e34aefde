import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendEvent, type StoredMessage } from '@chatops/fake-slack';
import { CHANNEL, eventually, SIGNING_SECRET, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { newGheToken, submitValue } from '../helpers/secrets.js';
import { openModalFrom, startRotation, threadApproval, waitChecklist, waitEphemeral } from '../helpers/rotation.js';

const DAY = 86_400_000;
/** The old token still works, so the sync job passes once re-run. */
const ALIVE = { gheTokenExpiresAt: new Date(Date.now() + 30 * DAY).toISOString() };
const GHE_START = '"action_id":"rotation_start","value":"olreppe/pyWATS:GHE_TOKEN"';
const PAT_START = '"action_id":"rotation_start","value":"olreppe/pyWATS:PAT_TOKEN"';

const shown = (m: StoredMessage | undefined) => JSON.stringify({ text: m?.text, blocks: m?.blocks });
const current = (h: Harness, ts: string) => h.slack.messages(CHANNEL).find((m) => m.ts === ts);
async function waitWarning(h: Harness, ts: string, re: RegExp): Promise<string> {
  await eventually(() => re.test(shown(current(h, ts))), `the leak warning to match ${re}`, 15_000);
  return shown(current(h, ts));
}
/** The private answer to a click in the warning's thread (the bot answers in the thread, or through response_url). */
const answered = (h: Harness, re: RegExp) =>
  eventually(() => h.slack.calls.some((c) => c.method !== 'chat.update' && re.test(JSON.stringify(c.args))), `an answer matching ${re}`, 10_000);
/** chat.update calls on the warning's ts so far. */
const editsOf = (h: Harness, ts: string) => h.slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === ts).length;

/** A token pasted in the channel; returns the warning as posted in its thread, once it carries the revocation outcome. */
async function leak(h: Harness): Promise<StoredMessage> {
  const ts = `1795480000.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const res = await sendEvent(h.appUrl, SIGNING_SECRET, {
    type: 'message',
    channel: CHANNEL,
    channel_type: 'channel',
    ts,
    user: USERS.carol,
    text: `here: ghp_${'Z'.repeat(36)}`,
  });
  assert.equal(res.status, 200);
  let warning: StoredMessage | undefined;
  await eventually(
    () => {
      warning = h.slack.messages(CHANNEL).find((m) => m.thread_ts === ts && /message contained/.test(m.text ?? ''));
      return Boolean(warning);
    },
    'the warning with its outcome',
    15_000,
  );
  assert.ok(warning);
  return warning;
}

describe('a leak warning’s Start rotation follows its secret', () => {
  test('started from the warning (no button), cancelled (button back), started by /rotate, rotated to the end (done); the other secret keeps its button', () =>
    withHarness({ seed: ALIVE }, async (h) => {
      const warning = await leak(h);
      const ts = warning.ts;
      let text = shown(warning);
      assert.ok(text.includes(GHE_START) && text.includes(PAT_START), 'both token secrets of the channel are offered');
      const stored = await h.store.leakMessages.get(CHANNEL, ts);
      assert.ok(stored, 'the warning is kept for editing');
      assert.equal(JSON.stringify(stored).includes('Z'.repeat(20)), false, 'never the token');

      // Start rotation clicked on the warning: the warning says it started, and no longer offers it.
      const before = editsOf(h, ts);
      const start = await h.click({ actionId: ACTION_IDS.rotationStart, value: 'olreppe/pyWATS:GHE_TOKEN', user: USERS.alice, on: warning });
      assert.equal(start.http.status, 200);
      await answered(h, /Rotation of `GHE_TOKEN` started in/);
      text = await waitWarning(h, ts, /Rotation of `GHE_TOKEN` \(pywats\) started by <@U0ALICE001>/);
      assert.ok(editsOf(h, ts) > before, 'edited by chat.update on its ts');
      assert.equal(text.includes(GHE_START), false, 'no live Start rotation for GHE_TOKEN while it runs');
      assert.ok(text.includes(PAT_START), 'PAT_TOKEN is still offered');
      assert.match(text, /no host the bot knows accepts it/, 'the revocation outcome is kept in the edit');

      // Cancelled: the button is back, and the warning says what happened.
      const first = await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN');
      assert.ok(first);
      await h.click({ actionId: ACTION_IDS.rotationCancel, value: first.id, user: USERS.alice });
      text = await waitWarning(h, ts, /A rotation of `GHE_TOKEN` \(pywats\) was cancelled by <@U0ALICE001>/);
      assert.ok(text.includes(GHE_START), 'Start rotation is back');

      // /rotate, to the end: "started" again, then "rotated", with no button.
      const { rotation, ts: thread } = await startRotation(h);
      text = await waitWarning(h, ts, /Rotation of `GHE_TOKEN` \(pywats\) started by <@U0ALICE001>/);
      assert.equal(text.includes(GHE_START), false);
      await waitEphemeral(h, USERS.alice, thread, /create a classic token/);
      const view = await openModalFrom(h, ACTION_IDS.rotationEnter, rotation.id);
      assert.equal((await submitValue(h, view, newGheToken(h))).status, 200);
      const changeId = await threadApproval(h, thread);
      await h.click({ actionId: ACTION_IDS.secretApprove, value: changeId, user: USERS.bob });
      await eventually(async () => (await h.store.rotations.get(rotation.id))?.state.verify.state === 'running', 'the verification run', 10_000);
      await eventually(
        () => h.github.requests.some((r) => r.method === 'POST' && /\/actions\/jobs\/\d+\/rerun$/.test(r.path) && r.status === 201),
        'the re-run',
      );
      h.github.completeRun(h.seed.github.lastPublishRunId ?? 0, {});
      h.bot.advance(16_000);
      await waitChecklist(h, thread, /Verified/, 15_000);
      await waitEphemeral(h, USERS.alice, thread, /Revoke the old token/);
      const prompt = h.slack
        .messages(CHANNEL)
        .filter((m) => m.ephemeralTo === USERS.alice && m.thread_ts === thread && /rotation_confirm_old/.test(JSON.stringify(m.blocks ?? [])))
        .at(-1);
      assert.ok(prompt, 'the old-token prompt is in the thread');
      await h.click({ actionId: ACTION_IDS.rotationConfirmOld, value: rotation.id, user: USERS.alice, on: prompt });
      text = await waitWarning(h, ts, /`GHE_TOKEN` \(pywats\) was rotated by <@U0ALICE001>/);
      assert.equal(text.includes(GHE_START), false, 'no Start rotation once rotated');
      assert.ok(text.includes(PAT_START), 'PAT_TOKEN is still offered');
      await eventually(
        async () => (await h.store.audit.list({ limit: 1000 })).some((e) => e.action === 'leak:offer' && e.outcome === 'edited:rotated'),
        'the edit audited',
      );

      // A click on the old button is still answered truthfully (actions/rotationStart.ts).
      const late = await h.click({ actionId: ACTION_IDS.rotationStart, value: 'olreppe/pyWATS:GHE_TOKEN', user: USERS.alice, on: warning });
      assert.equal(late.http.status, 200);
      await answered(h, /GHE_TOKEN` was rotated .*after this message was posted/);
      assert.equal(await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN'), null, 'nothing started');
    }));
});
