import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTION_IDS } from '../../src/actions/ids.js';
import type { FaultKind } from '@chatops/fake-github';
import { eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { newGheToken, requestReplacement, textOf } from '../helpers/secrets.js';

/**
 * The approved write under GitHub's bad days: writes that land but are never answered,
 * and a storm of 5xx / 429 / secondary rate limits on a fifth of the requests. Each
 * time: the value is written exactly once, what GitHub holds is what the person is
 * told, and rate limits are waited out as long as GitHub asks.
 */

const SECRET_PUT = /\/actions\/secrets\/GHE_TOKEN$/;
const status = async (h: Harness, id: string) => (await h.store.secretChanges.get(id))?.status;
/** PUTs GitHub carried out and answered 2xx (those handled and then cut are in the fault log as drop-after). */
const writesLanded = (h: Harness) => h.github.requests.filter((r) => r.method === 'PUT' && SECRET_PUT.test(r.path) && r.status > 0 && r.status < 300).length;
const updates = (h: Harness) => h.slack.callsTo('chat.update').map(textOf);

describe('approved secret write: answers lost', () => {
  test('every write attempt times out but GitHub applied it: read back, reported as written, not sent again', () =>
    withHarness({ tuning: { timeoutMs: 1000 } }, async (h) => {
      const token = newGheToken(h);
      const id = await requestReplacement(h, token);
      // GitHub carries the PUT out and answers only after the bot stopped waiting.
      h.github.setFaults({ seed: 1, rules: [{ method: 'PUT', path: SECRET_PUT, rate: 1, kinds: [{ kind: 'delay-after', ms: 3000 }] }] });
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await eventually(async () => (await status(h, id)) === 'done', 'the change to be concluded', 15_000);
      const row = await h.store.secretChanges.get(id);
      assert.equal(row?.outcome?.unanswered, true, 'concluded from the read-back');
      assert.ok(row?.outcome?.updatedAt, "GitHub's new date is shown");
      assert.equal(h.github.faultLog.filter((r) => r.method === 'PUT').length, 1, 'the write went out once');
      assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token);
      const final = await h.slack.waitFor((c) => c.method === 'chat.update' && /was replaced/.test(textOf(c)), 10_000);
      assert.match(textOf(final), /did not answer the write, but reading the secret back showed it had landed/);
      assert.ok(!updates(h).some((t) => /[Nn]othing changed/.test(t)), 'never said nothing changed');
      await h.slack.waitFor((c) => c.method === 'chat.postMessage' && /was changed as approved/.test(textOf(c)), 10_000);
    }));

  test('a write that lands after the bot gave up: the expiry job reads GitHub and says it was written, not "nothing changed"', () =>
    withHarness({ tuning: { timeoutMs: 1000 } }, async (h) => {
      const token = newGheToken(h);
      const id = await requestReplacement(h, token);
      // The first PUT is held past the bot's timeout (GitHub's queue), the next ones answer 503 and do nothing.
      const held = h.github.holdNext({ method: 'PUT', path: SECRET_PUT });
      h.github.failNext({ method: 'PUT', path: SECRET_PUT }, { status: 503, times: 20 });
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await held.arrived;
      await eventually(async () => (await status(h, id)) === 'pending', 'the request to go back to pending (GitHub showed no change)', 20_000);
      assert.equal(writesLanded(h), 0);
      // True when said: GitHub was read back.
      await h.slack.waitFor((c) => c.method === 'chat.update' && /GitHub still shows the earlier date, so nothing changed/.test(textOf(c)), 10_000);
      // Now GitHub carries out the PUT it held.
      h.github.clearFailures();
      held.release();
      await eventually(() => h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN') === token, 'the late write to land');
      h.bot.advance(61 * 60_000);
      h.bot.chatops.worker.kick();
      await eventually(async () => (await status(h, id)) === 'done', 'the expiry job to find the write', 15_000);
      const row = await h.store.secretChanges.get(id);
      assert.equal(row?.outcome?.unanswered, true);
      assert.equal(row?.decidedBy, USERS.bob, 'the approver is kept');
      const final = await h.slack.waitFor((c) => c.method === 'chat.update' && /was replaced/.test(textOf(c)), 10_000);
      assert.doesNotMatch(textOf(final), /Expired/);
      assert.ok(!h.slack.calls.some((c) => /expired without a decision/.test(textOf(c))), 'no "expired" notice');
      const audit = await h.store.audit.list({ limit: 1000 });
      assert.ok(audit.some((e) => e.action === 'secret:apply' && e.outcome === 'done'));
    }));

  test('a write unanswered and GitHub unreadable for half an hour: says it cannot tell, never "nothing changed"', () =>
    withHarness({}, async (h) => {
      const id = await requestReplacement(h, newGheToken(h));
      h.github.setFaults({ seed: 1, rules: [{ method: 'PUT', path: SECRET_PUT, rate: 1, kinds: [{ kind: 'drop-after' }] }] });
      const held = h.github.holdNext({ method: 'PUT', path: SECRET_PUT });
      await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
      await held.arrived;
      // From the write on, GitHub answers no read of the secret.
      h.github.failNext({ method: 'GET', path: SECRET_PUT }, { status: 503, times: 10_000 });
      held.release();
      await h.slack.waitFor((c) => c.method === 'chat.update' && /could not be read back yet, so it may have landed/.test(textOf(c)), 15_000);
      assert.equal(await status(h, id), 'applying', 'no verdict while GitHub cannot be asked');
      assert.equal(h.github.requests.filter((r) => r.method === 'PUT' && SECRET_PUT.test(r.path)).length, 1, 'not written again blind');
      h.bot.advance(31 * 60_000);
      h.bot.chatops.worker.kick();
      await eventually(async () => (await status(h, id)) === 'failed', 'the bot to give its verdict', 15_000);
      const row = await h.store.secretChanges.get(id);
      assert.equal(row?.outcome?.writeUnknown, true);
      const final = await h.slack.waitFor((c) => c.method === 'chat.update' && /never confirmed the write/.test(textOf(c)), 10_000);
      assert.match(textOf(final), /Do not approve it again before checking/);
      assert.ok(
        !updates(h).some((t) => /[Nn]othing changed|nothing was written/i.test(t) && /GHE_TOKEN/.test(t) && /failed/.test(t)),
        'never said nothing changed',
      );
    }));
});

/** One approved write with GitHub answering a fifth of its requests with `kind`; returns the change id. */
async function writeInStorm(h: Harness, kind: FaultKind, seed: number): Promise<{ id: string; token: string }> {
  const token = newGheToken(h);
  const id = await requestReplacement(h, token);
  h.github.setFaults({ seed, rules: [{ rate: 0.2, kinds: [kind] }] });
  await h.click({ actionId: ACTION_IDS.secretApprove, value: id, user: USERS.bob });
  await eventually(async () => ['done', 'failed'].includes((await status(h, id)) ?? ''), 'the change to finish', 60_000);
  h.github.clearFaults();
  return { id, token };
}

/** Seconds a rate-limit fault asked to wait. */
const waitOf = (f: FaultKind) => (f.kind === 'too-many' || f.kind === 'secondary-retry-after' || f.kind === 'secondary-reset' ? f.seconds : 0);

/**
 * Seeds picked so that, in the requests these rounds make, faults hit the PUT as well as
 * the reads around it (asserted below: if the bot's requests change, pick new ones).
 */
const SEED = { serverError: 60, tooMany: 60, secondaryRetryAfter: 60, secondaryReset: 60, dropAfter: 60 };

describe('approved secret write: 20 % of GitHub requests failing', () => {
  const kinds: Array<[string, FaultKind, number]> = [
    ['5xx', { kind: 'server-error', status: 502 }, SEED.serverError],
    ['429 with Retry-After', { kind: 'too-many', seconds: 2 }, SEED.tooMany],
    ['403 secondary limit with retry-after', { kind: 'secondary-retry-after', seconds: 2 }, SEED.secondaryRetryAfter],
    ['403 secondary limit with x-ratelimit-reset', { kind: 'secondary-reset', seconds: 2 }, SEED.secondaryReset],
    ['writes that land but are never answered', { kind: 'drop-after' }, SEED.dropAfter],
  ];
  for (const [label, kind, seed] of kinds) {
    test(`${label}: each write lands once, every wait is told, limits are waited out`, { timeout: 240_000 }, () =>
      withHarness({ tuning: { timeoutMs: 2000 } }, async (h) => {
        const rounds = 3;
        const roundOf: number[] = [];
        for (let round = 0; round < rounds; round++) {
          const landedBefore = writesLanded(h) + h.github.faultLog.filter((e) => e.method === 'PUT' && e.fault?.kind === 'drop-after').length;
          const { id, token } = await writeInStorm(h, kind, seed + round);
          while (roundOf.length < h.github.faultLog.length) roundOf.push(round);
          assert.equal(await status(h, id), 'done', `round ${round}: written despite the faults`);
          assert.equal(h.github.decryptSecret(h.seed.github.repo, 'GHE_TOKEN'), token, `round ${round}: GitHub holds the approved value`);
          const landed = writesLanded(h) + h.github.faultLog.filter((e) => e.method === 'PUT' && e.fault?.kind === 'drop-after').length - landedBefore;
          assert.equal(landed, 1, `round ${round}: the write landed exactly once`);
          await eventually(
            () => updates(h).filter((t) => /was replaced/.test(t)).length === round + 1,
            `round ${round}: the request says it was replaced`,
            10_000,
          );
        }
        const log = h.github.faultLog;
        const hits = log.filter((e) => e.fault);
        assert.ok(hits.length >= 2, `the storm hit (${hits.length} faults in ${log.length} requests)`);
        assert.ok(
          hits.some((e) => e.method === 'PUT' && SECRET_PUT.test(e.path)),
          'some faults hit the write itself',
        );
        // Limits waited out: the next request on a limited route comes no earlier than GitHub allowed.
        for (const [i, e] of log.entries()) {
          const wait = e.fault ? waitOf(e.fault) : 0;
          if (!wait) continue;
          const next = log.slice(i + 1).find((n, j) => n.method === e.method && n.path === e.path && roundOf[i + 1 + j] === roundOf[i]);
          if (!next) continue;
          // x-ratelimit-reset has whole seconds: up to one second less than `seconds` may be left.
          const slack = e.fault?.kind === 'secondary-reset' ? 1000 : 50;
          assert.ok(next.at - e.at >= wait * 1000 - slack, `${e.method} ${e.path} asked again after ${next.at - e.at} ms, GitHub asked for ${wait} s`);
        }
        // Every wait the job took is on the request for people to see.
        const audit = await h.store.audit.list({ limit: 1000 });
        const waitsTaken = audit.filter((a) => a.action === 'secret:apply' && a.outcome.startsWith('waiting:')).length;
        const waitsShown = updates(h).filter((t) => /Trying again/.test(t)).length;
        assert.ok(waitsShown >= waitsTaken, `${waitsTaken} waits, ${waitsShown} shown`);
        assert.equal(audit.filter((a) => a.action === 'secret:apply' && a.outcome === 'done').length, rounds);
      }),
    );
  }
});
