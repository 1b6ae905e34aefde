import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sendEvent, sendViewSubmission } from '@chatops/fake-slack';
import { startHarness, USERS, type Harness } from '../helpers/harness.js';

const WEBHOOK_SECRET = 'gh-webhook-secret-0123456789';

describe('HTTP surfaces beside /slack/events', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  after(() => h.close());

  test('/healthz and /readyz answer; /readyz reports the store', async () => {
    const health = await fetch(`${h.appUrl}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${h.appUrl}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', store: 'sqlite' });
  });

  test('/metrics is Prometheus text and counts rejected webhooks', async () => {
    const bad = await fetch(`${h.appUrl}/github/webhooks`, { method: 'POST', body: '{}', headers: { 'x-hub-signature-256': 'sha256=00' } });
    assert.equal(bad.status, 401);
    const text = await (await fetch(`${h.appUrl}/metrics`)).text();
    assert.match(text, /# TYPE chatops_github_webhooks_total counter/);
    assert.match(text, /chatops_github_webhooks_total\{outcome="rejected"\} [1-9]\d*/);
  });

  test('GitHub webhooks: a valid X-Hub-Signature-256 is accepted, a wrong or missing one refused', async () => {
    const body = JSON.stringify({ action: 'completed', workflow_run: { id: 1 } });
    const good = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    const ok = await fetch(`${h.appUrl}/github/webhooks`, { method: 'POST', body, headers: { 'x-hub-signature-256': good, 'x-github-event': 'workflow_run' } });
    assert.equal(ok.status, 202);
    const tampered = await fetch(`${h.appUrl}/github/webhooks`, { method: 'POST', body: body.replace('1', '2'), headers: { 'x-hub-signature-256': good } });
    assert.equal(tampered.status, 401);
    const none = await fetch(`${h.appUrl}/github/webhooks`, { method: 'POST', body });
    assert.equal(none.status, 401);
  });

  test('the Home tab lists the repositories and commands, within Slack limits', async () => {
    const res = await sendEvent(h.appUrl, h.signingSecret, { type: 'app_home_opened', user: USERS.carol, channel: 'D0CAROL', tab: 'home' });
    assert.equal(res.status, 200);
    const call = await h.slack.waitFor((c) => c.method === 'views.publish');
    assert.ok(call.ok, call.error);
    assert.equal(call.args.user_id, USERS.carol);
    const text = JSON.stringify(call.args.view);
    assert.match(text, /olreppe\/pyWATS/);
    assert.match(text, /\/sync-status \[repo\]/);
  });

  test('/rotate answers help, junk and a pasted token privately, at once, and changes nothing', async () => {
    const cases: Array<[string, RegExp]> = [
      ['help', /\/rotate \[repo\] <SECRET>/],
      ['NOPE_TOKEN', /is not a configured secret/],
      ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', /looks like a credential/],
    ];
    for (const [input, expected] of cases) {
      const { http } = await h.command('/rotate', input);
      assert.equal(http.status, 200);
      const body = JSON.parse(http.body) as { response_type: string; text: string };
      assert.equal(body.response_type, 'ephemeral');
      assert.match(body.text, expected);
      assert.equal(body.text.includes('abcdefghijklmnop'), false, 'a pasted token is never echoed');
    }
    assert.equal(await h.store.rotations.active(h.seed.github.repo, 'GHE_TOKEN'), null);
  });

  test('a submitted modal no listener knows is replaced by a notice', async () => {
    const res = await sendViewSubmission(h.appUrl, h.signingSecret, { user_id: USERS.alice, callback_id: 'secret_modal_v0', values: {} });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { response_action: string; view: { blocks: Array<{ text: { text: string } }> } };
    assert.equal(body.response_action, 'update');
    assert.match(body.view.blocks[0]?.text.text ?? '', /no longer active/);
  });
});

describe('webhooks without a secret', () => {
  test('are refused: the endpoint is off', async () => {
    const h = await startHarness();
    try {
      const res = await fetch(`${h.appUrl}/github/webhooks`, { method: 'POST', body: '{}' });
      assert.equal(res.status, 404);
    } finally {
      await h.close();
    }
  });
});

describe('failures after the ack', () => {
  test('a store failure becomes a private error with a reference; the process keeps serving', async () => {
    const h = await startHarness();
    try {
      await h.store.db.schema.dropTable('reports').execute();
      const { http, responseUrl } = await h.command('/sync-status', '');
      assert.equal(http.status, 200);
      const reply = await h.responseTo(responseUrl);
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.match(String(reply.args.text), /database failed/);
      assert.ok(
        h.logs.some((l) => l.includes('"code":"store_error"')),
        'logged with its code',
      );
      const again = await h.command('/sync-status', 'help');
      assert.equal(again.http.status, 200);
      assert.match(again.http.body, /Usage/);
    } finally {
      await h.close();
    }
  });
});
