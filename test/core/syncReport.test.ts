import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildSyncReport, SyncReport } from '../../src/core/sync/report.js';
import type { SyncFacts } from '../../src/core/sync/facts.js';
import {
  buildJob,
  failed,
  failedFacts,
  failedSyncJob,
  facts,
  GHE_WEB,
  HEAD,
  job,
  LOGS,
  NOW,
  ok,
  refs,
  run,
  secretConfig,
  secretMeta,
  sha,
  skippedSyncJob,
  syncJob,
  TAGS,
  WEB,
} from './builders.js';

function report(f: SyncFacts): SyncReport {
  const r = buildSyncReport(f, NOW);
  // Every report must survive being stored as JSON and read back.
  assert.deepEqual(SyncReport.parse(JSON.parse(JSON.stringify(r))), r);
  return r;
}

function found(r: SyncReport) {
  assert.equal(r.run.kind, 'found');
  return r.run as Extract<SyncReport['run'], { kind: 'found' }>;
}

describe('buildSyncReport: the sync job', () => {
  test('success and in sync', () => {
    const r = report(facts());
    assert.deepEqual(r.headline, { level: 'ok', text: 'pywats is in sync' });
    const f = found(r);
    assert.equal(f.job.state, 'success');
    assert.equal(f.job.durationMs, 3 * 60_000 + 12_000);
    assert.equal(f.job.elapsedMs, null);
    assert.equal(f.job.url, `${WEB}/actions/runs/21000000001/job/61000000002`);
    assert.equal(f.run.commitUrl, `${WEB}/commit/${HEAD}`);
    assert.equal(f.run.headBranch, 'v0.1.0b39');
    assert.equal(f.failure, null);
    assert.equal(f.skipped, null);
    assert.equal(r.generatedAt, NOW.toISOString());
  });

  test('a job without html_url links to the run', () => {
    const f = found(report(facts({ jobs: ok([buildJob(), syncJob({ htmlUrl: null })]) })));
    assert.equal(f.job.url, `${WEB}/actions/runs/21000000001`);
  });

  const diagnoses = [
    ['auth', 'auth_failed', 'last sync failed: authentication failed'],
    ['protected', 'push_rejected', 'last sync failed: push rejected by GHE'],
    ['notFound', 'repo_not_found', 'last sync failed: mirror repository not found'],
    ['network', 'network', 'last sync failed: GHE could not be reached'],
    ['other', 'other', 'last sync failed at step `Push to GitHub Enterprise`'],
  ] as const;
  for (const [log, kind, headline] of diagnoses) {
    test(`failure: ${kind}`, () => {
      const r = report(failedFacts(LOGS[log]));
      const f = found(r);
      assert.equal(f.job.state, 'failure');
      assert.deepEqual(f.failure?.failedStep, { number: 5, name: 'Push to GitHub Enterprise' });
      assert.equal(f.failure?.diagnosis?.kind, kind);
      assert.equal(r.headline.level, 'error');
      // The mirror is also behind in failedFacts: the headline says both.
      assert.equal(r.headline.text, `${headline}; GHE mirror is behind (1 tag missing, \`main\` differs)`);
      assert.ok((f.failure?.diagnosis?.advice.length ?? 0) > 0);
    });
  }

  test('auth failure: advice names the secret to rotate, its scope and push access', () => {
    const d = found(report(failedFacts(LOGS.auth))).failure?.diagnosis;
    assert.equal(d?.rotateSecret, 'GHE_TOKEN');
    const advice = d?.advice.join('\n') ?? '';
    assert.match(advice, /`\/rotate pywats GHE_TOKEN`/);
    assert.match(advice, /expired, was revoked, or lacks the `repo` scope/);
    assert.match(advice, /push access to https:\/\/wats\.ghe\.com\/WATS\/pyWATS/);
    assert.equal(d?.evidence, 'remote: Invalid username or password.');
  });

  test('auth failure: the secret for the mirror host wins over an earlier PAT of another host', () => {
    const f = failedFacts(LOGS.auth, {
      configuredSecrets: [secretConfig({ name: 'RELEASE_PAT', host: 'https://github.com' }), secretConfig({ name: 'GHE_SYNC' })],
      secrets: ok([secretMeta('RELEASE_PAT', 5), secretMeta('GHE_SYNC', 5)]),
    });
    assert.equal(found(report(f)).failure?.diagnosis?.rotateSecret, 'GHE_SYNC');
  });

  test('auth failure: without a secret for the host, the first PAT (not a deploy key)', () => {
    const f = failedFacts(LOGS.auth, {
      configuredSecrets: [
        secretConfig({ name: 'DEPLOY', kind: 'deploy-key', host: 'https://github.com' }),
        secretConfig({ name: 'FG', kind: 'fine-grained-pat', host: 'https://github.com' }),
      ],
      secrets: ok([secretMeta('DEPLOY', 5), secretMeta('FG', 5)]),
    });
    const d = found(report(f)).failure?.diagnosis;
    assert.equal(d?.rotateSecret, 'FG');
    assert.match(d?.advice.join('\n') ?? '', /Contents: read and write/);
  });

  test('auth failure with the secret missing: says so instead of "rotate"', () => {
    const d = found(report(failedFacts(LOGS.authMissingSecret, { secrets: ok([secretMeta('PYPI_TOKEN', 3)]) }))).failure?.diagnosis;
    assert.equal(d?.kind, 'auth_failed');
    const advice = d?.advice.join('\n') ?? '';
    assert.match(advice, /`GHE_TOKEN` does not exist on olreppe\/pyWATS/);
    assert.doesNotMatch(advice, /Rotate it with/);
  });

  test('auth failure with an overdue secret: says it has most likely expired', () => {
    const d = found(report(failedFacts(LOGS.auth, { secrets: ok([secretMeta('GHE_TOKEN', 400)]) }))).failure?.diagnosis;
    assert.match(d?.advice.join('\n') ?? '', /last set 400 days ago \(limit 365\): the token has most likely expired/);
  });

  test('auth failure with no secret configured at all', () => {
    const d = found(report(failedFacts(LOGS.auth, { configuredSecrets: [] }))).failure?.diagnosis;
    assert.equal(d?.rotateSecret, null);
    assert.match(d?.advice.join('\n') ?? '', /No secret for wats\.ghe\.com is configured/);
  });

  test('push rejected: advice about branch protection bypass', () => {
    const d = found(report(failedFacts(LOGS.protected))).failure?.diagnosis;
    assert.match(d?.advice.join('\n') ?? '', /bypass branch protection/);
    assert.equal(d?.evidence, 'remote: error: GH006: Protected branch update failed for refs/heads/main.');
  });

  test('other: the excerpt is kept for rendering', () => {
    const d = found(report(failedFacts(LOGS.other))).failure?.diagnosis;
    assert.equal(d?.evidence, 'Process completed with exit code 128.');
    assert.equal(d?.context.length, 5);
  });

  test('failure whose log was not fetched, or could not be read', () => {
    const notFetched = found(report(failedFacts('', { syncJobLog: null }))).failure;
    assert.equal(notFetched?.diagnosis, null);
    assert.equal(notFetched?.logProblem, 'the job log was not fetched');
    const gone = found(report(failedFacts('', { syncJobLog: failed('the log has expired (HTTP 410)') }))).failure;
    assert.equal(gone?.logProblem, 'the log has expired (HTTP 410)');
    assert.deepEqual(gone?.failedStep, { number: 5, name: 'Push to GitHub Enterprise' });
  });

  test('failure without a failed step (e.g. startup failure)', () => {
    const r = report(failedFacts(LOGS.auth, { jobs: ok([buildJob(), syncJob({ conclusion: 'startup_failure' })]) }));
    assert.equal(found(r).job.state, 'failure');
    assert.equal(found(r).failure?.failedStep, null);
  });

  test('timed out', () => {
    const r = report(failedFacts(LOGS.other, { jobs: ok([buildJob(), failedSyncJob({ conclusion: 'timed_out' })]) }));
    assert.equal(found(r).job.state, 'timed_out');
    assert.equal(r.headline.level, 'error');
    assert.match(r.headline.text, /^last sync timed out/);
  });

  test('skipped because the build failed: names the earlier job, with its link', () => {
    const build = buildJob({ conclusion: 'failure' });
    const r = report(facts({ run: ok(run({ conclusion: 'failure' })), jobs: ok([build, skippedSyncJob()]) }));
    const f = found(r);
    assert.equal(f.job.state, 'skipped');
    assert.equal(f.job.durationMs, null);
    assert.deepEqual(f.skipped?.upstream, [{ name: 'Build and publish to PyPI', url: build.htmlUrl, conclusion: 'failure' }]);
    assert.equal(f.skipped?.secretCheck, null);
    assert.deepEqual(r.headline, { level: 'warning', text: 'last sync was skipped: `Build and publish to PyPI` failed' });
  });

  test('skipped because the build was cancelled; later or successful jobs are not blamed', () => {
    const jobs = [
      job({ id: 1, name: 'lint', conclusion: 'success' }),
      buildJob({ conclusion: 'cancelled' }),
      skippedSyncJob(),
      job({ id: 9, name: 'notify', conclusion: 'failure', startedAt: '2026-02-01T11:50:00Z', completedAt: '2026-02-01T11:51:00Z' }),
    ];
    const f = found(report(facts({ jobs: ok(jobs) })));
    assert.deepEqual(
      f.skipped?.upstream.map((j) => [j.name, j.conclusion]),
      [['Build and publish to PyPI', 'cancelled']],
    );
  });

  test('skipped with nothing failed before it and the secret missing', () => {
    const r = report(facts({ jobs: ok([buildJob(), skippedSyncJob()]), secrets: ok([secretMeta('PYPI_TOKEN', 1)]) }));
    const f = found(r);
    assert.deepEqual(f.skipped, { upstream: [], secretCheck: { readable: true, checked: ['GHE_TOKEN'], missing: ['GHE_TOKEN'] } });
    assert.deepEqual(r.headline, { level: 'warning', text: 'last sync was skipped: secret `GHE_TOKEN` is missing' });
  });

  test('skipped, nothing failed, secret present: no missing secret reported', () => {
    const f = found(report(facts({ jobs: ok([buildJob(), skippedSyncJob()]) })));
    assert.deepEqual(f.skipped?.secretCheck, { readable: true, checked: ['GHE_TOKEN'], missing: [] });
  });

  test('skipped, nothing failed, secrets unreadable: says why', () => {
    const f = found(report(facts({ jobs: ok([buildJob(), skippedSyncJob()]), secrets: failed('403: Resource not accessible by integration') })));
    assert.deepEqual(f.skipped?.secretCheck, {
      readable: false,
      checked: ['GHE_TOKEN'],
      reason: '403: Resource not accessible by integration',
    });
  });

  test('skipped: only secrets for the mirror host are checked when there are some', () => {
    const f = found(
      report(
        facts({
          jobs: ok([buildJob(), skippedSyncJob()]),
          configuredSecrets: [secretConfig({ name: 'RELEASE_PAT', host: 'https://github.com' }), secretConfig()],
          secrets: ok([]),
        }),
      ),
    );
    assert.deepEqual(f.skipped?.secretCheck, { readable: true, checked: ['GHE_TOKEN'], missing: ['GHE_TOKEN'] });
  });

  test('in progress: running for how long, at the time of the report', () => {
    const r = report(
      facts({
        run: ok(run({ status: 'in_progress', conclusion: null })),
        jobs: ok([buildJob(), syncJob({ status: 'in_progress', conclusion: null, startedAt: '2026-02-01T11:58:00Z', completedAt: null })]),
      }),
    );
    const f = found(r);
    assert.equal(f.job.state, 'in_progress');
    assert.equal(f.job.elapsedMs, 2 * 60_000);
    assert.equal(f.job.durationMs, null);
    assert.deepEqual(r.headline, { level: 'running', text: 'sync is running' });
  });

  test('queued and waiting', () => {
    for (const [status, state] of [
      ['queued', 'queued'],
      ['waiting', 'waiting'],
      ['pending', 'queued'],
    ] as const) {
      const r = report(
        facts({ jobs: ok([buildJob({ status: 'in_progress', conclusion: null }), syncJob({ status, conclusion: null, startedAt: null, completedAt: null })]) }),
      );
      assert.equal(found(r).job.state, state);
      assert.equal(r.headline.level, 'running');
      // Since the run started (11:40), as the job has not.
      assert.equal(found(r).job.elapsedMs, 20 * 60_000);
    }
  });

  test('cancelled', () => {
    const r = report(facts({ jobs: ok([buildJob(), syncJob({ conclusion: 'cancelled' })]) }));
    assert.equal(found(r).job.state, 'cancelled');
    assert.deepEqual(r.headline, { level: 'warning', text: 'last sync was cancelled' });
  });

  test('an unusual conclusion is reported as is', () => {
    const r = report(facts({ jobs: ok([buildJob(), syncJob({ conclusion: 'neutral' })]) }));
    assert.equal(found(r).job.state, 'other');
    assert.equal(r.headline.text, 'last sync ended as `neutral`');
  });

  test('never ran', () => {
    const r = report(facts({ run: ok(null), jobs: null }));
    assert.deepEqual(r.run, { kind: 'never_ran' });
    assert.deepEqual(r.headline, { level: 'unknown', text: '`publish.yml` has never run' });
  });

  test('never ran, and GHE lags: warning with the drift', () => {
    const r = report(facts({ run: ok(null), jobs: null, mirrorRefs: ok(refs([])) }));
    assert.equal(r.headline.level, 'warning');
    assert.equal(r.headline.text, '`publish.yml` has never run; GHE mirror is behind (4 tags missing)');
  });

  test('a numeric workflow id is shown as text', () => {
    assert.equal(report(facts({ workflow: 123456, run: ok(null), jobs: null })).workflow, '123456');
  });

  test('sync job not in the run: lists the jobs that are', () => {
    const r = report(facts({ job: 'sync-to-ghe' }));
    assert.deepEqual(r.run.kind === 'job_missing' && [r.run.jobNames, r.run.totalJobs], [['Build and publish to PyPI', 'Sync to GitHub Enterprise'], 2]);
    assert.equal(r.headline.level, 'warning');
    assert.equal(r.headline.text, 'sync job `sync-to-ghe` is not in the last run of `publish.yml`');
  });

  test('a run in progress whose sync job GitHub has not created yet: pending, not missing', () => {
    const r = report(
      facts({
        run: ok(run({ status: 'in_progress', conclusion: null })),
        jobs: ok([buildJob({ status: 'in_progress', conclusion: null })]),
      }),
    );
    assert.equal(r.run.kind, 'job_pending');
    assert.deepEqual(r.run.kind === 'job_pending' && r.run.jobs.map((j) => [j.name, j.status]), [['Build and publish to PyPI', 'in_progress']]);
    assert.equal(r.headline.level, 'running');
    assert.match(r.headline.text, /in progress; the sync job has not started yet/);
  });

  test('a YAML job id is found through workflowJobNames', () => {
    const r = report(
      facts({ job: 'sync-to-ghe', workflowJobNames: { 'build-and-publish': 'Build and publish to PyPI', 'sync-to-ghe': 'Sync to GitHub Enterprise' } }),
    );
    assert.equal(found(r).job.name, 'Sync to GitHub Enterprise');
  });

  test('the run could not be read; its jobs could not be read', () => {
    const a = report(facts({ run: failed('GitHub answered 502'), jobs: null }));
    assert.deepEqual(a.run, { kind: 'unavailable', reason: 'GitHub answered 502' });
    assert.equal(a.headline.level, 'unknown');
    const b = report(facts({ jobs: failed('timeout after 10s') }));
    assert.equal(b.run.kind, 'jobs_unavailable');
    assert.equal(b.run.kind === 'jobs_unavailable' && b.run.reason, 'timeout after 10s');
    const c = report(facts({ jobs: null }));
    assert.equal(c.run.kind, 'jobs_unavailable');
  });
});

describe('buildSyncReport: the mirror check', () => {
  test('GHE unreachable: that part says why, the rest is intact', () => {
    const r = report(facts({ mirrorRefs: failed('connect ETIMEDOUT wats.ghe.com:443') }));
    assert.deepEqual(r.mirrorCheck.mirror, { reachable: false, reason: 'connect ETIMEDOUT wats.ghe.com:443' });
    assert.equal(r.mirrorCheck.comparison, null);
    assert.equal(r.mirrorCheck.github.reachable, true);
    assert.equal(found(r).job.state, 'success');
    assert.deepEqual(r.headline, {
      level: 'unknown',
      text: 'last sync succeeded, but GHE unreachable: connect ETIMEDOUT wats.ghe.com:443',
    });
  });

  test('GitHub refs unreachable', () => {
    const r = report(facts({ githubRefs: failed('rate limited until 12:30 UTC') }));
    assert.deepEqual(r.mirrorCheck.github, { reachable: false, reason: 'rate limited until 12:30 UTC' });
    assert.equal(r.mirrorCheck.mirror.reachable, true);
    assert.equal(r.mirrorCheck.comparison, null);
    assert.match(r.headline.text, /GitHub unreachable: rate limited/);
  });

  test('missing tags, newest first', () => {
    const r = report(facts({ mirrorRefs: ok(refs(['v0.1.0b36'])) }));
    const c = r.mirrorCheck.comparison;
    assert.deepEqual(c?.missingOnMirror, { total: 3, items: ['v0.1.0b39', 'v0.1.0b38', 'v0.1.0b37'] });
    assert.deepEqual(r.headline, { level: 'warning', text: 'GHE mirror is behind (3 tags missing)' });
  });

  test('a tag at a different commit', () => {
    const mirror = refs();
    mirror.tags['v0.1.0b38'] = sha('rewritten');
    const r = report(facts({ mirrorRefs: ok(mirror) }));
    assert.deepEqual(r.mirrorCheck.comparison?.differing.items, [
      {
        name: 'v0.1.0b38',
        githubSha: sha('v0.1.0b38'),
        mirrorSha: sha('rewritten'),
        githubUrl: `${WEB}/commit/${sha('v0.1.0b38')}`,
        mirrorUrl: `${GHE_WEB}/commit/${sha('rewritten')}`,
      },
    ]);
    assert.deepEqual(r.headline, { level: 'warning', text: 'GHE mirror is out of sync (1 tag differs)' });
  });

  test('SHAs are compared case-insensitively', () => {
    const mirror = refs(TAGS, { headSha: HEAD.toUpperCase() });
    const r = report(facts({ mirrorRefs: ok(mirror) }));
    assert.equal(r.mirrorCheck.comparison?.headEqual, true);
  });

  test('a different default-branch head', () => {
    const r = report(facts({ mirrorRefs: ok(refs(TAGS, { headSha: sha('older') })) }));
    assert.equal(r.mirrorCheck.comparison?.headEqual, false);
    assert.equal(r.mirrorCheck.mirror.reachable && r.mirrorCheck.mirror.headUrl, `${GHE_WEB}/commit/${sha('older')}`);
    assert.deepEqual(r.headline, { level: 'warning', text: 'GHE mirror is out of sync (`main` differs)' });
  });

  test('tags only on GHE are informational', () => {
    const r = report(facts({ mirrorRefs: ok(refs([...TAGS, 'backup', 'v0.0.1'])) }));
    assert.deepEqual(r.mirrorCheck.comparison?.onlyOnMirror, { total: 2, items: ['v0.0.1', 'backup'] });
    assert.equal(r.headline.level, 'ok');
  });

  test('partial tag lists are flagged', () => {
    const r = report(facts({ githubRefs: ok(refs(TAGS, { totalTags: 250 })) }));
    assert.equal(r.mirrorCheck.comparison?.partial, true);
    assert.equal(r.mirrorCheck.github.reachable && r.mirrorCheck.github.totalTags, 250);
    assert.equal(r.headline.text, 'pywats is in sync (as far as the first 4 tags show)');
  });

  test('long lists are capped in the report, with the real total', () => {
    const many = Array.from({ length: 500 }, (_, i) => `v1.${i}.0`);
    const r = report(facts({ githubRefs: ok(refs(many)), mirrorRefs: ok(refs([])) }));
    const m = r.mirrorCheck.comparison?.missingOnMirror;
    assert.equal(m?.total, 500);
    assert.equal(m?.items.length, 100);
    assert.equal(m?.items[0], 'v1.499.0');
  });

  test('an empty mirror (no commits) differs from GitHub', () => {
    const r = report(facts({ mirrorRefs: ok(refs([], { headSha: null })) }));
    assert.equal(r.mirrorCheck.comparison?.headEqual, false);
    assert.equal(r.mirrorCheck.mirror.reachable && r.mirrorCheck.mirror.headUrl, null);
  });
});

describe('buildSyncReport: secrets', () => {
  const ages = (days: number | null, maxAgeDays = 365) =>
    report(
      facts({
        configuredSecrets: [secretConfig({ maxAgeDays })],
        secrets: ok(days === null ? [] : [secretMeta('GHE_TOKEN', days)]),
      }),
    );

  test('ok, due soon, overdue, missing (boundaries included)', () => {
    const at = (days: number | null) => ages(days).secrets.items[0];
    assert.deepEqual([at(100)?.state, at(100)?.ageDays, at(100)?.daysLeft], ['ok', 100, 265]);
    assert.equal(at(334)?.state, 'ok'); // 31 days left
    assert.equal(at(335)?.state, 'due_soon'); // 30 days left
    assert.equal(at(364)?.state, 'due_soon');
    assert.equal(at(365)?.state, 'overdue');
    assert.deepEqual([at(400)?.state, at(400)?.daysLeft], ['overdue', -35]);
    assert.deepEqual([at(null)?.state, at(null)?.ageDays], ['missing', null]);
  });

  test('the headline warns of an overdue or missing secret when all else is well', () => {
    assert.deepEqual(ages(400).headline, { level: 'warning', text: 'pywats is in sync, but `GHE_TOKEN` is overdue for rotation' });
    assert.deepEqual(ages(null).headline, { level: 'warning', text: 'pywats is in sync, but `GHE_TOKEN` is missing' });
    assert.deepEqual(ages(340).headline, { level: 'ok', text: 'pywats is in sync (`GHE_TOKEN` due for rotation soon)' });
  });

  test('names match case-insensitively (GitHub upper-cases them)', () => {
    const r = report(facts({ configuredSecrets: [secretConfig({ name: 'ghe_token' })], secrets: ok([secretMeta('GHE_TOKEN', 1)]) }));
    assert.equal(r.secrets.items[0]?.state, 'ok');
  });

  test('unreadable secrets: every configured one is unknown, with the reason', () => {
    const r = report(facts({ secrets: failed('the bot lacks the "Secrets: read" permission') }));
    assert.equal(r.secrets.readable, false);
    assert.equal(r.secrets.reason, 'the bot lacks the "Secrets: read" permission');
    assert.deepEqual(
      r.secrets.items.map((s) => s.state),
      ['unknown'],
    );
    assert.equal(r.headline.level, 'ok');
  });

  test('a secret for another host is listed but not "for the mirror"', () => {
    const r = report(
      facts({
        configuredSecrets: [secretConfig(), secretConfig({ name: 'RELEASE_PAT', host: 'https://github.com' })],
        secrets: ok([secretMeta('GHE_TOKEN', 1), secretMeta('RELEASE_PAT', 1)]),
      }),
    );
    assert.deepEqual(
      r.secrets.items.map((s) => [s.name, s.forMirror]),
      [
        ['GHE_TOKEN', true],
        ['RELEASE_PAT', false],
      ],
    );
  });
});

test('SyncReport rejects what is not a report', () => {
  const r = buildSyncReport(facts(), NOW);
  assert.throws(() => SyncReport.parse({ ...r, version: 2 }));
  assert.throws(() => SyncReport.parse({ ...r, generatedAt: 'yesterday' }));
  assert.throws(() => SyncReport.parse({ ...r, run: { kind: 'exploded' } }));
});
