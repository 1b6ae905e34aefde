import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedCall } from '@chatops/fake-slack';
import { eventually, startHarness, type Harness } from '../helpers/harness.js';
import { deliverRun } from '../helpers/webhooks.js';

const SECRET = 'whsec-sync-projection';

/** Runs `/sync-status` and returns the report posted to its response_url. */
async function syncStatus(h: Harness): Promise<RecordedCall> {
  const { http, responseUrl } = await h.command('/sync-status', '');
  assert.equal(http.status, 200);
  const reply = await h.responseTo(responseUrl);
  assert.ok(reply.ok, `Slack refused the report: ${reply.error}`);
  return reply;
}

/** The report's text without the lines that must differ between two reports: when each was made. */
function content(c: RecordedCall): string {
  const blocks = (c.args.blocks ?? []) as Array<Record<string, unknown>>;
  return JSON.stringify(blocks.filter((b) => !(b.type === 'context' && /As of |Mirror checked /.test(JSON.stringify(b)))).filter((b) => b.type !== 'actions'));
}

const isRunWalk = (path: string) =>
  /\/actions\/(workflows\/[^/]+\/runs|runs\/\d+\/jobs|jobs\/\d+\/logs)$/.test(path) || path.startsWith('/_blob/') || path.includes('/contents/');

describe('/sync-status from the projection (webhooks on)', () => {
  let h: Harness;
  let walked: string;
  before(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  });
  after(() => h.close());

  test('nothing received yet: the projection is not fresh, so GitHub is walked as before (runs, jobs, log)', async () => {
    h.github.clearRequests();
    const reply = await syncStatus(h);
    walked = content(reply);
    assert.match(walked, /authentication failed/);
    const paths = h.github.requests.map((r) => r.path);
    assert.ok(
      paths.some((p) => p.endsWith('/runs')),
      `the runs were read: ${paths.join(', ')}`,
    );
    assert.ok(
      paths.some((p) => p.endsWith('/jobs')),
      'the jobs were read',
    );
    assert.ok(
      paths.some((p) => p.endsWith('/logs')),
      'the log was read',
    );
  });

  test('fed by signed webhooks: the same report from the projection, with no runs/jobs/log request and one mirror check on each host', async () => {
    const runId = h.seed.github.lastPublishRunId;
    assert.ok(runId);
    await deliverRun({ appUrl: h.appUrl, secret: SECRET }, { apiUrl: h.github.apiUrl, token: h.seed.github.token }, h.seed.github.repo, runId);
    await eventually(async () => (await h.store.githubEvents.pending(h.seed.github.repo, 5)).length === 0, 'the deliveries applied', 10_000);
    const jobs = await h.store.githubEvents.jobsOf(h.seed.github.repo, runId);
    await eventually(
      async () => {
        for (const j of jobs) if (j.conclusion === 'failure' && (await h.store.syncProjection.logFindings(h.seed.github.repo, j.jobId))) return true;
        return false;
      },
      'the failed sync job log read once, on arrival',
      10_000,
    );
    // Past the minute in which the walk's mirror check would be reused.
    h.bot.advance(61_000);
    h.github.clearRequests();
    h.ghe.clearRequests();
    const reply = await syncStatus(h);
    assert.equal(content(reply), walked, 'the report says what the walk said');
    const walks = h.github.requests.filter((r) => isRunWalk(r.path));
    assert.deepEqual(
      walks.map((r) => r.path),
      [],
      'no runs, jobs, workflow file or log request',
    );
    assert.equal(h.github.requests.filter((r) => r.path.endsWith('/graphql')).length, 1, 'one mirror check query on github.com');
    assert.equal(h.ghe.requests.filter((r) => r.path.endsWith('/graphql')).length, 1, 'one on GHE');
    assert.deepEqual(
      h.github.requests.filter((r) => !r.path.endsWith('/graphql')).map((r) => `${r.path} ${r.status}`),
      [`/repos/${h.seed.github.repo}/actions/secrets 304`],
      'beside it only the secrets, answered 304',
    );
    assert.doesNotMatch(JSON.stringify(reply.args), /Mirror checked/);
  });

  test('a repeat within a minute: no request that GitHub does not answer with 304, and it says when the mirror was checked', async () => {
    h.bot.advance(20_000);
    h.github.clearRequests();
    h.ghe.clearRequests();
    const reply = await syncStatus(h);
    const notModified = [...h.github.requests, ...h.ghe.requests].filter((r) => r.status !== 304);
    assert.deepEqual(
      notModified.map((r) => `${r.method} ${r.path} ${r.status}`),
      [],
    );
    assert.ok(h.github.requests.length >= 1, 'the secrets were asked (conditionally)');
    const said = /Mirror checked <!date\^\d+\^[^>]*> \((\d+) seconds before this report\)/.exec(JSON.stringify(reply.args));
    assert.ok(said, 'the report says when the mirror was checked');
    assert.ok(Number(said[1]) >= 20 && Number(said[1]) < 60, `${said[1]} s: the check of the report before, 20 s of the bot's clock ago`);
    assert.equal(content(reply), walked);
  });

  test('nothing received or confirmed for longer than the window: stale again, GitHub is walked', async () => {
    h.bot.advance(2 * 600_000 + 1_000);
    h.github.clearRequests();
    const reply = await syncStatus(h);
    assert.equal(content(reply), walked);
    assert.ok(
      h.github.requests.some((r) => r.path.endsWith('/runs')),
      'the runs were read',
    );
  });
});
