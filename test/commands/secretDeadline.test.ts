import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { sendEvent } from '@chatops/fake-slack';
import { eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { approvalRequest, newGheToken, openReplaceModal, submitValue } from '../helpers/secrets.js';

const GROUP = 'S0RELEASERS';
const inGroup = { config: (cfg: { access: Record<string, string[]> }) => void (cfg.access.release = [GROUP]) };

/** The group's members changed: the bot forgets what it cached, so the next check asks Slack again. */
async function membersChanged(h: Harness): Promise<void> {
  const calls = () => h.slack.callsTo('usergroups.users.list').length;
  const ev = await sendEvent(h.appUrl, h.signingSecret, {
    type: 'subteam_members_changed',
    subteam_id: GROUP,
    team_id: 'T0SANDBOX',
    added_users: [],
    removed_users: [],
  });
  assert.equal(ev.status, 200);
  // The event's listener runs after the ack: a fresh /secret shows whether the cache is gone.
  const before = calls();
  await eventually(async () => {
    await h.command('/secret', 'help');
    return true;
  }, 'the event to be handled');
  assert.equal(calls(), before, 'help asks nothing');
  await new Promise((r) => setTimeout(r, 100));
}

const changes = async (h: Harness) => Number((await sql<{ n: number }>`select count(*) as n from secret_changes`.execute(h.store.db)).rows[0]?.n);

describe('the secret modal: one 3 s budget for the access check and the checks', () => {
  test("a user-group lookup waiting out Slack's 429 while GitHub takes 1 s: answered within 3 s, a clear error in the open modal, nothing lost; the next submit goes through", (t) =>
    withHarness(inGroup, async (h) => {
      h.slack.addUsergroup(GROUP, [USERS.alice]);
      const token = newGheToken(h);
      const view = await openReplaceModal(h);
      await membersChanged(h);
      h.slack.rateLimit('usergroups.users.list', { times: 1, retryAfterSeconds: 3 });
      h.github.setLatency(1000);
      h.ghe.setLatency(1000);

      const lookups = h.slack.callsTo('usergroups.users.list').length;
      const res = await submitValue(h, view, token);
      t.diagnostic(`answered after ${Math.round(res.elapsedMs)} ms`);
      assert.equal(res.status, 200);
      assert.ok(res.elapsedMs < 3000, `answered within Slack's 3 s (${Math.round(res.elapsedMs)} ms)`);
      const body = res.json as { response_action?: string; errors?: Record<string, string> };
      assert.equal(body.response_action, 'errors', 'the modal stays open, with the value still in it');
      const message = Object.values(body.errors ?? {}).join(' ');
      assert.match(message, /Slack asked me to wait 3 s before reading user groups/);
      assert.match(message, /Nothing was stored or sent\. Submit again/);
      assert.doesNotMatch(message, /<!subteam/, 'plain text in a modal field');
      assert.equal(message.includes(token), false);
      await eventually(async () => (await h.store.audit.list({ limit: 100 })).some((e) => e.outcome === 'refused:access_unavailable'), 'the refusal audited');
      assert.equal(await changes(h), 0, 'nothing half-made');

      // The lookup carried on and filled the cache: once Slack's wait is over, the same submit is accepted.
      await eventually(() => h.slack.callsTo('usergroups.users.list').length >= lookups + 2, 'the lookup retried after the wait', 8000);
      assert.equal(h.slack.callsTo('usergroups.users.list').length, lookups + 2, 'one lookup and its one retry: the give-up did not ask again');
      const again = await submitValue(h, view, token);
      t.diagnostic(`second submit answered after ${Math.round(again.elapsedMs)} ms`);
      assert.ok(again.elapsedMs < 3000);
      assert.equal((again.json as { response_action?: string }).response_action, 'update', again.body);
      await approvalRequest(h);
      assert.equal(await changes(h), 1);
    }));

  test('Slack slow to answer a short 429 and GitHub at 1 s: still answered within 3 s, accepted or refused in plain words, never dropped', (t) =>
    withHarness(inGroup, async (h) => {
      h.slack.addUsergroup(GROUP, [USERS.alice]);
      const token = newGheToken(h);
      const view = await openReplaceModal(h);
      await membersChanged(h);
      h.slack.rateLimit('usergroups.users.list', { times: 1, retryAfterSeconds: 1 });
      h.github.setLatency(1000);
      h.ghe.setLatency(1000);
      const lookups = h.slack.callsTo('usergroups.users.list').length;
      const res = await submitValue(h, view, token);
      t.diagnostic(`answered after ${Math.round(res.elapsedMs)} ms`);
      assert.ok(res.elapsedMs < 3000, `answered within Slack's 3 s (${Math.round(res.elapsedMs)} ms)`);
      const body = res.json as { response_action?: string; errors?: Record<string, string> };
      t.diagnostic(`answer: ${body.response_action === 'update' ? 'accepted' : JSON.stringify(body.errors)}`);
      if (body.response_action === 'update') {
        await approvalRequest(h);
        assert.equal(await changes(h), 1);
      } else {
        assert.equal(body.response_action, 'errors', res.body);
        assert.match(Object.values(body.errors ?? {}).join(' '), /did not answer in time|Submit again|submit again/);
        assert.equal(await changes(h), 0);
      }
      // The lookup goes on after the wait (and would retry for minutes against a stopped fake Slack).
      await eventually(() => h.slack.callsTo('usergroups.users.list').length >= lookups + 2, 'the lookup retried after the wait', 8000);
      await new Promise((r) => setTimeout(r, 200));
    }));
});
