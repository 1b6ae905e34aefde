import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendEvent } from '@chatops/fake-slack';
import { CHANNEL, eventually, startHarness, USERS, type Harness } from '../helpers/harness.js';
import { deliverRun } from '../helpers/webhooks.js';

const SECRET = 'whsec-home';

async function openHome(h: Harness, user: string): Promise<string> {
  const before = h.slack.calls.length;
  const res = await sendEvent(h.appUrl, h.signingSecret, { type: 'app_home_opened', user, channel: 'D0HOME', tab: 'home' });
  assert.equal(res.status, 200);
  const call = await h.slack.waitFor((c) => c.method === 'views.publish' && c.args.user_id === user && h.slack.calls.indexOf(c) >= before);
  assert.ok(call.ok, call.error);
  const blocks = (call.args.view as { blocks: unknown[] }).blocks;
  assert.ok(blocks.length <= 100);
  return JSON.stringify(call.args.view);
}

describe('App Home dashboard', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    const runId = h.seed.github.lastPublishRunId ?? 0;
    await deliverRun({ appUrl: h.appUrl, secret: SECRET }, { apiUrl: h.github.apiUrl, token: h.seed.github.token }, h.seed.github.repo, runId);
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied', 10_000);
    const { responseUrl } = await h.command('/sync-status', '');
    await h.responseTo(responseUrl);
    const created = await h.store.secretChanges.create({
      repo: h.seed.github.repo,
      repoName: 'pywats',
      secret: 'GHE_TOKEN',
      secretKind: 'classic-pat',
      action: 'revoke',
      requestedBy: USERS.alice,
      channel: CHANNEL,
      facts: { checks: [], impact: [] },
      ttlSeconds: 3600,
    });
    assert.equal(created.kind, 'created');
  });
  after(() => h.close());

  test('an approver sees the pending request; someone else does not; both see the sync, mirror and secrets; no GitHub request', async () => {
    h.github.clearRequests();
    h.ghe.clearRequests();
    const bob = await openHome(h, USERS.bob);
    assert.match(bob, /Waiting for your approval \(1\)/);
    assert.match(bob, /revoke `GHE_TOKEN` on \*pywats\*/);
    assert.match(bob, /Sync to GitHub Enterprise/);
    assert.match(bob, /1 tag missing/);
    assert.match(bob, /`GHE_TOKEN`: set \d+ d ago, overdue/);
    const carol = await openHome(h, USERS.carol);
    assert.match(carol, /Waiting for you:\* nothing/);
    assert.doesNotMatch(carol, /Waiting for your approval/);
    assert.equal(h.github.requests.length, 0, 'no request to github.com');
    assert.equal(h.ghe.requests.length, 0, 'no request to GHE');
  });
});
