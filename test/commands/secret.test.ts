import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import {
  approvalRequest,
  ephemeralReply,
  newGheToken,
  openReplaceModal,
  putAttempts,
  puts,
  requestReplacement,
  submitValue,
  textOf,
} from '../helpers/secrets.js';

const status = async (h: Harness, id: string) => (await h.store.secretChanges.get(id))?.status;
const done = (h: Harness, id: string) => eventually(async () => ['done', 'failed'].includes((await status(h, id)) ?? ''), 'the change to finish', 10_000);

/** Everything the bot could have kept or said: the database file(s), every table, every log line, every Slack call. */
async function everywhere(h: Harness): Promise<string> {
  const parts: string[] = [h.logs.join('\n'), JSON.stringify(h.slack.calls)];
  for (const table of ['audit_log', 'reports', 'jobs', 'releases', 'secret_changes']) {
    const rows = await sql`select * from ${sql.table(table)}`.execute(h.store.db);
    parts.push(JSON.stringify(rows.rows));
  }
  for (const f of [h.dbFile, `${h.dbFile}-wal`]) if (f && existsSync(f)) parts.push((await readFile(f)).toString('latin1'));
  return parts.join('\n');
}

describe('/secret replace', () => {
  test('modal -> checks -> sealed request -> approval by another person -> one PUT GitHub can decrypt; the value is found nowhere', () =>
    withHarness({}, async (h) => {
      const canary = newGheToken(h, { token: 'ghp_CANARYcanary0123456789abcdefghijklmn' });
      const view = await openReplaceModal(h);
      assert.match(JSON.stringify(view), /never shown again/);
      const res = await submitValue(h, view, canary);
      assert.equal((res.json as { response_action?: string }).response_action, 'update');
      const { message, id } = await approvalRequest(h);
      const posted = textOf(message);
      assert.match(posted, /<@U0ALICE001> asks to \*replace\*/);
      assert.match(posted, /<@U0BOB00002>/, 'mentions the approvers');
      assert.match(posted, /belongs to svc-pywats-sync/);
      assert.match(posted, /can push to WATS\/pyWATS/);
      assert.match(posted, /ends with `klmn`/);
      assert.equal(puts(h), 0, 'nothing written before approval');
      const row = await h.store.secretChanges.get(id);
      assert.ok(row?.ciphertext && row.keyId, 'only the sealed box is kept');

      const click = await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      assert.match(await ephemeralReply(h, click.responseUrl), /Approved\. I am writing `GHE_TOKEN` to GitHub now/);
      await done(h, id);
      // That answer cannot be edited (an ephemeral message): the outcome follows it, to bob alone, where he clicked.
      const told = await h.slack.waitFor(
        (c) => c.method === 'chat.postEphemeral' && c.args.user === USERS.bob && /Done: `GHE_TOKEN` was replaced as you approved/.test(textOf(c)),
        10_000,
      );
      assert.equal(told.args.channel, CHANNEL);
      assert.equal(told.args.thread_ts, undefined, 'the request is a channel message, so is the answer');
      assert.equal(await status(h, id), 'done');
      assert.equal(puts(h), 1);
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), canary, 'GitHub opens the sealed value: it is the typed one');
      const after = await h.store.secretChanges.get(id);
      assert.equal(after?.ciphertext, null, 'the ciphertext is dropped once applied');
      assert.ok(after?.outcome?.updatedAt, 'updated_at read back');
      const update = await h.slack.waitFor((c) => c.method === 'chat.update' && /was replaced/.test(textOf(c)), 10_000);
      assert.match(textOf(update), /Approved by <@U0BOB00002>/);
      assert.doesNotMatch(textOf(update), /secret_change_approve/, 'no buttons once decided');

      const audit = await h.store.audit.list({ limit: 1000 });
      const actions = audit.map((e) => `${e.action}:${e.outcome}`);
      for (const a of ['secret:request:pending', 'secret:approve:approved', 'secret:apply:done']) assert.ok(actions.includes(a), `audit has ${a}`);

      const all = await everywhere(h);
      assert.ok(all.length > 10_000, 'the search covered real content');
      assert.equal(all.includes(canary), false, 'the canary is nowhere');
      assert.equal(all.includes(canary.slice(4, 30)), false, 'not even in part');
    }));

  test('problems keep the modal open with clear errors, and nothing is stored', () =>
    withHarness({}, async (h) => {
      const cases: Array<[string, RegExp]> = [
        [newGheToken(h, { scopes: ['read:org'], login: 'u1' }), /lacks the scope repo/],
        [newGheToken(h, { expiresInDays: 3, login: 'u2' }), /less than 7 days/],
        [newGheToken(h, { expiresInDays: 800, login: 'u3' }), /later than the 365 days/],
        [newGheToken(h, { push: false, login: 'u4' }), /cannot (push to|see) WATS\/pyWATS/],
        ['ghp_notARealTokenAtAll0123456789abcdefgh', /does not accept this token/],
        ['two words', /spaces or line breaks/],
      ];
      for (const [value, expected] of cases) {
        const view = await openReplaceModal(h);
        const res = await submitValue(h, view, value);
        const body = res.json as { response_action?: string; errors?: Record<string, string> };
        assert.equal(body.response_action, 'errors', `refused: ${value.slice(0, 8)}`);
        const message = Object.values(body.errors ?? {}).join(' ');
        assert.match(message, expected);
        assert.equal(message.includes(value), false, 'the error never repeats the value');
      }
      const rows = await sql<{ n: number }>`select count(*) as n from secret_changes`.execute(h.store.db);
      assert.equal(Number(rows.rows[0]?.n), 0);
      assert.equal(puts(h), 0);
    }));

  test('no expiry is allowed but shown to the approvers as a warning', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h, { expiresInDays: null }));
      const row = await h.store.secretChanges.get(id);
      assert.ok(row?.facts.checks.some((c) => c.id === 'expiry' && c.level === 'warn'));
    }));

  test('refusals change nothing: self-approval, a non-approver, after cancel, after expiry, an unknown id', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      const self = await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.alice });
      assert.match(await ephemeralReply(h, self.responseUrl), /someone else must approve/);
      const stranger = await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.carol });
      assert.match(await ephemeralReply(h, stranger.responseUrl), /You are not an approver .* <@U0BOB00002> can approve or deny it\./);
      const strangerCancel = await h.click({ actionId: ACTION_IDS.secretCancel, value: id, user: USERS.bob });
      assert.match(await ephemeralReply(h, strangerCancel.responseUrl), /Only <@U0ALICE001>, who asked for this change, can cancel it/);
      const unknown = await h.click({ actionId: ACTION_IDS.secretApprove, value: 'x'.repeat(24), user: USERS.bob });
      assert.match(await ephemeralReply(h, unknown.responseUrl), /no longer know this request/);
      assert.equal(await status(h, id), 'pending');

      const cancel = await h.click({ actionId: ACTION_IDS.secretCancel, value: id, user: USERS.alice });
      assert.match(await ephemeralReply(h, cancel.responseUrl), /Cancelled/);
      const late = await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      assert.match(await ephemeralReply(h, late.responseUrl), /already cancelled\. Cancelled by <@U0ALICE001>/);
      assert.equal((await h.store.secretChanges.get(id))?.ciphertext, null);

      // A new request after the cancelled one, left to expire.
      const id2 = await requestReplacement(h, newGheToken(h, { login: 'svc2' }));
      h.bot.advance(61 * 60_000);
      const expired = await h.click({ actionId: ACTION_IDS.secretApprove, value: id2, user: USERS.bob });
      assert.match(await ephemeralReply(h, expired.responseUrl), /expired/);
      await eventually(async () => (await status(h, id2)) === 'expired', 'the expiry job voids it', 10_000);
      assert.equal((await h.store.secretChanges.get(id2))?.ciphertext, null);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /Expired/.test(textOf(c)), 10_000);
      assert.equal(putAttempts(h), 0);
      const refusals = (await h.store.audit.list({ limit: 1000 })).filter((e) => e.outcome.startsWith('refused')).length;
      assert.ok(refusals >= 5, `refusals are audited (${refusals})`);
    }));

  test('one open request per secret', () =>
    withHarness({}, async (h) => {
      await requestReplacement(h, newGheToken(h));
      const { responseUrl } = await h.command('/secret', 'replace GHE_TOKEN');
      assert.match(await ephemeralReply(h, responseUrl), /already an open request/);
    }));

  test('deny: nothing written, ciphertext gone, requester told in the thread', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      const deny = await h.click({ actionId: ACTION_IDS.secretDeny, value: id, user: USERS.bob });
      assert.match(await ephemeralReply(h, deny.responseUrl), /Denied/);
      assert.equal(await status(h, id), 'denied');
      assert.equal((await h.store.secretChanges.get(id))?.ciphertext, null);
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && typeof c.args.thread_ts === 'string' && /was denied/.test(textOf(c)), 10_000);
      assert.equal(putAttempts(h), 0);
    }));

  test("GitHub's key rotated after sealing: reported, nothing written", () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      h.github.rotateSecretsKey(h.seed.github.repo);
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await done(h, id);
      const row = await h.store.secretChanges.get(id);
      assert.equal(row?.status, 'failed');
      assert.match(row?.error ?? '', /key .* changed/);
      assert.equal(putAttempts(h), 0);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /failed/.test(textOf(c)), 10_000);
      await h.slack.waitFor(
        (c) =>
          c.method === 'chat.postEphemeral' &&
          c.args.user === USERS.bob &&
          /The change to `GHE_TOKEN` you approved failed: GitHub's encryption key/.test(textOf(c)),
        10_000,
      );
    }));

  for (const [label, failure] of [['503', { status: 503, times: 10 }]] as const) {
    test(`GitHub answering ${label} on the PUT: retried within limits, reported, still decidable, then applied`, () =>
      withHarness({}, async (h) => {
        const id = await requestReplacement(h, newGheToken(h));
        h.github.failNext({ method: 'PUT', path: /\/actions\/secrets\/GHE_TOKEN$/ }, failure);
        await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
        await eventually(async () => (await h.store.secretChanges.get(id))?.error !== null && (await status(h, id)) === 'pending', 'reopened', 15_000);
        const attempts = putAttempts(h);
        assert.ok(attempts >= 2 && attempts <= 4, `retried within limits (${attempts} attempts)`);
        await h.slack.waitFor(
          (c) => c.method === 'chat.update' && /last attempt failed/.test(textOf(c)) && textOf(c).includes(ACTION_IDS.secretApprove),
          10_000,
        );
        // bob's "writing it now" is not left standing: he is told it did not go through and may approve again.
        await h.slack.waitFor(
          (c) => c.method === 'chat.postEphemeral' && c.args.user === USERS.bob && /could not be written yet: .*approve it again to retry/.test(textOf(c)),
          10_000,
        );
        // GitHub is back: the same request is approved again and applied once.
        h.github.clearFailures();
        h.github.clearRequests();
        await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
        await done(h, id);
        assert.equal(await status(h, id), 'done');
        assert.equal(puts(h), 1);
      }));
  }
  test('GitHub answering 429 with Retry-After on the PUT: waited out as long as asked, shown on the request, then written once', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      h.github.failNext({ method: 'PUT', path: /\/actions\/secrets\/GHE_TOKEN$/ }, { status: 429, times: 3, headers: { 'retry-after': '1' } });
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await done(h, id);
      assert.equal(await status(h, id), 'done', 'a rate limit is waited out, not turned into a failure');
      assert.equal(puts(h), 1, 'written once');
      assert.equal(putAttempts(h), 4, 'three limited attempts, then the one that went through');
      await h.slack.waitFor((c) => c.method === 'chat.update' && /rate-limiting the bot/.test(textOf(c)) && /Trying again/.test(textOf(c)), 10_000);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /was replaced/.test(textOf(c)), 10_000);
    }));

  test('GitHub rate-limiting the PUT for ever: after the waits it goes back to pending, saying nothing was written', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      // A limit that resets only in an hour is not waited for inside the job.
      h.github.failNext({ method: 'PUT', path: /\/actions\/secrets\/GHE_TOKEN$/ }, { status: 403, times: 50, headers: { 'retry-after': '3600' } });
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await eventually(async () => (await status(h, id)) === 'pending' && (await h.store.secretChanges.get(id))?.error !== null, 'reopened', 15_000);
      assert.equal(puts(h), 0);
      await h.slack.waitFor((c) => c.method === 'chat.update' && /last attempt failed/.test(textOf(c)) && /nothing changed/.test(textOf(c)), 10_000);
    }));
});

describe('/secret revoke', () => {
  test('says what stops working, deletes the secret after approval, reads it back', () =>
    withHarness({}, async (h) => {
      const { responseUrl } = await h.command('/secret', 'revoke GHE_TOKEN');
      assert.match(await ephemeralReply(h, responseUrl), /waiting for approval in <#C0RELEASES1>/);
      const { message, id } = await approvalRequest(h);
      assert.match(textOf(message), /Sync to GitHub Enterprise \(publish\.yml\) will fail/);
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await done(h, id);
      assert.equal(await status(h, id), 'done');
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), undefined, 'gone on GitHub');
      await h.slack.waitFor((c) => c.method === 'chat.update' && /was deleted/.test(textOf(c)), 10_000);
      assert.equal(CHANNEL, message.args.channel);
    }));

  test('a secret that does not exist: nothing to revoke', () =>
    withHarness({ seed: { patTokenUpdatedAt: null } }, async (h) => {
      const { responseUrl } = await h.command('/secret', 'revoke PAT_TOKEN');
      assert.match(await ephemeralReply(h, responseUrl), /does not exist/);
    }));
});

describe('/secret input', () => {
  test('a token typed into the command is never echoed', () =>
    withHarness({}, async (h) => {
      const token = 'ghp_TYPEDintoTHEcommand0123456789abcdef';
      const { http } = await h.command('/secret', `replace ${token}`);
      assert.match(http.body, /looks like a credential/);
      assert.equal(http.body.includes(token), false);
      assert.equal((await everywhere(h)).includes(token), false);
    }));

  test('help, unknown secret, unknown verb', () =>
    withHarness({}, async (h) => {
      assert.match((await h.command('/secret', 'help')).http.body, /Usage: `\/secret replace\|revoke/);
      assert.match((await h.command('/secret', 'replace NOPE')).http.body, /not a configured secret/);
      assert.match((await h.command('/secret', 'rotate GHE_TOKEN')).http.body, /`replace` or `revoke`/);
      const carol = await h.command('/secret', 'replace GHE_TOKEN', { user: USERS.carol });
      assert.match(await ephemeralReply(h, carol.responseUrl), /not allowed to request secret changes/);
      assert.equal(h.slack.callsTo('views.open').length, 0, 'no modal for someone not allowed');
    }));
});
