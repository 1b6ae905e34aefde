import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { ENTRY_LINK_MAX_ATTEMPTS } from '../../src/store/index.js';
import { USERS, withHarness, type Harness } from '../helpers/harness.js';
import { ephemeralReply, newGheToken, textOf } from '../helpers/secrets.js';
import { everythingTheBotKept } from '../helpers/canary.js';
import { rotationOf, startRotation, threadApproval, waitChecklist, waitEphemeral } from '../helpers/rotation.js';

const R = ACTION_IDS;
/** What people's browsers would use; the tests reach the same paths on the bot's loopback port. */
const PUBLIC_URL = 'https://chatops.example.test';

/** Clicks "Use a masked page" and returns the link from the private answer. */
async function askForLink(h: Harness, rotationId: string, user: string = USERS.alice): Promise<{ url: string; path: string; reply: string }> {
  const { responseUrl } = await h.click({ actionId: R.rotationMaskedPage, value: rotationId, user });
  const reply = JSON.stringify((await h.responseTo(responseUrl)).args);
  const m = /"url":"(https:\/\/chatops\.example\.test(\/enter\/[A-Za-z0-9_-]+))"/.exec(reply);
  return { url: m?.[1] ?? '', path: m?.[2] ?? '', reply };
}

const page = (h: Harness, path: string) => fetch(`${h.appUrl}${path}`, { redirect: 'manual' });
const post = (h: Harness, path: string, value: string) =>
  fetch(`${h.appUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ value }).toString(),
    redirect: 'manual',
  });

const auditOf = async (h: Harness) => (await h.store.audit.list({ limit: 1000 })).map((e) => `${e.action}:${e.outcome}`);

describe('/rotate: the one-time masked entry page', () => {
  test('without PUBLIC_URL there is no masked page: no button, a click refused privately, no route', () =>
    withHarness({}, async (h) => {
      const { rotation, ts } = await startRotation(h);
      const prompt = textOf(await waitEphemeral(h, USERS.alice, ts, /create a classic token/));
      assert.ok(prompt.includes(R.rotationEnter));
      assert.equal(prompt.includes(R.rotationMaskedPage), false, 'no masked-page button');
      const { responseUrl } = await h.click({ actionId: R.rotationMaskedPage, value: rotation.id });
      assert.match(await ephemeralReply(h, responseUrl), /not available on this bot \(it needs HTTP mode and PUBLIC_URL\)/);
      const res = await page(h, `/enter/${'A'.repeat(43)}`);
      assert.equal(res.status, 404, 'the page is not served at all');
      await res.body?.cancel();
    }));

  test('link for the requester alone -> form (masked, not cached, not spent by viewing) -> refused value -> good value -> approval by bob -> link spent', () =>
    withHarness({ env: { PUBLIC_URL: `${PUBLIC_URL}/` } }, async (h) => {
      const { rotation, ts } = await startRotation(h);
      const prompt = textOf(await waitEphemeral(h, USERS.alice, ts, /create a classic token/));
      assert.ok(prompt.includes(R.rotationMaskedPage), 'the prompt offers the masked page');
      assert.match(prompt, /valid 10 minutes/);

      const carol = await h.click({ actionId: R.rotationMaskedPage, value: rotation.id, user: USERS.carol });
      assert.match(await ephemeralReply(h, carol.responseUrl), /Only <@U0ALICE001>, who started this rotation, can do this step/);

      const link = await askForLink(h, rotation.id);
      assert.ok(link.path, `a link in the answer: ${link.reply}`);
      assert.match(link.reply, /"response_type":"ephemeral"/);
      assert.ok(link.url.startsWith(`${PUBLIC_URL}/enter/`), 'PUBLIC_URL without its trailing slash');

      for (let i = 0; i < 2; i++) {
        const res = await page(h, link.path);
        assert.equal(res.status, 200, 'viewing does not spend the link');
        assert.equal(res.headers.get('cache-control'), 'no-store');
        assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
        assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
        assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'.*form-action 'self'; frame-ancestors 'none'/);
        const html = await res.text();
        assert.match(html, /<input id="value" name="value" type="password" autocomplete="new-password"/);
        assert.match(html, /New value of <code>GHE_TOKEN<\/code> for <code>pywats<\/code>/);
        assert.match(html, /with scope <code>repo<\/code>/);
      }

      const junk = await post(h, link.path, 'hunter2-not-a-token');
      assert.equal(junk.status, 422);
      const junkHtml = await junk.text();
      assert.match(junkHtml, /Not accepted; nothing was stored/);
      assert.match(junkHtml, new RegExp(`${ENTRY_LINK_MAX_ATTEMPTS - 1} tries left`));
      assert.equal(junkHtml.includes('hunter2'), false, 'the value is never sent back');

      const expired = newGheToken(h, { token: 'ghp_MASKEDexpired0123456789abcdefghijxy01', expiresInDays: -1 });
      const refused = await post(h, link.path, expired);
      assert.equal(refused.status, 422);
      const refusedHtml = await refused.text();
      assert.match(refusedHtml, /expired/i);
      assert.equal(refusedHtml.includes(expired), false);

      const token = newGheToken(h, { token: 'ghp_MASKEDgood0123456789abcdefghijklmn01' });
      const ok = await post(h, link.path, token);
      const okHtml = await ok.text();
      assert.equal(ok.status, 200, okHtml);
      assert.match(okHtml, /Checked and encrypted/);
      assert.match(okHtml, /waiting for approval in the rotation’s channel/);
      const changeId = await threadApproval(h, ts);
      assert.equal((await rotationOf(h, rotation.id)).state.changeId, changeId, 'the request belongs to the rotation');

      for (const again of [await page(h, link.path), await post(h, link.path, token)]) {
        assert.equal(again.status, 410, 'a spent link is gone for viewing and for submitting');
        assert.match(await again.text(), /This link no longer works/);
      }

      const approve = await h.click({ actionId: R.secretApprove, value: changeId, user: USERS.bob });
      assert.match(await ephemeralReply(h, approve.responseUrl), /Approved/);
      await waitChecklist(h, ts, /GHE_TOKEN` replaced; GitHub shows it updated/);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token, 'what was typed on the page is what GitHub holds');

      const audit = await auditOf(h);
      for (const a of [
        'rotation:masked-page:refused:not_requester',
        'rotation:masked-page:link',
        'page:secret-value:refused:checks',
        'page:secret-value:requested',
        'page:secret-value:refused:gone',
      ]) {
        assert.ok(audit.includes(a), `audit has ${a}: ${audit.join(' ')}`);
      }
      const kept = await everythingTheBotKept(h);
      assert.equal(kept.includes(token), false, 'the token is nowhere');
      assert.equal(kept.includes(expired), false, 'the refused token is nowhere');
      const linkSecret = link.path.split('/').at(-1) ?? '';
      assert.equal(h.logs.join('\n').includes(linkSecret), false, 'the link is not logged');
      // Read apart from the Slack calls (which carry the link): a call posted meanwhile cannot hide the link in them.
      const stored = await everythingTheBotKept(h, { slackCalls: false });
      assert.equal(stored.includes(linkSecret), false, 'the store keeps only a hash of the link');
    }));

  test('a link dies after 10 minutes, when a newer one is asked for, after too many refused values, and when the rotation is cancelled', () =>
    withHarness({ env: { PUBLIC_URL } }, async (h) => {
      const { rotation, ts } = await startRotation(h);
      await waitEphemeral(h, USERS.alice, ts, /create a classic token/);

      const first = await askForLink(h, rotation.id);
      h.bot.advance(10 * 60_000 + 1000);
      const late = await page(h, first.path);
      assert.equal(late.status, 410, 'expired after 10 minutes');
      await late.body?.cancel();

      const second = await askForLink(h, rotation.id);
      const third = await askForLink(h, rotation.id);
      const voided = await page(h, second.path);
      assert.equal(voided.status, 410, 'a newer link voids the unused one');
      await voided.body?.cancel();
      for (let i = 0; i < ENTRY_LINK_MAX_ATTEMPTS; i++) {
        const r = await post(h, third.path, `junk-${i}`);
        assert.equal(r.status, 422);
        await r.body?.cancel();
      }
      const spent = await post(h, third.path, 'junk-again');
      assert.equal(spent.status, 410, `void after ${ENTRY_LINK_MAX_ATTEMPTS} refused values`);
      await spent.body?.cancel();
      assert.equal(await h.store.secretChanges.open(h.seed.github.repo, 'GHE_TOKEN', h.deps.now()), null, 'nothing was requested');

      const fourth = await askForLink(h, rotation.id);
      await h.click({ actionId: R.rotationCancel, value: rotation.id });
      await waitChecklist(h, ts, /Cancelled by/);
      const token = newGheToken(h, { token: 'ghp_MASKEDafterCancel0123456789abcdefg01' });
      const res = await post(h, fourth.path, token);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /no longer in progress|finished or cancelled/i);
      const after = await page(h, fourth.path);
      assert.equal(after.status, 410, 'a link of a cancelled rotation is spent');
      await after.body?.cancel();
      assert.equal(await h.store.secretChanges.open(h.seed.github.repo, 'GHE_TOKEN', h.deps.now()), null);

      const gone = await h.click({ actionId: R.rotationMaskedPage, value: rotation.id });
      assert.match(await ephemeralReply(h, gone.responseUrl), /rotation of `\w+` (is finished|was cancelled)/);
    }));

  test('the Open button (a link) is only acknowledged, not answered as an old button', () =>
    withHarness({ env: { PUBLIC_URL } }, async (h) => {
      const { rotation } = await startRotation(h);
      const before = h.slack.callsTo('response_url').length;
      const res = await h.click({ actionId: R.rotationMaskedOpen, value: rotation.id });
      assert.equal(res.http.status, 200);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(h.slack.callsTo('response_url').length, before, 'no "old button" answer');
      assert.equal((await auditOf(h)).includes('action:stale:ignored'), false);
    }));
});
