import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CHANNEL, eventually, startHarness, type Harness } from '../helpers/harness.js';

/**
 * The fake GitHub's own webhooks (signed, with delivery ids, as GitHub sends them)
 * pointed at the bot's /github/webhooks: what happens in GitHub reaches Slack with
 * nobody typing a command.
 */

const SECRET = 'whsec-fake-webhooks-app-test';
const ALERT = 'GitHub Enterprise failed';

describe('the fake GitHub delivering webhooks to the bot', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
    h.github.addHook(h.seed.github.repo, { url: `${h.appUrl}/github/webhooks`, secret: SECRET });
    await h.github.webhooks.settled();
  });
  after(() => h.close());

  const alerts = () => h.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(ALERT));

  test('the bot takes the ping', () => {
    const ping = h.github.webhooks.deliveries().find((d) => d.event === 'ping');
    assert.ok(ping, 'a ping was sent');
    assert.ok(ping.statusCode !== null && ping.statusCode >= 200 && ping.statusCode < 300, `the bot answered the ping ${ping.statusCode}`);
  });

  test('a failed sync-to-ghe run in the fake yields the sync alert in the channel, with no command typed; a redelivery posts nothing more', async () => {
    assert.equal(alerts().length, 0, 'no alert before the run');
    const runId = h.github.simulateRun(
      h.seed.github.repo,
      '.github/workflows/publish.yml',
      { event: 'push', headBranch: 'main', headSha: h.seed.github.mainSha, actor: 'olreppe' },
      {
        'sync-to-ghe': {
          conclusion: 'failure',
          failedStep: 'Push to GitHub Enterprise',
          log: "fatal: Authentication failed for 'https://wats.ghe.com/WATS/pyWATS.git/'",
        },
      },
    );
    await h.github.webhooks.settled();
    const sent = h.github.webhooks.deliveries().filter((d) => d.event === 'workflow_run' || d.event === 'workflow_job');
    assert.ok(sent.length >= 4, `the run and its jobs were delivered (${sent.length})`);
    for (const d of sent) assert.equal(d.statusCode, 202, `${d.event}/${d.action} taken (${d.status})`);

    const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(ALERT), 15_000);
    assert.equal(posted.args.channel, CHANNEL);
    const text = JSON.stringify(posted.args);
    assert.match(text, /authentication failed/);
    assert.match(text, /Rotate GHE_TOKEN/);
    assert.ok(await h.store.githubEvents.run(h.seed.github.repo, runId), 'the run is in the projection');
    // Nobody asked: no slash command reached the bot, and it answered no response_url.
    assert.equal(h.slack.calls.filter((c) => c.method === 'response_url').length, 0);

    const completed = h.github.webhooks.deliveries().find((d) => d.event === 'workflow_run' && d.action === 'completed' && d.body.includes(`"id":${runId},`));
    assert.ok(completed, 'the run completed was delivered');
    const before = await h.store.githubEvents.deliveryCount();
    const again = await h.github.webhooks.redeliver(completed.id);
    assert.equal(again.guid, completed.guid);
    assert.equal(again.statusCode, 202);
    assert.equal(await h.store.githubEvents.deliveryCount(), before, 'the redelivery (same id) is not stored twice');
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'applied');
    assert.equal(alerts().length, 1);
  });
});
