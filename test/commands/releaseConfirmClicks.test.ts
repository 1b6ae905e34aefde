import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import type { RecordedCall, StoredMessage } from '@chatops/fake-slack';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';

/**
 * Clicks on a /release confirmation (an ephemeral with Release / Cancel): a decided or
 * void one is replaced through the click's response_url by what happened since, with no
 * buttons left; and a click whose listener fails is answered where it was clicked.
 */

const TAG = 'v0.1.0b39';
const textOf = (c: RecordedCall): string => JSON.stringify(c.args);
const bothMayRelease = { config: (cfg: { access: Record<string, string[]> }) => void (cfg.access.release = [USERS.alice, USERS.bob]) };

/** `/release` by `user`; returns the release id and the confirmation as the fake stores it (the ephemeral the buttons are on). */
async function confirmation(h: Harness, user: string = USERS.alice): Promise<{ id: string; message: StoredMessage }> {
  const { responseUrl } = await h.command('/release', TAG, { user });
  const reply = await h.responseTo(responseUrl, 20_000);
  const id = /"action_id":"release_confirm","value":"([^"]+)"/.exec(textOf(reply))?.[1];
  assert.ok(id, textOf(reply));
  const message = h.slack.messages(CHANNEL).find((m) => m.ephemeralTo === user && JSON.stringify(m.blocks ?? []).includes(id));
  assert.ok(message, 'the confirmation is stored as an ephemeral to the requester');
  return { id, message: structuredClone(message) };
}

/** The confirmation as it stands now in the fake (after any replacement). */
const nowShown = (h: Harness, m: StoredMessage) => h.slack.messages(CHANNEL).find((x) => x.ts === m.ts);

/** Clicks `actionId` on the confirmation and returns what its response_url got. */
async function clickOn(h: Harness, c: { id: string; message: StoredMessage }, actionId: string, user: string = USERS.alice): Promise<RecordedCall> {
  const click = await h.click({ actionId, value: c.id, user, on: c.message });
  assert.equal(click.http.status, 200);
  return h.responseTo(click.responseUrl);
}

function assertReplacedWithoutButtons(h: Harness, answer: RecordedCall, c: { message: StoredMessage }, re: RegExp): void {
  assert.equal(answer.args.replace_original, true, textOf(answer));
  assert.match(textOf(answer), re);
  const shown = nowShown(h, c.message);
  assert.ok(shown);
  assert.equal(shown.blocks, undefined, 'no buttons left');
  assert.match(shown.text ?? '', re);
}

describe('/release confirmation clicks', () => {
  test('confirmed: the confirmation is replaced; a later click on the old one says who released it and where to follow it', () =>
    withHarness({}, async (h) => {
      const c = await confirmation(h);
      assertReplacedWithoutButtons(h, await clickOn(h, c, ACTION_IDS.releaseConfirm), c, /Release of `v0\.1\.0b39` confirmed/);
      await h.slack.waitFor((x) => x.method === 'chat.postMessage' && x.args.channel === CHANNEL, 10_000);
      for (const again of [ACTION_IDS.releaseConfirm, ACTION_IDS.releaseCancel]) {
        const answer = await clickOn(h, c, again);
        assertReplacedWithoutButtons(h, answer, c, new RegExp(`already confirmed by <@${USERS.alice}> <!date\\^\\d+\\^.*Follow it in <#${CHANNEL}>`));
      }
      assert.equal((await h.store.releases.get(c.id))?.status === 'cancelled', false, 'a cancel after the confirmation changed nothing');
    }));

  test('cancelled: replaced; a later click says who cancelled it and when; nothing dispatched', () =>
    withHarness({}, async (h) => {
      const c = await confirmation(h);
      assertReplacedWithoutButtons(h, await clickOn(h, c, ACTION_IDS.releaseCancel), c, /Release of `v0\.1\.0b39` cancelled\. Nothing was dispatched/);
      const late = await clickOn(h, c, ACTION_IDS.releaseConfirm);
      assertReplacedWithoutButtons(h, late, c, new RegExp(`was cancelled by <@${USERS.alice}> <!date\\^\\d+\\^.*Nothing was dispatched from it`));
      assert.equal((await h.store.releases.get(c.id))?.status, 'cancelled');
      assert.equal(h.github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).length, 0);
    }));

  test('expired: replaced with when it expired; once another person holds the tag, it names them', () =>
    withHarness(bothMayRelease, async (h) => {
      const mine = await confirmation(h, USERS.alice);
      h.bot.advance(11 * 60_000);
      const expiresAt = (await h.store.releases.get(mine.id))?.expiresAt;
      assert.ok(expiresAt);
      const first = await clickOn(h, mine, ACTION_IDS.releaseConfirm);
      assertReplacedWithoutButtons(
        h,
        first,
        mine,
        new RegExp(`confirmation of \`v0\\.1\\.0b39\` expired <!date\\^${Math.floor(expiresAt.getTime() / 1000)}\\^.*Run \`/release v0\\.1\\.0b39\` again`),
      );

      await confirmation(h, USERS.bob);
      const second = await clickOn(h, mine, ACTION_IDS.releaseCancel);
      assertReplacedWithoutButtons(h, second, mine, new RegExp(`expired [\\s\\S]*Another confirmation of \`v0\\.1\\.0b39\` is active, by <@${USERS.bob}>`));
      assert.equal((await h.store.releases.get(mine.id))?.status, 'expired', 'the click decided nothing');
    }));

  test('someone else clicking is told privately and the confirmation stays as it is', () =>
    withHarness({}, async (h) => {
      const c = await confirmation(h);
      const answer = await clickOn(h, c, ACTION_IDS.releaseConfirm, USERS.carol);
      assert.equal(answer.args.replace_original, false);
      assert.match(textOf(answer), /Only the person who asked/);
      assert.match(JSON.stringify(nowShown(h, c.message)?.blocks), /release_confirm/);
      assert.equal((await h.store.releases.get(c.id))?.status, 'pending');
    }));
});

describe('error handler: a failing click is answered where it was', () => {
  test('a click in a thread gets its typed error in the thread; one in the channel through the response_url', () =>
    withHarness({}, async (h) => {
      // The database fails under the click's listener (a StoreError, typed): its safe message is the answer.
      await h.store.db.schema.dropTable('releases').execute();
      const parent = { ts: '1700000000.000100', user: 'U0BOT00001' };
      const inThread: StoredMessage = { ts: '1700000000.000200', thread_ts: parent.ts, user: 'U0BOT00001', text: 'a button in a thread' };
      const value = 'A'.repeat(24);
      const threaded = await h.click({ actionId: ACTION_IDS.releaseConfirm, value, on: inThread });
      assert.equal(threaded.http.status, 200);
      const told = await h.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.args.user === USERS.alice && c.args.thread_ts === parent.ts, 10_000);
      assert.match(textOf(told), /The bot's database failed/);
      assert.equal(told.args.channel, CHANNEL);
      const id = new URL(threaded.responseUrl).pathname.replace(/^\/response\//, '');
      assert.equal(
        h.slack.callsTo('response_url').filter((c) => c.responseUrlId === id).length,
        0,
        'not through the response_url (Slack would show it in the channel)',
      );

      const inChannel: StoredMessage = { ts: '1700000000.000300', user: 'U0BOT00001', text: 'a button in the channel' };
      const plain = await h.click({ actionId: ACTION_IDS.releaseConfirm, value, on: inChannel });
      const answer = await h.responseTo(plain.responseUrl);
      assert.equal(answer.args.replace_original, false);
      assert.equal(answer.args.response_type, 'ephemeral');
      assert.match(textOf(answer), /The bot's database failed/);
      await eventually(
        async () => (await h.store.audit.list({ limit: 100 })).filter((e) => e.outcome === 'error:store_error').length === 2,
        'both errors audited',
      );
    }));
});
