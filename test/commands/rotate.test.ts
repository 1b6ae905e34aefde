import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { ephemeralReply, newGheToken, submitValue, textOf } from '../helpers/secrets.js';
import { everythingTheBotKept } from '../helpers/canary.js';
import {
  checklistText,
  openModalFrom,
  requestsTo,
  rotationOf,
  startRotation,
  submitOldToken,
  threadApproval,
  waitChecklist,
  waitEphemeral,
} from '../helpers/rotation.js';

const R = ACTION_IDS;

/** Completes the newest attempt of the run the bot re-ran, and lets the bot's next poll come. */
async function finishRerun(h: Harness, runId: number, outcomes: Parameters<Harness['github']['completeRun']>[1] = {}): Promise<void> {
  await eventually(() => requestsTo(h.github, 'POST', /\/actions\/jobs\/\d+\/rerun$/).some((r) => r.status === 201), 'the sync job to be re-run');
  h.github.completeRun(runId, outcomes);
  h.bot.advance(16_000);
}

describe('/rotate a classic token (GHE_TOKEN)', () => {
  test('create -> enter -> approve -> replace -> verify (re-run of the sync job) -> revoke the old token through GitHub; one message kept current', () =>
    // The old token still works (rotated before it expired), so revoking it matters.
    withHarness({ seed: { gheTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() } }, async (h) => {
      const { rotation, ts, reply } = await startRotation(h);
      assert.match(reply, /started in <#C0RELEASES1>/);
      const intro = h.slack.messages(CHANNEL).find((m) => m.thread_ts === ts && !m.ephemeralTo);
      assert.match(intro?.text ?? '', /private steps appear below/, 'a public reply opens the thread before any ephemeral step');
      assert.match(checklistText(h, ts), /Rotation of GHE_TOKEN for pywats/);
      assert.match(checklistText(h, ts), /Started by <@U0ALICE001>/);

      const create = await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
      const createText = textOf(create);
      assert.match(
        createText,
        /wats\.ghe\.com\/settings\/tokens\/new\?scopes=repo&description=GitHub%20Actions%20-%20pyWATS%20sync/,
        'the link pre-fills scope and note',
      );
      assert.match(createText, /no later than \*\d{4}-\d{2}-\d{2}\*/);
      assert.match(createText, /service account/);
      assert.ok(createText.includes(R.rotationEnter));

      const newToken = newGheToken(h, { token: 'ghp_ROTATEDrotated0123456789abcdefghijxyz1' });
      const view = await openModalFrom(h, R.rotationEnter, rotation.id);
      assert.match(String(view.private_metadata), new RegExp(rotation.id));
      const submitted = await submitValue(h, view, newToken);
      assert.equal((submitted.json as { response_action?: string }).response_action, 'update', submitted.body);
      const changeId = await threadApproval(h, ts);
      await waitChecklist(h, ts, /Waiting for an approver/);
      assert.equal((await rotationOf(h, rotation.id)).state.changeId, changeId);

      const approve = await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, approve.responseUrl), /Approved/);
      await waitChecklist(h, ts, /GHE_TOKEN` replaced; GitHub shows it updated/);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), newToken);
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /was replaced\. Next/.test(textOf(c)));
      assert.equal(
        h.slack.messages(CHANNEL).filter((m) => /was changed as approved/.test(m.text ?? '')).length,
        0,
        'the rotation announces the write; the request does not repeat it',
      );

      // Verification: the last publish run's sync job is re-run; the bot follows it.
      const runId = h.seed.github.lastPublishRunId ?? 0;
      await waitChecklist(h, ts, /Verifying: re-run the last sync job/);
      await finishRerun(h, runId);
      await waitChecklist(h, ts, /Verified: re-run the last sync job passed/, 15_000);

      // The old token: pasted, revoked through GitHub (GHES: authenticated), proven dead.
      await waitEphemeral(h, USERS.alice, ts, /Revoke the old token/);
      const oldView = await openModalFrom(h, R.rotationRevokeOld, rotation.id);
      const sameAsNew = await submitOldToken(h, oldView, newToken);
      assert.match(JSON.stringify(sameAsNew.json), /That is the new token/, 'the new token is never revoked by mistake');
      const junk = await submitOldToken(h, oldView, 'hunter2');
      assert.match(JSON.stringify(junk.json), /does not look like a GitHub token/);
      assert.equal(requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/).length, 0, 'nothing sent for refused values');
      const res = await submitOldToken(h, oldView, h.seed.ghe.syncToken);
      assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
      const outcome = await h.slack.waitFor((c) => c.method === 'views.update' && /Old token revoked|Not revoked/.test(textOf(c)));
      assert.match(textOf(outcome), /Revoked now and proven dead/, textOf(outcome));
      // The seed set GHE_TOKEN by hand: the bot has nothing to compare with, and says so.
      assert.match(textOf(outcome), /no record of the value `GHE_TOKEN` held \(it was set outside the bot\), so I cannot show it was this token/);
      await waitChecklist(
        h,
        ts,
        /Old token revoked by <@U0ALICE001> through GitHub and proven dead \(token of svc-pywats-sync ending in \w{4}\)\. The bot has no record of the value `GHE_TOKEN` held \(set outside the bot\), so that it was this token rests on <@U0ALICE001>'s word/,
      );
      const revokes = requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/);
      assert.equal(revokes.length, 1);
      assert.equal(revokes[0]?.status, 202);
      assert.equal(h.ghe.hasToken(h.seed.ghe.syncToken), false, 'the old token is dead on GHE');

      await waitChecklist(h, ts, /Rotation complete/);
      const done = await rotationOf(h, rotation.id);
      assert.equal(done.status, 'done');
      assert.doesNotMatch(checklistText(h, ts), /rotation_cancel/, 'no buttons once complete');
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /Rotation of `GHE_TOKEN` complete/.test(textOf(c)));
      assert.equal(
        h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && /^Rotation of \S+ for/.test(m.text ?? '')).length,
        1,
        `one channel message, edited in place: ${JSON.stringify(h.slack.messages(CHANNEL).map((m) => [m.ts, m.thread_ts, m.text]))}`,
      );

      const audit = (await h.store.audit.list({ limit: 1000 })).map((e) => `${e.action}:${e.outcome}`);
      for (const a of [
        'rotation:start:started',
        'rotation:change_requested:ok',
        'secret:approve:approved',
        'rotation:change_seen:ok',
        'rotation:verify_finished:ok',
        'rotation:old_revoked:done',
      ]) {
        assert.ok(audit.includes(a), `audit has ${a}: ${audit.join(' ')}`);
      }
      assert.equal(
        audit.filter((a) => a.includes(':error:')).length,
        0,
        `no errors: ${h.logs
          .filter((l) => /slack_error|"level":[45]0/.test(l))
          .join('\n')
          .slice(0, 3000)}`,
      );

      // Canary: neither the new token nor the old one was logged, posted or stored.
      const kept = await everythingTheBotKept(h);
      assert.ok(kept.length > 10_000);
      assert.equal(kept.includes(newToken), false, 'the new token is nowhere');
      assert.equal(kept.includes(h.seed.ghe.syncToken), false, 'the old token is nowhere');

      // A click on the finished rotation's buttons changes nothing, privately.
      const late = await h.click({ actionId: R.rotationCancel, value: rotation.id });
      assert.match(await ephemeralReply(h, late.responseUrl), /rotation of `\w+` (is finished|was cancelled)/);
    }));
});
