import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sendEvent } from '@chatops/fake-slack';
import { eventually, USERS, withHarness, type Harness } from '../helpers/harness.js';
import { parsePrometheusText, type Family } from '../helpers/promText.js';
import { newGheToken, requestReplacement } from '../helpers/secrets.js';

async function scrape(h: Harness): Promise<Map<string, Family>> {
  const res = await fetch(`${h.appUrl}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

const family = (m: Map<string, Family>, name: string, type: Family['type']): Family => {
  const f = m.get(name);
  assert.ok(f, `${name} is exposed`);
  assert.equal(f.type, type, `${name} is a ${type}`);
  return f;
};
const value = (f: Family, name: string, labels: Record<string, string>): number | undefined =>
  f.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('/metrics', () => {
  test('process metrics, acks per surface, GitHub requests by route and status, jobs, approvals and secret ages', async () => {
    await withHarness({}, async (h) => {
      // Two reports: the second one's reads are conditional and answered 304.
      for (let i = 0; i < 2; i++) {
        const { responseUrl } = await h.command('/sync-status', '');
        await h.responseTo(responseUrl);
      }
      await h.click({ actionId: 'release_confirm', value: 'no-such-release' });
      assert.equal((await sendEvent(h.appUrl, h.signingSecret, { type: 'app_home_opened', user: USERS.carol, channel: 'D0CAROL', tab: 'home' })).status, 200);
      await requestReplacement(h, newGheToken(h));

      const m = await scrape(h);
      family(m, 'process_resident_memory_bytes', 'gauge');
      family(m, 'nodejs_eventloop_lag_seconds', 'gauge');
      family(m, 'nodejs_heap_size_used_bytes', 'gauge');
      family(m, 'nodejs_gc_duration_seconds', 'histogram');

      const acks = family(m, 'chatops_slack_ack_seconds', 'histogram');
      for (const surface of ['command', 'action', 'view', 'event']) {
        assert.ok((value(acks, 'chatops_slack_ack_seconds_count', { surface }) ?? 0) >= 1, `acks of ${surface} are timed`);
      }
      assert.ok((value(acks, 'chatops_slack_ack_seconds_bucket', { surface: 'command', le: '3' }) ?? 0) >= 2, 'the commands were acked within 3 s');

      const gh = family(m, 'chatops_github_requests_total', 'counter');
      const host = 'github.com'; // the harness routes api.github.com to the fake
      assert.ok(
        (value(gh, 'chatops_github_requests_total', { host, route: 'GET /repos/{owner}/{repo}/actions/secrets', status: '200' }) ?? 0) >= 1,
        'routes are templates',
      );
      assert.ok((value(gh, 'chatops_github_requests_total', { host, route: 'POST /graphql' }) ?? 0) >= 1);
      assert.ok(!gh.samples.some((s) => s.labels.route?.includes('pyWATS')), 'no expanded URL in a label');
      const notModified = family(m, 'chatops_github_not_modified_total', 'counter');
      assert.ok((value(notModified, 'chatops_github_not_modified_total', { host }) ?? 0) >= 1, '304s are counted apart');

      family(m, 'chatops_jobs_queued', 'gauge');
      family(m, 'chatops_jobs_lag_seconds', 'gauge');
      assert.equal(value(family(m, 'chatops_approvals_pending', 'gauge'), 'chatops_approvals_pending', {}), 1);
      const ages = family(m, 'chatops_secret_age_seconds', 'gauge');
      const age = value(ages, 'chatops_secret_age_seconds', { repo: h.seed.github.repo, secret: 'GHE_TOKEN' });
      assert.ok(age !== undefined && age > 86_400, `GHE_TOKEN's age is known from /sync-status (${age} s)`);
    });
  });

  test('job queue depth and lag per kind come from the store', async () => {
    await withHarness({}, async (h) => {
      await h.store.jobs.enqueue({ kind: 'release.follow', payload: {}, runAt: new Date(h.bot.deps.now().getTime() - 90_000) });
      await h.bot.chatops.worker.stop(); // keep it queued while we look
      await eventually(async () => {
        const m = await scrape(h);
        return (value(family(m, 'chatops_jobs_queued', 'gauge'), 'chatops_jobs_queued', { kind: 'release.follow', status: 'pending' }) ?? 0) >= 1;
      }, 'the queued job to show');
      const m = await scrape(h);
      const lag = value(family(m, 'chatops_jobs_lag_seconds', 'gauge'), 'chatops_jobs_lag_seconds', { kind: 'release.follow' });
      assert.ok(lag !== undefined && lag >= 90, `lag ${lag} s`);
    });
  });
});

describe('the strict exposition parser', () => {
  const ok = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1"} 3\n';
  test('reads a well-formed family', () => {
    assert.equal(parsePrometheusText(ok).get('a_total')?.samples[0]?.value, 3);
  });
  for (const [what, text] of [
    ['no final newline', ok.trimEnd()],
    ['a stray comment', `# hello\n${ok}`],
    ['an unquoted label', '# TYPE a gauge\na{x=1} 3\n'],
    ['a bad escape', '# TYPE a gauge\na{x="\\t"} 3\n'],
    ['a value that is not a number', '# TYPE a gauge\na 3x\n'],
    ['a negative counter', '# TYPE a_total counter\na_total -1\n'],
    ['a series twice', '# TYPE a gauge\na 1\na 2\n'],
    ['samples not contiguous', '# TYPE a gauge\na{x="1"} 1\n# TYPE b gauge\nb 1\na{x="2"} 2\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    ['buckets not cumulative', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf differs from _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
  ] as const) {
    test(`refuses ${what}`, () => assert.throws(() => parsePrometheusText(text)));
  }
});
