import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ACTION_IDS } from '../../src/actions/ids.js';
import { sendSlashCommand, signSlackBody, type RecordedCall } from '@chatops/fake-slack';
import { CHANNEL, eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';

/** Runs `/sync-status` and returns the report posted to its response_url. */
async function syncStatus(h: Harness, text = '', user: string = USERS.alice): Promise<RecordedCall> {
  const { http, responseUrl } = await h.command('/sync-status', text, { user });
  assert.equal(http.status, 200);
  assert.equal(http.body, '', 'ack carries nothing: the report follows by response_url');
  const reply = await h.responseTo(responseUrl);
  assert.ok(reply.ok, `Slack refused the report: ${reply.error}`);
  return reply;
}

const textOf = (c: RecordedCall): string => JSON.stringify(c.args);
const blocksOf = (c: RecordedCall): Array<Record<string, unknown>> => (c.args.blocks ?? []) as Array<Record<string, unknown>>;
const shareValue = (c: RecordedCall): string => {
  const json = textOf(c);
  const m = /"action_id":"sync_status_share","value":"([^"]+)"/.exec(json);
  assert.ok(m?.[1], 'report has a Share in channel button');
  return m[1];
};

describe('/sync-status outcomes', () => {
  test('failed sync: failing step, authentication diagnosis, drift and overdue secret, privately', () =>
    withHarness({}, async (h) => {
      const reply = await syncStatus(h);
      const t = textOf(reply);
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.match(t, /last sync failed: authentication failed/);
      assert.match(t, /Push to GitHub Enterprise/);
      assert.match(t, /\/rotate pywats GHE_TOKEN/);
      assert.match(t, /1 tag missing on GHE:\* `v0\.1\.0b39`/);
      assert.match(t, /`GHE_TOKEN`[^"]*overdue/);
      assert.match(t, /v0\.1\.0b39/, 'the tag the run ran for');
      assert.match(t, /actions\/runs\/\d+\/job\/\d+/, 'a link to the job');
      await eventually(
        async () => (await h.store.audit.list()).some((e) => e.action === 'command:/sync-status' && e.outcome === 'ok' && e.actor === USERS.alice),
        'the audit entry',
      );
    }));

  test('success and a mirror in sync', () =>
    withHarness(
      { seed: { lastPublishRun: 'success', mirrorMissingTags: 0, gheTokenUpdatedAt: new Date(Date.now() - 20 * 86400_000).toISOString() } },
      async (h) => {
        const t = textOf(await syncStatus(h));
        assert.match(t, /:white_check_mark: \*pywats is in sync/);
        assert.doesNotMatch(t, /missing on GHE/);
        assert.match(t, /Took/);
      },
    ));

  test('push rejected by a protected branch', () =>
    withHarness(
      {
        seed: {
          lastPublishRun: {
            'sync-to-ghe': {
              conclusion: 'failure',
              failedStep: 'Push to GitHub Enterprise',
              log: 'Pushing main branch to GHE...\nremote: error: GH006: Protected branch update failed for refs/heads/main.\n ! [remote rejected] main -> main (protected branch hook declined)\nerror: failed to push some refs',
            },
          },
        },
      },
      async (h) => {
        const t = textOf(await syncStatus(h));
        assert.match(t, /last sync failed: push rejected/);
        assert.match(t, /bypass/i);
      },
    ));

  test('skipped because publishing failed: names the failed job', () =>
    withHarness({ seed: { lastPublishRun: 'publish-failure' } }, async (h) => {
      const t = textOf(await syncStatus(h));
      assert.match(t, /last sync was skipped/);
      assert.match(t, /Build and publish to PyPI/);
    }));

  test('skipped with nothing failed before it: the missing secret is named', () =>
    withHarness({ seed: { lastPublishRun: { 'sync-to-ghe': 'skipped' }, gheTokenUpdatedAt: null } }, async (h) => {
      const t = textOf(await syncStatus(h));
      assert.match(t, /skipped/);
      assert.match(t, /`GHE_TOKEN`[^"]*(missing|does not exist|not set)/i);
    }));

  test('a run in progress', () =>
    withHarness({ seed: { lastPublishRun: 'in-progress' } }, async (h) => {
      const t = textOf(await syncStatus(h));
      assert.match(t, /run is in progress; the sync job has not started yet/);
      assert.match(t, /Build and publish to PyPI>: in progress/);
    }));

  test('a cancelled sync', () =>
    withHarness({ seed: { lastPublishRun: { 'sync-to-ghe': 'cancelled' } } }, async (h) => {
      assert.match(textOf(await syncStatus(h)), /cancelled/);
    }));

  test('GHE unreachable: the rest of the report still comes, the mirror part says why', () =>
    withHarness({}, async (h) => {
      h.ghe.setUnreachable(true);
      const t = textOf(await syncStatus(h));
      assert.match(t, /Push to GitHub Enterprise/, 'the run part is there');
      assert.match(t, /wats\.ghe\.com could not be reached/);
      assert.match(t, /GHE_TOKEN/, 'the secrets part is there');
    }));

  test('GHE answering 502 is retried, then reported as an error of that part only', () =>
    withHarness({}, async (h) => {
      h.ghe.failNext({ path: /graphql/ }, { status: 502, times: 10 });
      const t = textOf(await syncStatus(h));
      assert.match(t, /wats\.ghe\.com did not answer properly \(HTTP 502\)/);
      assert.equal(h.ghe.requests.filter((r) => r.path.endsWith('/graphql')).length, 3, 'first try and two retries');
      assert.match(t, /authentication failed/);
    }));

  test('a long report stays within Slack limits (Slack would refuse it otherwise)', () =>
    withHarness(
      { seed: { tags: Array.from({ length: 180 }, (_, i) => `v1.${Math.floor(i / 10)}.${i % 10}`), mirrorMissingTags: 170, releaseEveryDays: 1 } },
      async (h) => {
        const reply = await syncStatus(h);
        assert.ok(blocksOf(reply).length <= 50);
        assert.match(textOf(reply), /170 tags missing on GHE/);
        assert.match(textOf(reply), /more/);
      },
    ));
});

describe('/sync-status refusals', () => {
  test('a repository that does not exist (or the bot cannot read): a clear private error', () =>
    withHarness({ config: (cfg) => void (cfg.repos[0]!.github = 'olreppe/doesNotExist') }, async (h) => {
      const reply = await syncStatus(h);
      assert.equal(reply.args.response_type, 'ephemeral');
      assert.match(String(reply.args.text), /I can't see `olreppe\/doesNotExist` on github\.com/);
      await eventually(async () => (await h.store.audit.list()).some((e) => e.outcome === 'error:not_found'), 'the audit entry of the error');
    }));

  test('unknown repo, junk and help: ephemeral usage in the ack, no GitHub request', () =>
    withHarness({}, async (h) => {
      for (const [text, expected] of [
        ['nope', /I don't know a repository called `nope`/],
        ['pywats and more', /more than this command takes/],
        [`${'x'.repeat(2500)}`, /more than this command takes/],
        ['help', /Usage: `\/sync-status \[repo\]`/],
      ] as const) {
        const { http } = await h.command('/sync-status', text);
        assert.equal(http.status, 200);
        const body = JSON.parse(http.body) as { response_type: string; text: string };
        assert.equal(body.response_type, 'ephemeral');
        assert.match(body.text, expected);
      }
      assert.equal(h.github.requests.length + h.ghe.requests.length, 0);
    }));

  test('forged signature and a stale timestamp: 401 and no GitHub request', () =>
    withHarness({}, async (h) => {
      const input = { command: '/sync-status', text: '', user_id: USERS.alice, channel_id: CHANNEL, response_url: h.slack.responseUrl() };
      const forged = await sendSlashCommand(h.appUrl, h.signingSecret, input, { signature: `v0=${'0'.repeat(64)}` });
      assert.equal(forged.status, 401);
      const wrongKey = await sendSlashCommand(h.appUrl, 'not-the-secret', input);
      assert.equal(wrongKey.status, 401);
      const old = await sendSlashCommand(h.appUrl, h.signingSecret, input, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
      assert.equal(old.status, 401);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(h.github.requests.length + h.ghe.requests.length, 0);
      assert.equal(h.slack.callsTo('response_url').length, 0);
      assert.equal(typeof signSlackBody, 'function');
    }));
});

describe('Share in channel', () => {
  test('reposts the same report publicly, once; other users and stale ids are refused', () =>
    withHarness({}, async (h) => {
      const report = await syncStatus(h);
      const value = shareValue(report);

      const carol = await h.click({ actionId: ACTION_IDS.shareSyncReport, value, user: USERS.carol });
      assert.equal(carol.http.status, 200);
      assert.match(String((await h.responseTo(carol.responseUrl)).args.text), /Only the person who asked/);

      const alice = await h.click({ actionId: ACTION_IDS.shareSyncReport, value });
      const post = await h.slack.waitFor((c) => c.method === 'chat.postMessage');
      assert.equal(post.args.channel, CHANNEL);
      assert.match(textOf(post), /Shared by <@U0ALICE001>/);
      // Same report: every block of the private one except its button.
      const privateSections = blocksOf(report).filter((b) => b.type === 'section');
      const publicSections = blocksOf(post).filter((b) => b.type === 'section');
      assert.deepEqual(publicSections, privateSections);
      const replaced = await h.responseTo(alice.responseUrl);
      assert.equal(replaced.args.replace_original, true);
      assert.doesNotMatch(textOf(replaced), /sync_status_share/, 'the private copy loses its button');

      const stale = await h.click({ actionId: ACTION_IDS.shareSyncReport, value: 'AAAAAAAAAAAAAAAAAAAAAAAA' });
      assert.match(String((await h.responseTo(stale.responseUrl)).args.text), /expired/);
      assert.equal(h.slack.callsTo('chat.postMessage').length, 1);
    }));

  test('Slack rate-limiting chat.postMessage is waited out, not dropped', () =>
    withHarness({}, async (h) => {
      const value = shareValue(await syncStatus(h));
      h.slack.rateLimit('chat.postMessage', { times: 1, retryAfterSeconds: 1 });
      await h.click({ actionId: ACTION_IDS.shareSyncReport, value });
      const posted = await h.slack.waitFor((c) => c.method === 'chat.postMessage' && c.ok, 10_000);
      assert.equal(posted.args.channel, CHANNEL);
      assert.equal(h.slack.callsTo('chat.postMessage').filter((c) => !c.ok).length, 1);
    }));

  test('a button no listener knows gets a private notice within the ack', () =>
    withHarness({}, async (h) => {
      const { http, responseUrl } = await h.click({ actionId: 'release_confirm_v0', value: 'x' });
      assert.equal(http.status, 200);
      assert.match(String((await h.responseTo(responseUrl)).args.text), /no longer act on/);
      assert.equal(h.github.requests.length, 0);
    }));
});

describe('requests, secrets and storage', () => {
  test('one GraphQL query per host for the mirror check; a warm second run is answered by ETags', () =>
    withHarness({}, async (h) => {
      await syncStatus(h);
      const gheCold = h.ghe.requests.length;
      const ghGraphql = h.github.requests.filter((r) => r.path.endsWith('/graphql')).length;
      assert.equal(gheCold, 1, 'GHE: one request');
      assert.equal(ghGraphql, 1, 'github.com: one GraphQL query');
      h.github.clearRequests();
      h.ghe.clearRequests();
      await syncStatus(h);
      const restWarm = h.github.requests.filter((r) => r.method === 'GET' && !r.path.startsWith('/_blob'));
      assert.ok(restWarm.length > 0, 'the warm run asks github.com again');
      assert.ok(
        restWarm.filter((r) => !r.path.endsWith('/logs')).every((r) => r.status === 304),
        restWarm.map((r) => `${r.path} ${r.status}`).join(', '),
      );
    }));

  test('cold, github.com is asked the secrets, one GraphQL query (refs and the workflow file at HEAD), runs, jobs and the failed job log; no contents read', () =>
    withHarness({}, async (h) => {
      await syncStatus(h);
      const asked = h.github.requests.map((r) => `${r.method} ${r.path.replace(/\/repos\/[^/]+\/[^/]+/, '/repos/R').replace(/\d{6,}/g, 'N')}`);
      assert.deepEqual([...asked].sort(), [
        'GET /_blob/actions-results/N/jobs/N/logs.txt',
        'GET /repos/R/actions/jobs/N/logs',
        'GET /repos/R/actions/runs/N/jobs',
        'GET /repos/R/actions/secrets',
        'GET /repos/R/actions/workflows/publish.yml/runs',
        'POST /graphql',
      ]);
    }));

  test("a workflow configured by numeric id: the job names come from the file at the run's commit (one contents read)", () =>
    withHarness(
      {
        config: (cfg, seed) => {
          const repo = cfg.repos[0] as { sync: { workflow: string | number } };
          repo.sync.workflow = seed.github.publishWorkflowId;
        },
      },
      async (h) => {
        const report = textOf(await syncStatus(h));
        assert.match(report, /Sync to GitHub Enterprise/);
        assert.match(report, /Authentication failed/i);
        const contents = h.github.requests.filter((r) => r.path.includes('/contents/'));
        assert.equal(contents.length, 1, 'the workflow file is read once, over REST');
        assert.match(contents[0]?.query.ref ?? '', /^[0-9a-f]{40}$/, 'at the commit the run ran');
      },
    ));

  test('three people asking at once each get the report with their own Share button; GitHub is asked once; nothing is kept afterwards', () =>
    withHarness({}, async (h) => {
      h.github.setLatency(300);
      const users = [USERS.alice, USERS.bob, USERS.carol];
      const replies = await Promise.all(users.map((user) => syncStatus(h, '', user)));
      const asked = h.github.requests.filter((r) => !r.path.startsWith('/_blob')).length;
      assert.equal(asked, 5, 'one set of github.com requests (secrets, GraphQL, runs, jobs, log) for three reports');
      for (const r of replies) assert.match(textOf(r), /authentication failed/i);
      const shareIds = new Set(replies.map(shareValue));
      assert.equal(shareIds.size, 3, 'each has its own Share button');
      h.github.clearRequests();
      h.github.setLatency(0);
      await syncStatus(h);
      assert.ok(h.github.requests.length > 0, 'a later request asks GitHub again: nothing is kept after the report is done');
    }));

  test('no credential reaches a log line, a Slack call or the database', () =>
    withHarness({}, async (h) => {
      await syncStatus(h);
      h.ghe.setUnreachable(true);
      await syncStatus(h);
      const tokens = [h.seed.github.token, h.seed.ghe.token, h.seed.ghe.syncToken, h.signingSecret];
      const logs = h.logs.join('\n');
      const slack = JSON.stringify(h.slack.calls);
      const db = h.dbFile ? (await readFile(h.dbFile)).toString('latin1') : '';
      assert.ok(logs.length > 0);
      for (const t of tokens) {
        assert.ok(!logs.includes(t), 'logs');
        assert.ok(!slack.includes(t), 'slack');
        assert.ok(!db.includes(t), 'db');
      }
    }));

  test('GitHub App credentials: the installation for the repository is found and used', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await withHarness({ env: { GITHUB_TOKEN: undefined, GITHUB_APP_ID: '4242', GITHUB_APP_PRIVATE_KEY: pem } }, async (h) => {
      h.github.installApp({ appId: 4242, privateKeyPem: pem, repos: [h.seed.github.repo] });
      const t = textOf(await syncStatus(h));
      assert.match(t, /authentication failed/);
      assert.ok(h.github.requests.some((r) => r.path.endsWith('/installation')));
      assert.ok(h.github.requests.some((r) => r.path.endsWith('/access_tokens')));
    });
  });

  test('the same command against the PostgreSQL store', () =>
    withHarness({ store: 'postgres' }, async (h) => {
      assert.equal(h.store.dialect, 'postgres');
      const reply = await syncStatus(h);
      const value = shareValue(reply);
      const saved = await h.store.reports.load(value);
      assert.equal(saved?.ownerUser, USERS.alice);
      await eventually(async () => (await h.store.audit.list()).some((e) => e.action === 'command:/sync-status'), 'the audit entry');
    }));
});
