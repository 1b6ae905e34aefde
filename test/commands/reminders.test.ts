import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { CHANNEL, eventually, USERS, startReplica, withHarness, type Harness } from '../helpers/harness.js';
import { ephemeralReply, newGheToken, requestReplacement, submitValue, textOf } from '../helpers/secrets.js';
import { openModalFrom, startRotation, threadApproval, waitChecklist, waitEphemeral } from '../helpers/rotation.js';
import type { StoredMessage } from '@chatops/fake-slack';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const reminders = (h: Harness) => h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && /Rotate soon|Overdue/.test(JSON.stringify(m.blocks ?? [])));
/** The reminder as it stands in the channel now (the fake applies every chat.update). */
const current = (h: Harness, ts: string): StoredMessage => {
  const m = h.slack.messages(CHANNEL).find((x) => x.ts === ts);
  assert.ok(m, 'the reminder exists');
  return m;
};
const shown = (m: StoredMessage) => JSON.stringify({ text: m.text, blocks: m.blocks });
async function waitReminder(h: Harness, ts: string, re: RegExp): Promise<string> {
  await eventually(() => re.test(shown(current(h, ts))), `the reminder to match ${re}`, 10_000);
  return shown(current(h, ts));
}
/** The old token still works, so the sync job passes once re-run. */
const ALIVE = { gheTokenExpiresAt: new Date(Date.now() + 30 * DAY).toISOString() };

const startValue = (h: Harness): string => {
  const m = new RegExp(`"action_id":"${ACTION_IDS.rotationStart}","value":"([^"]+)"`).exec(JSON.stringify(reminders(h).at(-1)?.blocks ?? []));
  assert.ok(m?.[1], 'the reminder has a Start rotation button');
  return m[1];
};

/** Runs the daily job now (the bot's clock moved to its run time) and waits until it is queued again. */
async function runDaily(h: Harness): Promise<void> {
  // The run at start-up may still be finishing (it also brings earlier reminders' edits up to date).
  await eventually(
    async () =>
      Boolean(await h.store.db.selectFrom('jobs').select('id').where('kind', '=', 'reminders.daily').where('status', '=', 'pending').executeTakeFirst()),
    'the daily check to be queued',
  );
  const job = await h.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'reminders.daily').where('status', '=', 'pending').executeTakeFirstOrThrow();
  const due = new Date(job.run_at).getTime();
  const wait = due - h.bot.deps.now().getTime();
  if (wait > 0) h.bot.advance(wait + 1000);
  await eventually(async () => {
    const j = await h.store.db.selectFrom('jobs').select(['run_at', 'status']).where('kind', '=', 'reminders.daily').executeTakeFirst();
    return j?.status === 'pending' && new Date(j.run_at).getTime() > h.bot.deps.now().getTime();
  }, 'the daily check to run and queue the next one');
}

describe('rotation reminders', () => {
  test('335 days old of 365: the 30-day reminder once (a second run, a restart, a second replica send nothing more), then the 7-day one, with the bot’s clock', () =>
    withHarness({ reminders: true, seed: { gheTokenUpdatedAt: iso(Date.now() - 335 * DAY), gheTokenExpiresAt: null } }, async (h) => {
      await eventually(() => reminders(h).length === 1, 'the reminder at start-up');
      const first = JSON.stringify(reminders(h)[0]);
      assert.match(first, /GHE_TOKEN of pywats reaches its age limit in (29|30) days/);
      assert.match(first, /rotates it every 365 days/);
      assert.equal(reminders(h).filter((m) => /PAT_TOKEN/.test(m.text ?? '')).length, 0, 'PAT_TOKEN (40 days old) is not due');

      await runDaily(h);
      const replica = await startReplica(h, { reminders: true });
      try {
        replica.advance(h.bot.deps.now().getTime() - Date.now());
        await replica.chatops.worker.drain();
      } finally {
        await replica.stop({ keepFiles: true });
      }
      assert.equal(reminders(h).length, 1, 'still one: sent once whatever runs the check');

      // 24 days later: 6 days left, the 7-day reminder.
      h.bot.advance(24 * DAY);
      await runDaily(h);
      await eventually(() => reminders(h).length === 2, 'the 7-day reminder');
      assert.match(reminders(h)[1]?.text ?? '', /in [56] days/);
      const audit = (await h.store.audit.list({ limit: 100 })).filter((e) => e.action === 'reminder');
      assert.equal(audit.length, 2);
    }));

  test('a token that expires before its age limit: the reminder says it expires (recorded expiry and the token’s own)', () =>
    withHarness({ reminders: true, seed: { gheTokenUpdatedAt: iso(Date.now() - 300 * DAY), gheTokenExpiresAt: null } }, async (h) => {
      // Nothing due by age (65 days left) …
      await eventually(
        async () => (await h.store.db.selectFrom('jobs').select('status').where('kind', '=', 'reminders.daily').executeTakeFirst())?.status === 'pending',
        'the first check',
      );
      assert.equal(reminders(h).length, 0);
      // … until a replacement records that the new token expires in 5 days.
      await h.store.db
        .insertInto('secret_changes')
        .values({
          id: 'recordedExpiry0000000001',
          repo: h.seed.github.repo,
          repo_name: 'pywats',
          secret: 'GHE_TOKEN',
          secret_kind: 'classic-pat',
          action: 'replace',
          requested_by: USERS.alice,
          channel: CHANNEL,
          thread_ts: null,
          message_ts: null,
          origin: null,
          status: 'done',
          ciphertext: null,
          key_id: null,
          facts: JSON.stringify({ impact: [], checks: [], expiresAt: new Date(Date.now() + 5 * DAY).toISOString(), last4: 'abcd' }),
          created_at: Date.now() - DAY,
          expires_at: Date.now(),
          decided_by: USERS.bob,
          decided_at: Date.now() - DAY,
          applying_at: Date.now() - DAY,
          finished_at: Date.now() - DAY,
          outcome: null,
        } as never)
        .execute();
      h.bot.advance(DAY);
      await runDaily(h);
      await eventually(() => reminders(h).length === 1, 'the expiry reminder');
      assert.match(reminders(h)[0]?.text ?? '', /GHE_TOKEN of pywats expires in [34] days/);
    }));

  test('Start rotation: alice starts the rotation; carol is refused privately; a junk or stale button is refused privately', () =>
    withHarness({ reminders: true }, async (h) => {
      await eventually(() => reminders(h).length === 1, 'the overdue reminder at start-up');
      assert.match(reminders(h)[0]?.text ?? '', /GHE_TOKEN of pywats is past its age limit/);
      const value = startValue(h);

      const carol = await h.click({ actionId: ACTION_IDS.rotationStart, value, user: USERS.carol });
      assert.match(await ephemeralReply(h, carol.responseUrl), /not allowed to rotate/);
      assert.equal(await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN'), null, 'nothing started');

      const junk = await h.click({ actionId: ACTION_IDS.rotationStart, value: '"><script>', user: USERS.alice });
      assert.match(await ephemeralReply(h, junk.responseUrl), /no longer works/);
      const gone = await h.click({ actionId: ACTION_IDS.rotationStart, value: 'someone/else:GHE_TOKEN', user: USERS.alice });
      assert.match(await ephemeralReply(h, gone.responseUrl), /no longer configured/);

      const alice = await h.click({ actionId: ACTION_IDS.rotationStart, value, user: USERS.alice });
      assert.match(await ephemeralReply(h, alice.responseUrl), /Rotation of `GHE_TOKEN` started/);
      await eventually(async () => Boolean((await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN'))?.messageTs), 'the rotation checklist');
      const again = await h.click({ actionId: ACTION_IDS.rotationStart, value, user: USERS.alice });
      assert.match(await ephemeralReply(h, again.responseUrl), /already in progress/, 'one rotation per secret');
    }));

  test('the reminder follows its secret: started (no button), cancelled (button back), rotated to the end (done); an old click is told and asked to confirm', () =>
    withHarness({ reminders: true, seed: ALIVE }, async (h) => {
      await eventually(() => reminders(h).length === 1, 'the overdue reminder at start-up');
      const posted = reminders(h)[0] as StoredMessage;
      const ts = posted.ts;
      const value = startValue(h);
      const stale = structuredClone(posted);

      // Start rotation, clicked on the reminder itself: the reminder no longer offers it.
      const start = await h.click({ actionId: ACTION_IDS.rotationStart, value, user: USERS.alice, on: posted });
      assert.match(await ephemeralReply(h, start.responseUrl), /Rotation of `GHE_TOKEN` started/);
      let text = await waitReminder(h, ts, /Rotation started by <@U0ALICE001>/);
      assert.doesNotMatch(text, new RegExp(ACTION_IDS.rotationStart), 'no Start rotation while one runs');
      assert.match(text, /Rotation under way/, 'the notification text says so too');

      // Cancelled: the reminder offers it again, and says what happened.
      const first = await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN');
      assert.ok(first);
      await h.click({ actionId: ACTION_IDS.rotationCancel, value: first.id, user: USERS.alice });
      text = await waitReminder(h, ts, /was cancelled by <@U0ALICE001>/);
      assert.match(text, new RegExp(ACTION_IDS.rotationStart), 'Start rotation is back');

      // /rotate, to the end: the reminder says "started" again, then "rotated", for good.
      const { rotation, ts: thread } = await startRotation(h);
      await waitReminder(h, ts, /Rotation started by <@U0ALICE001>/);
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
      const confirm = await h.click({ actionId: ACTION_IDS.rotationConfirmOld, value: rotation.id, user: USERS.alice, on: prompt });
      assert.equal((await h.responseTo(confirm.responseUrl)).args.replace_original, true, 'the prompt clicked is replaced');
      text = await waitReminder(h, ts, /Rotated by <@U0ALICE001>/);
      assert.doesNotMatch(text, new RegExp(ACTION_IDS.rotationStart));
      assert.match(text, /Done: GHE_TOKEN/);
      // The prompt clicked was replaced: its buttons are gone.
      const after = h.slack.messages(CHANNEL).find((m) => m.ts === prompt.ts);
      assert.match(after?.text ?? '', /Recorded: you revoked the old token by hand/);
      assert.doesNotMatch(JSON.stringify(after?.blocks ?? []), /rotation_confirm_old|rotation_revoke_old/);

      // A client that still shows the old reminder: its click is told what happened, and nothing starts.
      const late = await h.click({ actionId: ACTION_IDS.rotationStart, value, user: USERS.carol, on: stale });
      const warning = await h.responseTo(late.responseUrl);
      assert.match(textOf(warning), /GHE_TOKEN` was rotated (just now|\d+ minutes? ago) .*by <@U0ALICE001>, after this message was posted/);
      assert.match(textOf(warning), new RegExp(ACTION_IDS.rotationStartAgain), 'with an explicit "Start another rotation"');
      assert.equal(await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN'), null, 'nothing started');
      await eventually(
        async () => (await h.store.audit.list({ limit: 1000 })).some((e) => e.action === 'action:rotation_start' && e.outcome === 'asked:fresh_rotated'),
        'the question to be audited',
      );

      // alice confirms on that warning (an ephemeral message): a new rotation starts, the warning is replaced.
      const warned = h.slack
        .messages(CHANNEL)
        .filter((m) => m.ephemeralTo === USERS.carol)
        .at(-1);
      assert.ok(warned && new RegExp(ACTION_IDS.rotationStartAgain).test(JSON.stringify(warned.blocks)));
      const again = await h.click({ actionId: ACTION_IDS.rotationStartAgain, value, user: USERS.carol, on: warned });
      assert.match(
        await ephemeralReply(h, again.responseUrl),
        /not allowed to rotate secrets of `pywats`\. <@U0ALICE001> can/,
        'carol may not rotate: the people who can are named',
      );
      const confirmed = await h.click({ actionId: ACTION_IDS.rotationStartAgain, value, user: USERS.alice, on: { ...warned, ephemeralTo: USERS.alice } });
      const reply = await h.responseTo(confirmed.responseUrl);
      assert.equal(reply.args.replace_original, true, 'the warning is replaced by the answer');
      assert.match(textOf(reply), /Rotation of `GHE_TOKEN` started/);
      await eventually(async () => Boolean(await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN')), 'the second rotation');
      assert.match(shown(current(h, ts)), /Rotated by <@U0ALICE001>/, 'the done reminder stays done');
    }));

  test('/secret replace approved: the reminder says the secret was replaced, by whose approval, and offers nothing more', () =>
    withHarness({ reminders: true }, async (h) => {
      await eventually(() => reminders(h).length === 1, 'the overdue reminder at start-up');
      const ts = reminders(h)[0]?.ts ?? '';
      const id = await requestReplacement(h, newGheToken(h));
      assert.match(shown(current(h, ts)), new RegExp(ACTION_IDS.rotationStart), 'a request alone changes nothing');
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      const text = await waitReminder(h, ts, /`GHE_TOKEN` was replaced .*approved by <@U0BOB00002>/);
      assert.doesNotMatch(text, new RegExp(ACTION_IDS.rotationStart));
      // The edit is recorded just after Slack took it.
      const offer = async () =>
        String((await h.store.db.selectFrom('reminders_sent').select('offer').where('message_ts', '=', ts).executeTakeFirstOrThrow()).offer);
      await eventually(async () => /^replaced:replace:U0BOB00002:/.test(await offer()), 'the edit to be recorded');
      // The daily catch-up leaves a settled reminder alone.
      const edits = h.slack.callsTo('chat.update').filter((c) => c.args.ts === ts).length;
      await runDaily(h);
      await h.bot.chatops.worker.drain();
      assert.equal(h.slack.callsTo('chat.update').filter((c) => c.args.ts === ts).length, edits);
    }));

  test('reminders.enabled: false sends nothing and queues no daily check', () =>
    withHarness({ reminders: false }, async (h) => {
      await h.bot.chatops.worker.drain();
      assert.equal(reminders(h).length, 0, 'the overdue GHE_TOKEN is not announced');
      const jobs = await h.store.db.selectFrom('jobs').select('kind').where('kind', '=', 'reminders.daily').execute();
      assert.equal(jobs.length, 0);
    }));
});
