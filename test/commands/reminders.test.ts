import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { CHANNEL, eventually, startBot, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { ephemeralReply } from '../helpers/secrets.js';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const reminders = (h: Harness) => h.slack.messages(CHANNEL).filter((m) => !m.thread_ts && /Rotate soon|Overdue/.test(JSON.stringify(m.blocks ?? [])));
const startValue = (h: Harness): string => {
  const m = new RegExp(`"action_id":"${ACTION_IDS.rotationStart}","value":"([^"]+)"`).exec(JSON.stringify(reminders(h).at(-1)?.blocks ?? []));
  assert.ok(m?.[1], 'the reminder has a Start rotation button');
  return m[1];
};

/** Runs the daily job now (the bot's clock moved to its run time) and waits until it is queued again. */
async function runDaily(h: Harness): Promise<void> {
  // The run at start-up may still be finishing (it also brings earlier reminders' edits up to date).
  await eventually(async () => Boolean(await h.store.db.selectFrom('jobs').select('id').where('kind', '=', 'reminders.daily').where('status', '=', 'pending').executeTakeFirst()), 'the daily check to be queued');
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
      const replica = await startBot({ slackApiUrl: h.slack.apiUrl, githubUrl: h.github.url, gheUrl: h.ghe.url, seed: h.seed, dbFile: h.dbFile ?? '', reminders: true });
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
      await eventually(async () => (await h.store.db.selectFrom('jobs').select('status').where('kind', '=', 'reminders.daily').executeTakeFirst())?.status === 'pending', 'the first check');
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
      assert.match(await ephemeralReply(h, again.responseUrl), /already in progress/, "one rotation per secret");
    }));

  test('reminders.enabled: false sends nothing and queues no daily check', () =>
    withHarness({ reminders: false }, async (h) => {
      await h.bot.chatops.worker.drain();
      assert.equal(reminders(h).length, 0, 'the overdue GHE_TOKEN is not announced');
      const jobs = await h.store.db.selectFrom('jobs').select('kind').where('kind', '=', 'reminders.daily').execute();
      assert.equal(jobs.length, 0);
    }));
});
