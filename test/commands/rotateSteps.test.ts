import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendBlockAction } from '@chatops/fake-slack';
import type { Store } from '../../src/store/index.js';
import { CHANNEL, eventually, SIGNING_SECRET, startReplica, startHarness, USERS, withHarness, type BotUnderTest, type Harness } from '../helpers/harness.js';
import { ephemeralReply, newGheToken, puts, submitValue, textOf } from '../helpers/secrets.js';
import {
  checklistText,
  ephemeralsTo,
  openModalFrom,
  requestsTo,
  rotationOf,
  startRotation,
  threadApproval,
  waitChecklist,
  waitEphemeral,
} from '../helpers/rotation.js';

/**
 * /rotate step by step: cancelling at each step, one rotation per secret, values the
 * modal refuses, a denied request, a restart at each waiting step, and stale clicks.
 * Every test also checks that GitHub changed only where it should.
 */

const R = ACTION_IDS;
const DAY = 86_400_000;
/** The old token still works, so the sync job passes once re-run. */
const ALIVE = { seed: { gheTokenExpiresAt: new Date(Date.now() + 30 * DAY).toISOString() } };
const RERUN = /\/actions\/jobs\/\d+\/rerun$/;

const approvals = (h: Harness, ts: string) => h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts && textOf(c).includes(R.secretApprove));
const threadReplies = (h: Harness, ts: string, re: RegExp) => h.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts && re.test(textOf(c)));

/** The watcher job of a rotation as stored (to know it ran, before asserting that nothing more happened). */
async function watchJobStatus(store: Store, rotationId: string): Promise<string | undefined> {
  const row = await store.db
    .selectFrom('jobs')
    .select('status')
    .where('dedupe_key', '=', `rotation-watch:${rotationId}`)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row?.status;
}

const unfinishedTicks = async (store: Store): Promise<number> =>
  (await store.db.selectFrom('jobs').select('id').where('kind', '=', 'rotation.tick').where('status', 'in', ['pending', 'running']).execute()).length;

/** How long until the rotation's watch job is due, on a bot clock `offsetMs` ahead of the real one. */
async function watchJobDueIn(store: Store, rotationId: string, offsetMs: number): Promise<number | null> {
  const row = await store.db
    .selectFrom('jobs')
    .select('run_at')
    .where('dedupe_key', '=', `rotation-watch:${rotationId}`)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row ? Number(row.run_at) - (Date.now() + offsetMs) : null;
}

/** Starts a rotation and sends `token` for approval; returns the rotation, its checklist ts and the request id. */
async function requested(h: Harness, token: string): Promise<{ id: string; ts: string; changeId: string }> {
  const { rotation, ts } = await startRotation(h);
  await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
  const view = await openModalFrom(h, R.rotationEnter, rotation.id);
  const res = await submitValue(h, view, token);
  assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
  const changeId = await threadApproval(h, ts);
  await waitChecklist(h, ts, /Waiting for an approver/);
  return { id: rotation.id, ts, changeId };
}

/** As `requested`, then approved by bob, until the re-run of the sync job is being followed. */
async function verifying(h: Harness, token: string): Promise<{ id: string; ts: string; changeId: string }> {
  const r = await requested(h, token);
  const approve = await h.click({ actionId: R.secretApprove, value: r.changeId, user: USERS.bob });
  assert.match(await ephemeralReply(h, approve.responseUrl), /Approved/);
  await eventually(async () => (await rotationOf(h, r.id)).state.verify.state === 'running', 'the verification run to be followed', 10_000).catch(
    async (e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify((await rotationOf(h, r.id)).state)}`);
    },
  );
  return r;
}

/** Through verification (the re-run passes) to the step where the old token is revoked. */
async function atRevokeStep(h: Harness, token: string): Promise<{ id: string; ts: string }> {
  const r = await verifying(h, token);
  await eventually(() => requestsTo(h.github, 'POST', RERUN).some((x) => x.status === 201), 'the sync job to be re-run');
  h.github.completeRun(h.seed.github.lastPublishRunId ?? 0, {});
  h.bot.advance(16_000);
  await waitChecklist(h, r.ts, /Verified: re-run the last sync job passed/, 15_000);
  await waitEphemeral(h, USERS.alice, r.ts, /Revoke the old token/);
  return r;
}

/** A click sent to a given bot (after a restart, the harness's own click goes to the stopped one). */
async function clickOn(h: Harness, appUrl: string, o: { actionId: string; value: string; user: string }): Promise<string> {
  const responseUrl = h.slack.responseUrl({ channel: CHANNEL, user: o.user });
  const http = await sendBlockAction(appUrl, SIGNING_SECRET, {
    user_id: o.user,
    channel_id: CHANNEL,
    action_id: o.actionId,
    value: o.value,
    response_url: responseUrl,
  });
  assert.equal(http.status, 200);
  return responseUrl;
}

/**
 * A harness whose bot is replaced half-way by a second one on the same SQLite file.
 * (withHarness would stop the first bot a second time, so this cleans up by hand.)
 */
async function withRestart(fn: (h: Harness, restart: () => Promise<BotUnderTest>) => Promise<void>): Promise<void> {
  const h = await startHarness(ALIVE);
  let second: BotUnderTest | null = null;
  let firstStopped = false;
  const dbFile = h.bot.dbFile;
  assert.ok(dbFile);
  try {
    await fn(h, async () => {
      await h.bot.stop({ keepFiles: true });
      firstStopped = true;
      second = await startReplica(h);
      return second;
    });
  } finally {
    const s = second as BotUnderTest | null;
    if (s) await s.stop();
    if (!firstStopped) await h.bot.stop({ keepFiles: true });
    await rm(dirname(dbFile), { recursive: true, force: true });
    await Promise.all([h.slack.stop(), h.github.stop(), h.ghe.stop()]);
  }
}

describe('/rotate: cancelling at each step', () => {
  test('before any value is entered, by the requester: cancelled, nothing changed, no buttons left', () =>
    withHarness({}, async (h) => {
      const { rotation, ts } = await startRotation(h);
      await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
      const cancel = await h.click({ actionId: R.rotationCancel, value: rotation.id });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Rotation cancelled\./);

      const text = await waitChecklist(h, ts, /Cancelled by <@U0ALICE001>/);
      assert.match(text, /Nothing was changed\./);
      assert.match(text, /: cancelled/, 'the notification text says so too');
      assert.doesNotMatch(text, /rotation_cancel|rotation_next|"type":"actions"/, 'no buttons once cancelled');
      const stored = await rotationOf(h, rotation.id);
      assert.equal(stored.status, 'cancelled');
      assert.equal(stored.finishedBy, USERS.alice);
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /Rotation cancelled by <@U0ALICE001>/.test(textOf(c)));

      // The step-1 prompt still shows its button: it no longer opens anything.
      const opens = h.slack.callsTo('views.open').length;
      const late = await h.click({ actionId: R.rotationEnter, value: rotation.id });
      assert.match(await ephemeralReply(h, late.responseUrl), /rotation of `\w+` (is finished|was cancelled)/);
      assert.equal(h.slack.callsTo('views.open').length, opens);
      assert.equal(puts(h), 0);
      assert.equal(await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN'), null, 'the secret is free for a new rotation');
    }));

  test('while the approval request is pending, by an approver: the request is withdrawn and a later Approve is refused', () =>
    withHarness({}, async (h) => {
      const { id, ts, changeId } = await requested(h, newGheToken(h));
      const prompts = ephemeralsTo(h, USERS.alice, ts).length;

      const cancel = await h.click({ actionId: R.rotationCancel, value: id, user: USERS.bob });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Rotation cancelled\./);
      await waitChecklist(h, ts, /Cancelled by <@U0BOB00002>/);
      assert.match(checklistText(h, ts), /Nothing was changed\./);
      await eventually(async () => (await h.store.secretChanges.get(changeId))?.status === 'cancelled', 'the request to be withdrawn');
      const stored = await rotationOf(h, id);
      assert.equal(stored.status, 'cancelled');
      assert.equal(stored.finishedBy, USERS.bob);

      const approve = await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, approve.responseUrl), /already cancelled\. Cancelled by <@U0BOB00002>/);
      assert.equal((await h.store.secretChanges.get(changeId))?.status, 'cancelled');
      assert.equal(puts(h), 0, 'GitHub was never written');
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), h.seed.ghe.syncToken, 'the old value stays');
      // A withdrawn request is not "denied": the requester is not asked to enter a value again.
      assert.equal(ephemeralsTo(h, USERS.alice, ts).length, prompts);
      const audit = (await h.store.audit.list({ limit: 1000 })).map((e) => `${e.action}:${e.outcome}`);
      assert.ok(audit.includes('secret:cancel:withdrawn:rotation_cancelled'), audit.join(' '));
    }));

  test('by someone who is neither the requester nor an approver: refused privately, nothing changes', () =>
    withHarness({}, async (h) => {
      const { id, ts, changeId } = await requested(h, newGheToken(h));
      const before = await rotationOf(h, id);
      const cancel = await h.click({ actionId: R.rotationCancel, value: id, user: USERS.carol });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Only <@U0ALICE001>, who started this rotation, or an approver \(<@U0BOB00002>\) can do this/);
      await eventually(
        async () => (await h.store.audit.list({ limit: 1000 })).some((e) => e.action === 'rotation:cancel' && e.outcome === 'refused:not_allowed'),
        'the refusal to be audited',
      );
      const after = await rotationOf(h, id);
      assert.equal(after.status, 'active');
      assert.equal(after.version, before.version);
      assert.equal((await h.store.secretChanges.get(changeId))?.status, 'pending');
      assert.match(checklistText(h, ts), /Waiting for an approver/);
      assert.doesNotMatch(checklistText(h, ts), /Cancelled by/);
      assert.equal(puts(h), 0);
    }));

  test('after the secret was replaced, while verification runs: cancelled, the new secret stays, nothing more is asked or run', () =>
    withHarness(ALIVE, async (h) => {
      const token = newGheToken(h);
      const { id, ts } = await verifying(h, token);
      await waitEphemeral(h, USERS.alice, ts, /Revoke the old token/);
      const prompts = ephemeralsTo(h, USERS.alice, ts).length;

      const cancel = await h.click({ actionId: R.rotationCancel, value: id });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Rotation cancelled\./);
      const text = await waitChecklist(h, ts, /Cancelled by <@U0ALICE001>/);
      assert.match(text, /The new secret stays in place\./);
      assert.doesNotMatch(text, /rotation_cancel|rotation_next/);
      assert.equal((await rotationOf(h, id)).status, 'cancelled');
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token);
      assert.equal(puts(h), 1);

      // The run ends and the watcher comes round once more: it lets the rotation go.
      // (31 s: past either watch interval, approval or run; this test is about the cancel, not the cadence.)
      h.github.completeRun(h.seed.github.lastPublishRunId ?? 0, {});
      h.bot.advance(31_000);
      await eventually(async () => (await watchJobStatus(h.store, id)) === 'done', 'the watcher to stop', 10_000);
      assert.equal(threadReplies(h, ts, /Verification passed|verification failed/).length, 0, 'no verification result for a cancelled rotation');
      assert.equal(ephemeralsTo(h, USERS.alice, ts).length, prompts, 'no further private steps');
      assert.equal((await rotationOf(h, id)).state.verify.state, 'running', 'left as it was when cancelled');
      assert.equal(requestsTo(h.github, 'POST', RERUN).length, 1);
      assert.equal(requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/).length, 0);
      const old = await h.click({ actionId: R.rotationRevokeOld, value: id });
      assert.match(await ephemeralReply(h, old.responseUrl), /rotation of `\w+` (is finished|was cancelled)/);
    }));
  test('at the last step, revoking the old token, by an approver: cancelled, the new secret stays, the old token is left alone', () =>
    withHarness(ALIVE, async (h) => {
      const token = newGheToken(h);
      const { id, ts } = await atRevokeStep(h, token);
      const cancel = await h.click({ actionId: R.rotationCancel, value: id, user: USERS.bob });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Rotation cancelled\./);
      const text = await waitChecklist(h, ts, /Cancelled by <@U0BOB00002>/);
      assert.match(text, /The new secret stays in place\./);
      assert.equal((await rotationOf(h, id)).status, 'cancelled');
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token);
      assert.equal(h.ghe.hasToken(h.seed.ghe.syncToken), true, 'nothing revoked');
      for (const actionId of [R.rotationRevokeOld, R.rotationConfirmOld]) {
        const late = await h.click({ actionId, value: id });
        assert.match(await ephemeralReply(h, late.responseUrl), /rotation of `\w+` (is finished|was cancelled)/);
      }
      assert.equal(requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/).length, 0);
      const audit = (await h.store.audit.list({ limit: 1000 })).map((e) => `${e.action}:${e.outcome}`);
      assert.equal(
        audit.some((a) => /^rotation:old_(confirmed|revoked):(?!refused)/.test(a)),
        false,
        audit.join(' '),
      );
    }));
});

describe('/rotate: one rotation per secret', () => {
  test('a second /rotate and a /secret replace of the same secret are refused privately while one is active', () =>
    withHarness({}, async (h) => {
      const { rotation, ts } = await startRotation(h);
      const opens = h.slack.callsTo('views.open').length;

      const again = await h.command('/rotate', 'GHE_TOKEN');
      assert.equal(again.http.status, 200);
      const reply = await h.responseTo(again.responseUrl);
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.match(textOf(reply), /already in progress/);

      const replace = await h.command('/secret', 'replace GHE_TOKEN');
      assert.equal(replace.http.status, 200);
      const refused = await h.responseTo(replace.responseUrl);
      assert.equal(refused.args.response_type, 'ephemeral');
      assert.match(textOf(refused), /already in progress/);

      assert.equal(h.slack.callsTo('views.open').length, opens, 'no modal opened');
      const rows = await h.store.db.selectFrom('rotations').select('id').execute();
      assert.deepEqual(
        rows.map((r) => r.id),
        [rotation.id],
      );
      assert.equal(h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && /^Rotation of GHE_TOKEN/.test(m.text ?? '')).length, 1, 'one checklist');
      assert.equal((await rotationOf(h, rotation.id)).status, 'active');
      assert.match(checklistText(h, ts), /Started by <@U0ALICE001>/);
      assert.equal(puts(h), 0);
    }));
});

/** A working token of github.com (the bot's other host): pasted for the GHE secret by mistake. */
function githubComToken(h: Harness): string {
  const token = 'ghp_GITHUBcomNotGHE0123456789abcdefghij01';
  h.github.addToken(token, { login: 'alice-dotcom', scopes: ['repo'], expiresAt: new Date(Date.now() + 90 * DAY).toISOString() });
  return token;
}

describe("/rotate: values the rotation's modal refuses", () => {
  test('missing scope, expiring soon, no push access, expired, a token of the wrong host, junk: errors in the modal, the rotation stays at step 1', () =>
    withHarness({}, async (h) => {
      const { rotation, ts } = await startRotation(h);
      await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
      const view = await openModalFrom(h, R.rotationEnter, rotation.id);
      const cases: Array<[string, string, RegExp]> = [
        ['missing scope', newGheToken(h, { scopes: ['read:org'], login: 'u1' }), /lacks the scope repo/],
        ['expires soon', newGheToken(h, { expiresInDays: 3 }), /in less than 7 days/],
        ['no push access', newGheToken(h, { push: false, login: 'u3' }), /cannot (see|push to)/],
        ['expired', newGheToken(h, { expiresInDays: -1, login: 'u4' }), /wats\.ghe\.com does not accept this token \(mistyped, expired or revoked\)/],
        ['wrong host', githubComToken(h), /It is a token of github\.com, not of wats\.ghe\.com: create it on wats\.ghe\.com/],
        ['junk', 'two words', /contains spaces/],
      ];
      for (const [what, value, why] of cases) {
        const res = await submitValue(h, view, value);
        assert.equal(res.status, 200, what);
        const body = res.json as { response_action?: string; errors?: Record<string, string> };
        assert.equal(body.response_action, 'errors', `${what}: ${res.body}`);
        assert.match(JSON.stringify(body.errors), why, what);
        assert.ok(!JSON.stringify(body).includes(value) || what === 'junk', `${what}: the value is not echoed`);
      }
      const stored = await rotationOf(h, rotation.id);
      assert.equal(stored.state.changeId, null);
      assert.equal(stored.state.attempts, 0);
      assert.equal(stored.status, 'active');
      assert.equal(approvals(h, ts).length, 0, 'no approval request posted');
      assert.equal((await h.store.db.selectFrom('secret_changes').select('id').execute()).length, 0, 'nothing stored for approval');
      assert.match(checklistText(h, ts), /An approver other than the requester agrees/);
      assert.equal(puts(h), 0);

      // Still at step 1: a good value goes through from the same modal.
      const ok = await submitValue(h, view, newGheToken(h));
      assert.equal((ok.json as { response_action?: string }).response_action, 'update', ok.body);
      await threadApproval(h, ts);
      await eventually(async () => (await rotationOf(h, rotation.id)).state.attempts === 1, 'the request to be tied to the rotation');
    }));
});

describe('/rotate: a denied request', () => {
  test('Deny sends the requester back to step 1; a second value can be entered and approved', () =>
    withHarness(ALIVE, async (h) => {
      const first = newGheToken(h);
      const { id, ts, changeId } = await requested(h, first);
      const deny = await h.click({ actionId: R.secretDeny, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, deny.responseUrl), /Denied/);

      await eventually(
        () => ephemeralsTo(h, USERS.alice, ts).filter((c) => /create a classic token/.test(textOf(c))).length === 2,
        'a new step-1 prompt',
        10_000,
      );
      const again = ephemeralsTo(h, USERS.alice, ts)
        .filter((c) => /create a classic token/.test(textOf(c)))
        .at(-1);
      assert.ok(again);
      assert.match(textOf(again), /The last request did not go through/);
      await waitChecklist(h, ts, /The last request was denied by <@U0BOB00002>/);
      const denied = await rotationOf(h, id);
      assert.equal(denied.state.changeId, null);
      assert.equal(denied.state.lastOutcome?.status, 'denied');
      assert.equal(denied.status, 'active');
      assert.equal(puts(h), 0);

      const earlier = new Set(h.slack.callsTo('chat.postMessage'));
      const second = newGheToken(h);
      const view = await openModalFrom(h, R.rotationEnter, id);
      const res = await submitValue(h, view, second);
      assert.equal((res.json as { response_action?: string }).response_action, 'update', res.body);
      const secondId = await threadApproval(h, ts, { notAmong: earlier });
      assert.notEqual(secondId, changeId);
      await waitChecklist(h, ts, /Waiting for an approver/);
      assert.equal((await rotationOf(h, id)).state.attempts, 2);

      const approve = await h.click({ actionId: R.secretApprove, value: secondId, user: USERS.bob });
      assert.match(await ephemeralReply(h, approve.responseUrl), /Approved/);
      await waitChecklist(h, ts, /GHE_TOKEN` replaced/);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), second);
      assert.equal(puts(h), 1);
      assert.equal((await h.store.secretChanges.get(changeId))?.status, 'denied', 'the first request stays denied');
    }));
});

describe('/rotate: a restart at a waiting step', () => {
  test('restart while the approval is pending: the new bot applies the approval once and edits the same checklist', () =>
    withRestart(async (h, restart) => {
      const token = newGheToken(h);
      const { id, ts, changeId } = await requested(h, token);
      const bot = await restart();

      const responseUrl = await clickOn(h, bot.appUrl, { actionId: R.secretApprove, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, responseUrl), /Approved/);
      await waitChecklist(h, ts, /GHE_TOKEN` replaced; GitHub shows it updated/);
      assert.ok(
        h.slack.callsTo('chat.update').some((c) => c.args.ts === ts && /GHE_TOKEN` replaced/.test(textOf(c))),
        'the new bot edits the checklist message it did not post',
      );
      assert.equal(h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && /^Rotation of GHE_TOKEN/.test(m.text ?? '')).length, 1, 'no second checklist');
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token);
      await eventually(async () => (await bot.store.rotations.get(id))?.state.replacedAt != null, 'the rotation to see the write');
      // A repeated click on the new bot does not write again.
      const twice = await clickOn(h, bot.appUrl, { actionId: R.secretApprove, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, twice), /already/);
      assert.equal(puts(h), 1);
      assert.equal((await bot.store.secretChanges.get(changeId))?.status, 'done');
    }));

  test('restart while verification runs: the new bot follows the re-run to its end without re-running again', () =>
    withRestart(async (h, restart) => {
      const token = newGheToken(h);
      const { id, ts } = await verifying(h, token);
      await eventually(() => requestsTo(h.github, 'POST', RERUN).some((r) => r.status === 201), 'the sync job to be re-run');
      // Only the watcher is left to carry the rotation: no tick of the approval is still queued to look at the run by chance.
      await eventually(async () => (await unfinishedTicks(h.store)) === 0, 'the approval ticks to be done');
      const bot = await restart();

      h.github.completeRun(h.seed.github.lastPublishRunId ?? 0, {});
      // A run is looked at every 15 s (README, "Verify"): one interval later the new bot has seen it end (5 s is only for the work).
      bot.advance(16_000);
      await waitChecklist(h, ts, /Verified: re-run the last sync job passed/, 5_000).catch(async (e: unknown) => {
        const due = await watchJobDueIn(bot.store, id, 16_000);
        throw new Error(`${String(e)}; the rotation's watch job is due ${due} ms later on the new bot's clock`);
      });
      const stored = await bot.store.rotations.get(id);
      assert.equal(stored?.state.verify.state, 'passed');
      assert.equal(stored?.status, 'active', 'the old token is still to be revoked');
      assert.equal(requestsTo(h.github, 'POST', RERUN).length, 1, 'the re-run was asked for once in total');
      assert.equal(puts(h), 1);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token);
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts && /Verification passed/.test(textOf(c)));
      assert.equal(threadReplies(h, ts, /Verification passed/).length, 1);
    }));
  test('restart at step 1: the new bot sends the same step again on My next step, and nothing is posted twice', () =>
    withRestart(async (h, restart) => {
      const { rotation, ts } = await startRotation(h);
      await waitEphemeral(h, USERS.alice, ts, /create a classic token/);
      const bot = await restart();
      await clickOn(h, bot.appUrl, { actionId: R.rotationNext, value: rotation.id, user: USERS.alice });
      await eventually(
        () => ephemeralsTo(h, USERS.alice, ts).filter((c) => /create a classic token/.test(textOf(c))).length === 2,
        'step 1 again, from the new bot',
        10_000,
      );
      assert.equal(h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && /^Rotation of GHE_TOKEN/.test(m.text ?? '')).length, 1, 'one checklist');
      assert.equal(threadReplies(h, ts, /your private steps appear below/).length, 1, 'one thread intro');
      const stored = await bot.store.rotations.get(rotation.id);
      assert.equal(stored?.status, 'active');
      assert.equal(stored?.state.changeId, null);
    }));

  test('restart at the last step: "I revoked it" on the new bot completes the rotation once, with who confirmed', () =>
    withRestart(async (h, restart) => {
      const token = newGheToken(h);
      const { id, ts } = await atRevokeStep(h, token);
      const bot = await restart();
      await clickOn(h, bot.appUrl, { actionId: R.rotationConfirmOld, value: id, user: USERS.alice });
      await waitChecklist(h, ts, /Rotation complete/);
      assert.equal((await bot.store.rotations.get(id))?.status, 'done');
      const again = await clickOn(h, bot.appUrl, { actionId: R.rotationConfirmOld, value: id, user: USERS.alice });
      assert.match(await ephemeralReply(h, again), /rotation of `\w+` (is finished|was cancelled)/);
      assert.equal(requestsTo(h.github, 'POST', RERUN).length, 1, 'verified once');
      assert.equal(puts(h), 1, 'written once');
      const confirmed = (await bot.store.audit.list({ limit: 1000 })).filter((e) => e.action === 'rotation:old_confirmed' && !e.outcome.startsWith('refused'));
      assert.equal(confirmed.length, 1, JSON.stringify(confirmed));
      assert.equal(confirmed[0]?.actor, USERS.alice);
      assert.equal(threadReplies(h, ts, /Rotation of `GHE_TOKEN` complete/).length, 1);
    }));
});

describe('/rotate: stale clicks', () => {
  test('a button naming an unknown rotation, and the buttons of a finished one, answer privately and change nothing', () =>
    withHarness({}, async (h) => {
      const opens = () => h.slack.callsTo('views.open').length;
      const unknown = await h.click({ actionId: R.rotationEnter, value: 'rot_doesnotexist' });
      assert.match(await ephemeralReply(h, unknown.responseUrl), /I no longer know this rotation\. Nothing changed\./);
      assert.equal(opens(), 0);

      const { rotation, ts } = await startRotation(h);
      const cancel = await h.click({ actionId: R.rotationCancel, value: rotation.id });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Rotation cancelled\./);
      await waitChecklist(h, ts, /Cancelled by/);
      const finished = await rotationOf(h, rotation.id);
      const updates = h.slack.callsTo('chat.update').length;

      for (const actionId of [
        R.rotationEnter,
        R.rotationGenerate,
        R.rotationNext,
        R.rotationCancel,
        R.rotationRevokeOld,
        R.rotationConfirmOld,
        R.rotationRetryVerify,
      ]) {
        const late = await h.click({ actionId, value: rotation.id });
        const text = await ephemeralReply(h, late.responseUrl);
        assert.match(text, /rotation of `\w+` (is finished|was cancelled)|no longer open|no longer/, `${actionId}: ${text}`);
        assert.match(text, /Nothing (more )?changed/, actionId);
      }
      const after = await rotationOf(h, rotation.id);
      assert.equal(after.version, finished.version);
      assert.equal(after.status, 'cancelled');
      assert.equal(after.finishedBy, USERS.alice);
      assert.equal(opens(), 0, 'no modal opened');
      assert.equal(h.slack.callsTo('chat.update').length, updates, 'the checklist is not edited again');
      assert.equal(puts(h), 0);
      assert.equal(h.github.requests.filter((r) => r.method !== 'GET').length, 0, 'nothing written to GitHub');
    }));
});
