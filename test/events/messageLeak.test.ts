import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendEvent, type RecordedCall } from '@chatops/fake-slack';
import { CHANNEL, eventually, SIGNING_SECRET, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { requestsTo } from '../helpers/rotation.js';
import { everythingTheBotKept } from '../helpers/canary.js';

let seq = 100;
const nextTs = () => `1795470000.${String((seq += 1)).padStart(6, '0')}`;
const json = (c: RecordedCall) => JSON.stringify(c.args);

async function say(h: Harness, text: string, o: { user?: string; botId?: string; edit?: boolean; threadTs?: string } = {}): Promise<string> {
  const ts = nextTs();
  const base = { type: 'message', channel: CHANNEL, channel_type: 'channel' };
  const event = o.edit
    ? {
        ...base,
        subtype: 'message_changed',
        ts: nextTs(),
        message: { type: 'message', user: o.user ?? USERS.alice, text, ts, edited: { user: o.user ?? USERS.alice, ts } },
        previous_message: { type: 'message', user: o.user ?? USERS.alice, text: 'before', ts },
      }
    : {
        ...base,
        ts,
        text,
        ...(o.botId ? { bot_id: o.botId, subtype: 'bot_message' } : { user: o.user ?? USERS.alice }),
        ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
      };
  const res = await sendEvent(h.appUrl, SIGNING_SECRET, event);
  assert.equal(res.status, 200);
  return ts;
}

const warningIn = (h: Harness, threadTs: string) =>
  h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.args.thread_ts === threadTs && /Treat it as leaked/.test(json(c)), 10_000);
/** The warning edited with the outcome (the fake gives each message its own ts; the warning is the one in that thread). */
const outcomeOf = (h: Harness, warning: RecordedCall) => {
  const posted = h.slack.messages(CHANNEL).find((m) => m.thread_ts === warning.args.thread_ts && /leaked|contained/.test(m.text ?? ''));
  return h.slack.waitFor((c) => c.method === 'chat.update' && c.args.ts === posted?.ts && /message contained/.test(json(c)), 15_000);
};

function liveGheToken(h: Harness, token: string): string {
  h.ghe.addToken(token, { login: h.seed.ghe.syncLogin, scopes: ['repo'], expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString() });
  return token;
}

describe('a GitHub token pasted in a channel', () => {
  test('a live GHE token: warned in its thread without quoting it, revoked on the host that accepts it, proven dead, rotation offered; found nowhere', () =>
    withHarness({}, async (h) => {
      const token = liveGheToken(h, 'ghp_LEAKEDleaked0123456789abcdefghijklmn');
      const ts = await say(h, `can someone check why the sync fails with \`${token}\`?`);
      const warning = await warningIn(h, ts);
      assert.match(json(warning), /<@U0ALICE001>, this message contains a GitHub classic personal access token \(`ghp_…`\)/);
      assert.match(json(warning), /Sending it to GitHub's credential revocation API/);
      const outcome = await outcomeOf(h, warning);
      assert.match(json(outcome), /revoked on wats\.ghe\.com \(it belonged to svc-pywats-sync\); GitHub now rejects it/);
      assert.match(json(outcome), /It no longer works/);
      assert.equal(h.ghe.hasToken(token), false, 'dead on GHE');
      const revokes = requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/);
      assert.equal(revokes.length, 1);
      assert.equal(revokes[0]?.status, 202);
      assert.equal(revokes[0]?.login, h.seed.ghe.login, 'GHES: sent with the bot’s credential for that host');
      // The repo of this channel: its token secrets can be rotated from here.
      for (const secret of ['GHE_TOKEN', 'PAT_TOKEN'])
        assert.ok(json(outcome).includes(`"action_id":"rotation_start","value":"olreppe/pyWATS:${secret}"`), secret);
      // The outcome is recorded after the warning is edited.
      const audit = async () => (await h.store.audit.list({ limit: 100 })).map((e) => `${e.action}:${e.outcome}`);
      await eventually(async () => (await audit()).includes('leak:revoke:dead'), 'the revocation in the audit log');
      assert.ok((await audit()).includes('leak:detected:warned'), (await audit()).join(' '));

      const kept = await everythingTheBotKept(h);
      assert.ok(kept.length > 5_000);
      assert.equal(kept.includes(token), false, 'the token is nowhere: logs, Slack calls, tables, files');
      assert.equal(kept.includes(token.slice(4, 20)), false, 'not even in part');
    }));

  test('a fine-grained token for github.com is revoked there without credentials; an unknown one is reported as not working', () =>
    withHarness({}, async (h) => {
      const fine = `github_pat_11AAAAAAA0${'LeakedFineGrained'.padEnd(72, 'q')}`;
      h.github.addToken(fine, { login: 'olreppe', fineGrained: { repos: [h.seed.github.repo], permissions: { actions: 'write' } } });
      const unknown = `ghp_${'Z'.repeat(36)}`;
      const ts = await say(h, `two here: ${fine} and ${unknown}`);
      const outcome = await outcomeOf(h, await warningIn(h, ts));
      assert.match(json(outcome), /2 GitHub tokens/);
      assert.match(json(outcome), /Token 1: revoked on github\.com \(it belonged to olreppe\)/);
      assert.match(json(outcome), /Token 2: no host the bot knows accepts it/);
      assert.equal(h.github.hasToken(fine), false);
      const revokes = requestsTo(h.github, 'POST', /\/credentials\/revoke$/);
      assert.equal(revokes.length, 1);
      assert.equal(revokes[0]?.login, undefined, 'github.com: sent unauthenticated');
      assert.equal(requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/).length, 0, 'nothing sent for the unknown one');
    }));

  test('a message stuffed with 950 token-shaped strings: the first 10 are checked, each host gets one batched revocation, the rest are named for revoking by hand', () =>
    withHarness({}, async (h) => {
      const gheLive = [1, 2, 3].map((n) => liveGheToken(h, `ghp_${`GHELIVE${n}`.padEnd(36, 'g')}`));
      const dotcomLive = [1, 2].map((n) => {
        const t = `ghp_${`COMLIVE${n}`.padEnd(36, 'c')}`;
        h.github.addToken(t, { login: 'olreppe', scopes: ['repo'] });
        return t;
      });
      const junk = Array.from({ length: 945 }, (_, i) => `ghp_${`JUNK${i}`.padEnd(36, 'j')}`);
      h.github.clearRequests();
      h.ghe.clearRequests();
      const ts = await say(h, [...gheLive, ...dotcomLive, ...junk].join(' '));
      const warning = await warningIn(h, ts);
      assert.match(json(warning), /950 GitHub tokens/);
      assert.match(json(warning), /Sending the first 10 to GitHub's credential revocation API/);
      const outcome = await outcomeOf(h, warning);
      assert.match(
        json(outcome),
        /940 more token-shaped strings were not checked \(the bot checks the first 10 of a message\): treat them as leaked and revoke them by hand/,
      );
      assert.match(json(outcome), /Some may still work/);
      for (const n of [1, 2, 3]) assert.match(json(outcome), new RegExp(`Token ${n}: revoked on wats\\.ghe\\.com`));
      for (const n of [4, 5]) assert.match(json(outcome), new RegExp(`Token ${n}: revoked on github\\.com`));
      for (const t of gheLive) assert.equal(h.ghe.hasToken(t), false);
      for (const t of dotcomLive) assert.equal(h.github.hasToken(t), false);
      // One revocation request per host, with all of that host's tokens.
      assert.equal(requestsTo(h.ghe, 'POST', /\/credentials\/revoke$/).length, 1);
      assert.equal(requestsTo(h.github, 'POST', /\/credentials\/revoke$/).length, 1);
      // Bounded: a probe per checked token and host, two revocations, a few proofs of the live ones (not 1,900 requests).
      const total = h.github.requests.length + h.ghe.requests.length;
      assert.ok(total <= 10 * 2 + 2 + 5 * 4, `${total} GitHub requests for the message`);
      const audit = async () => (await h.store.audit.list({ limit: 100 })).find((e) => e.action === 'leak:revoke');
      await eventually(async () => (await audit()) !== undefined, 'the revocation in the audit log');
      assert.equal((await audit())?.outcome, 'alive', 'unchecked tokens may still work');
    }));

  test('an edit that adds a token and a reply in a thread are caught; bots, the bot itself and messages without a token are ignored', () =>
    withHarness({}, async (h) => {
      const before = h.slack.calls.length;
      await say(h, 'no token here: ghp_ is the prefix of classic tokens');
      await say(h, `ghp_${'B'.repeat(36)}`, { botId: 'B0OTHERBOT' });
      await say(h, `ghp_${'C'.repeat(36)}`, { user: 'U0CHATOPS' });
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(h.slack.calls.length, before, 'no Slack call for any of them');

      const edited = liveGheToken(h, `ghp_${'E'.repeat(36)}`);
      await say(h, `oops ${edited}`, { edit: true });
      await eventually(() => h.slack.calls.some((c) => c.method === 'chat.postMessage' && /Treat it as leaked/.test(json(c))), 'the warning for the edit');
      const parent = nextTs();
      const reply = liveGheToken(h, `ghp_${'R'.repeat(36)}`);
      await say(h, `in a thread ${reply}`, { threadTs: parent });
      await warningIn(h, parent);
      await eventually(() => !h.ghe.hasToken(edited) && !h.ghe.hasToken(reply), 'both revoked');
      // Both warnings are edited with their outcome, which is recorded last.
      await eventually(
        async () => (await h.store.audit.list({ limit: 100 })).filter((e) => e.action === 'leak:revoke' && e.outcome === 'dead').length === 2,
        'both outcomes recorded',
        10_000,
      );
    }));
});
