import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { everythingTheBotKept } from '../helpers/canary.js';
import { ephemeralReply, newGheToken, requestReplacement, submitValue, textOf } from '../helpers/secrets.js';
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

/**
 * The old token step compares the pasted token with what the bot recorded of the value it
 * set (login, last four, a salted digest) before it revokes anything, and words each
 * outcome as it is: revoked now and proven dead; rejected already and matching the record;
 * not the token this secret held; or, with no record, what it cannot tell.
 */

const R = ACTION_IDS;
const DAY = 86_400_000;
const ALIVE = { seed: { gheTokenExpiresAt: new Date(Date.now() + 30 * DAY).toISOString() } };
const REVOKE = /\/credentials\/revoke$/;
/** Token-shaped, but GitHub never made it. */
const MADE_UP = 'ghp_MADEupMADEupMADEup0123456789abcdefZZZZ';

/** GHE_TOKEN set through the bot (/secret replace, approved by bob): the bot records what it set. */
async function setByTheBot(h: Harness, token: string): Promise<void> {
  const id = await requestReplacement(h, token);
  await h.click({ actionId: R.secretApprove, value: id, user: USERS.bob });
  await eventually(async () => (await h.store.secretChanges.get(id))?.status === 'done', 'the replacement to be applied', 10_000);
  assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token);
}

/** A rotation through approval and verification, to the step where the old token is revoked. */
async function atRevokeStep(h: Harness, newToken: string): Promise<{ id: string; ts: string }> {
  const { rotation, ts } = await startRotation(h);
  await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
  const view = await openModalFrom(h, R.rotationEnter, rotation.id);
  const res = await submitValue(h, view, newToken);
  assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
  const changeId = await threadApproval(h, ts);
  await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob });
  await waitChecklist(h, ts, /GHE_TOKEN` replaced/);
  await eventually(() => requestsTo(h.github, 'POST', /\/actions\/jobs\/\d+\/rerun$/).some((x) => x.status === 201), 'the sync job to be re-run');
  h.github.completeRun(h.seed.github.lastPublishRunId ?? 0, {});
  h.bot.advance(16_000);
  await waitChecklist(h, ts, /Verified: re-run the last sync job passed/, 15_000);
  await waitEphemeral(h, USERS.alice, ts, /Revoke the old token/);
  return { id: rotation.id, ts };
}

/** Pastes `value` as the old token and returns what the modal says in the end. */
async function paste(h: Harness, id: string, value: string): Promise<string> {
  const view = await openModalFrom(h, R.rotationRevokeOld, id);
  const before = h.slack.callsTo('views.update').length;
  const res = await submitOldToken(h, view, value);
  assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
  const outcome = await h.slack.waitFor(
    (c) => c.method === 'views.update' && h.slack.callsTo('views.update').length > before && !/Checking the token/.test(textOf(c)),
    15_000,
  );
  return textOf(outcome);
}

describe('/rotate: the old token is compared with the record before it is revoked', () => {
  test('set by the bot earlier: a made-up token and a live token of someone else are refused and nothing is revoked; the real old token is revoked now and proven dead', () =>
    withHarness(ALIVE, async (h) => {
      const old = newGheToken(h, { token: 'ghp_OLDsetBYtheBOT0123456789abcdefghijOLD1' });
      await setByTheBot(h, old);
      const { id, ts } = await atRevokeStep(h, newGheToken(h, { token: 'ghp_NEWrotated0123456789abcdefghijklmNEW2' }));

      const madeUp = await paste(h, id, MADE_UP);
      assert.match(madeUp, /Not the token this secret held/, madeUp);
      assert.match(madeUp, /`GHE_TOKEN` held a token of svc-pywats-sync ending in OLD1, set by the bot/);
      assert.match(madeUp, /"Not revoked"/, 'the modal title does not say revoked');
      const stranger = newGheToken(h, { token: 'ghp_SOMEONEelse0123456789abcdefghijklmOTH3', login: 'someone-else' });
      const other = await paste(h, id, stranger);
      assert.match(other, /Not the token this secret held/, other);
      assert.equal(requestsTo(h.ghe, 'POST', REVOKE).length, 0, 'nothing sent to the revocation API');
      assert.equal(h.ghe.hasToken(stranger), true, "someone else's token is left alone");
      assert.equal(h.ghe.hasToken(old), true);
      const open = await rotationOf(h, id);
      assert.equal(open.status, 'active');
      assert.equal(open.state.old.state, 'waiting', 'the step stays open');
      assert.doesNotMatch(checklistText(h, ts), /proven dead|already rejected/);
      assert.match(checklistText(h, ts), /Revoke the old token \(waiting for <@U0ALICE001>\)/);

      const revoked = await paste(h, id, old);
      assert.match(revoked, /Revoked now and proven dead/, revoked);
      assert.match(revoked, /It is the value `GHE_TOKEN` held \(a token of svc-pywats-sync ending in OLD1, set by the bot/);
      assert.equal(requestsTo(h.ghe, 'POST', REVOKE).length, 1);
      assert.equal(h.ghe.hasToken(old), false, 'the old token is dead on GHE');
      await waitChecklist(
        h,
        ts,
        /Old token revoked by <@U0ALICE001> through GitHub and proven dead \(token of svc-pywats-sync ending in OLD1\); it is the value the bot had set/,
      );
      await waitChecklist(h, ts, /Rotation complete/);
      const done = await rotationOf(h, id);
      assert.equal(done.state.old.state, 'revoked');
      assert.equal(done.state.old.record, 'matched');
      const audit = (await h.store.audit.list({ limit: 1000 })).map((e) => `${e.action}:${e.outcome}`);
      assert.equal(audit.filter((a) => a === 'rotation:old_token:not_revoked:not_held:digest').length, 2, audit.join(' '));

      // What identifies the values is kept; the values are not.
      const kept = await everythingTheBotKept(h);
      for (const t of [old, MADE_UP, stranger]) assert.equal(kept.includes(t), false, 'no pasted or set token is kept');
    }));

  test('set by the bot earlier and revoked elsewhere since: "rejected already and matching the record", not "proven dead"; nothing is sent to revoke', () =>
    withHarness(ALIVE, async (h) => {
      const old = newGheToken(h, { token: 'ghp_OLDsetBYtheBOT0123456789abcdefghijOLD1' });
      await setByTheBot(h, old);
      const { id, ts } = await atRevokeStep(h, newGheToken(h));
      h.ghe.revokeToken(old);

      const text = await paste(h, id, old);
      assert.match(text, /Rejected already and matching the record/, text);
      assert.match(text, /"Old token already dead"/);
      assert.equal(requestsTo(h.ghe, 'POST', REVOKE).length, 0, 'a dead token is not sent to be revoked');
      const list = await waitChecklist(
        h,
        ts,
        /Old token already rejected by GitHub when <@U0ALICE001> pasted it \(token of svc-pywats-sync ending in OLD1\); it matches the record/,
      );
      assert.doesNotMatch(list, /proven dead/);
      await waitChecklist(h, ts, /Rotation complete/);
      assert.equal((await rotationOf(h, id)).state.old.state, 'dead');
    }));

  test('set outside the bot (no record): a made-up token is not taken as revoked, a live token that cannot push is refused, the old one is revoked and the checklist says it rests on the requester', () =>
    withHarness(ALIVE, async (h) => {
      const { id, ts } = await atRevokeStep(h, newGheToken(h));

      const madeUp = await paste(h, id, MADE_UP);
      assert.match(madeUp, /GitHub already rejects this token/, madeUp);
      assert.match(madeUp, /no record of the value `GHE_TOKEN` held \(it was set outside the bot\)/);
      assert.match(madeUp, /I cannot show it is the old token\. \*Not recorded as revoked\*/);
      assert.doesNotMatch(madeUp, /Recorded as revoked|proven dead/);

      const reader = newGheToken(h, { token: 'ghp_READERnoPUSH0123456789abcdefghijkREA4', login: 'reader', push: false });
      const cannot = await paste(h, id, reader);
      assert.match(cannot, /cannot push to `WATS\/pyWATS`, so it is not a token that could have done the secret's job/, cannot);
      assert.equal(h.ghe.hasToken(reader), true);
      assert.equal(requestsTo(h.ghe, 'POST', REVOKE).length, 0);
      assert.equal((await rotationOf(h, id)).state.old.state, 'waiting');
      assert.doesNotMatch(checklistText(h, ts), /proven dead|already rejected/);

      // The step stays open: "I revoked it" is still offered and records who said so.
      const confirm = await h.click({ actionId: R.rotationConfirmOld, value: id });
      assert.match(await ephemeralReply(h, confirm.responseUrl), /Recorded: you revoked the old token by hand/);
      await waitChecklist(h, ts, /<@U0ALICE001> confirmed revoking the old token by hand/);
      await waitChecklist(h, ts, /Rotation complete/);
    }));
});
