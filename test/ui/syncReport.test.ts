import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobInfo } from '../../src/core/ports.js';
import type { SyncFacts } from '../../src/core/sync/facts.js';
import { buildSyncReport, SyncReport } from '../../src/core/sync/report.js';
import { renderSyncReport, type RenderSyncReportOptions } from '../../src/ui/syncReport.js';
import {
  buildJob,
  failed,
  failedFacts,
  facts,
  GHE_WEB,
  HEAD,
  job,
  LOGS,
  NOW,
  ok,
  pushStepLog,
  refs,
  run,
  secretConfig,
  secretMeta,
  sha,
  skippedSyncJob,
  syncJob,
  TAGS,
  WEB,
} from '../core/builders.js';
import { allText, assertWithinLimits } from './slackLimits.js';

const SHARE = { actionId: 'sync_status_share', value: 'report:42' };

/** Builds, checks the JSON round trip, renders, and checks Slack's limits and mrkdwn. */
function render(f: SyncFacts, o: RenderSyncReportOptions = { shareButton: SHARE }) {
  const report = buildSyncReport(f, NOW);
  const stored = SyncReport.parse(JSON.parse(JSON.stringify(report)));
  const msg = renderSyncReport(stored, o);
  assertWithinLimits(msg);
  assert.deepEqual(renderSyncReport(report, o), msg, 'a stored report renders the same');
  return { msg, text: allText(msg), report };
}

describe('renderSyncReport', () => {
  test('in sync: header, headline, run fields with links and times, share button last', () => {
    const { msg, text } = render(facts());
    assert.deepEqual(msg.blocks[0], { type: 'header', text: { type: 'plain_text', text: 'Sync status: pywats → wats.ghe.com', emoji: true } });
    assert.match(text, /:white_check_mark: \*pywats is in sync\*/);
    assert.ok(text.includes(`*Ran for*\n\`v0.1.0b39\` at <${WEB}/commit/${HEAD}|a1b2c3d>`));
    assert.ok(text.includes(`<${WEB}/actions/runs/21000000001/job/61000000002|Sync to GitHub Enterprise> succeeded`));
    assert.ok(text.includes(`*Last run of \`publish.yml\`:* <${WEB}/actions/runs/21000000001|Publish to PyPI #42>`));
    assert.ok(text.includes('*Took*\n3m 12s'));
    assert.ok(text.includes('*Started*\n<!date^1769946300^{date_short_pretty} {time}|2026-02-01 11:45 UTC>'));
    assert.ok(text.includes(':white_check_mark: Every tag on GitHub is on GHE, at the same commit (4 tags compared).'));
    assert.ok(text.includes('*Default branch*\n:white_check_mark: same commit'));
    assert.ok(text.includes(`*GHE \`main\`*\n<${GHE_WEB}/commit/${HEAD}|a1b2c3d>`));
    assert.match(text, /`GHE_TOKEN` \(classic PAT for wats\.ghe\.com, used by the sync\): set 100 days ago, 265 days left of 365/);
    const last = msg.blocks.at(-1);
    assert.equal(last?.type, 'actions');
    assert.deepEqual(last?.type === 'actions' && last.elements[0], {
      type: 'button',
      text: { type: 'plain_text', text: 'Share in channel', emoji: true },
      action_id: 'sync_status_share',
      value: 'report:42',
    });
    assert.equal(
      msg.text,
      'pywats sync status: pywats is in sync\nLast run: Publish to PyPI #42 for v0.1.0b39; Sync to GitHub Enterprise succeeded.\nMirror: default branch same, 0 tags missing, 0 tags different.',
    );
  });

  test('without options: no actions block, no "shared by"', () => {
    const { msg, text } = render(facts(), {});
    assert.ok(msg.blocks.every((b) => b.type !== 'actions'));
    assert.doesNotMatch(text, /Shared by/);
  });

  test('shared: a context line names who shared it', () => {
    const { text } = render(facts(), { sharedBy: 'U0123ABCD' });
    assert.match(text, /Shared by <@U0123ABCD>/);
    const odd = render(facts(), { sharedBy: '<!channel>' }).text;
    assert.match(odd, /Shared by &lt;!channel&gt;/);
  });

  for (const [log, diagnosis, snippet] of [
    ['auth', 'authentication failed', '`/rotate pywats GHE_TOKEN`'],
    ['protected', 'push rejected by GHE', 'bypass branch protection'],
    ['notFound', 'mirror repository not found', 'WATS/pyWATS exists on wats.ghe.com'],
    ['network', 'GHE could not be reached', 'could not reach wats.ghe.com'],
  ] as const) {
    test(`failure (${diagnosis}): failed step, diagnosis, evidence in a code block, advice`, () => {
      const { text, msg } = render(failedFacts(LOGS[log]));
      assert.match(text, new RegExp(`:x: \\*last sync failed: ${diagnosis}`));
      assert.ok(text.includes('*Failed step:* `Push to GitHub Enterprise`'));
      assert.ok(text.includes(`*Diagnosis:* ${diagnosis}`));
      assert.ok(text.includes(snippet), snippet);
      assert.match(text, /```\n.+\n```/);
      assert.match(msg.text, new RegExp(`Cause: ${diagnosis}\\.`));
    });
  }

  test('failure (other): the last error with the lines before it, as a code block', () => {
    const { text } = render(failedFacts(LOGS.other));
    assert.match(text, /:x: \*last sync failed at step `Push to GitHub Enterprise`/);
    assert.ok(
      text.includes(
        '```\nCounting objects: 100% (12/12), done.\nDelta compression using up to 4 threads\nerror: RPC failed; HTTP 500 curl 22 The requested URL returned error: 500\nsend-pack: unexpected disconnect while reading sideband packet\nfatal: the remote end hung up unexpectedly\nProcess completed with exit code 128.\n```',
      ),
    );
  });

  test('failure without a log: says why there is no diagnosis', () => {
    const { text } = render(failedFacts('', { syncJobLog: failed('the log has expired') }));
    assert.ok(text.includes(':grey_question: No diagnosis: the log has expired. Open the job for its log.'));
  });

  test('skipped because the build failed: the failed job, linked', () => {
    const build = buildJob({ conclusion: 'failure' });
    const { text } = render(facts({ jobs: ok([build, skippedSyncJob()]) }));
    assert.match(text, /:warning: \*last sync was skipped: `Build and publish to PyPI` failed\*/);
    assert.ok(text.includes(`• <${build.htmlUrl}|Build and publish to PyPI> (failure)`));
    assert.ok(text.includes('The sync only runs after a successful publish'));
    assert.doesNotMatch(text, /\*Took\*/);
  });

  test('skipped with the secret missing: "verify the secret exists (exact name)"', () => {
    const { text } = render(facts({ jobs: ok([buildJob(), skippedSyncJob()]), secrets: ok([]) }));
    assert.ok(text.includes('No earlier job failed, but `GHE_TOKEN` is missing on olreppe/pyWATS. Verify the `GHE_TOKEN` secret exists (exact name)'));
    assert.match(text, /:x: `GHE_TOKEN` \(classic PAT for wats\.ghe\.com, used by the sync\): missing on olreppe\/pyWATS/);
  });

  test('skipped with nothing wrong: the if: condition was false', () => {
    const { text } = render(facts({ jobs: ok([buildJob(), skippedSyncJob()]) }));
    assert.ok(text.includes("the job's `if:` condition was false for this run (event `push` on `v0.1.0b39`)"));
  });

  test('skipped with secrets unreadable', () => {
    const { text } = render(facts({ jobs: ok([buildJob(), skippedSyncJob()]), secrets: failed('HTTP 403') }));
    assert.ok(text.includes("Could not read the repository's secrets (HTTP 403): verify that `GHE_TOKEN` exists (exact name)."));
  });

  test('in progress: running for how long', () => {
    const { text, msg } = render(
      facts({ jobs: ok([buildJob(), syncJob({ status: 'in_progress', conclusion: null, startedAt: '2026-02-01T11:58:00Z', completedAt: null })]) }),
    );
    assert.match(text, /:hourglass_flowing_sand: \*sync is running\*/);
    assert.ok(text.includes('*Running for*\n2m'));
    assert.ok(text.includes('in progress'));
    assert.match(msg.text, /in progress/);
  });

  test('queued: waiting for how long', () => {
    const { text } = render(
      facts({
        jobs: ok([buildJob({ status: 'in_progress', conclusion: null }), syncJob({ status: 'queued', conclusion: null, startedAt: null, completedAt: null })]),
      }),
    );
    assert.ok(text.includes('*Waiting for*\n20m'));
  });

  test('cancelled', () => {
    const { text } = render(facts({ jobs: ok([buildJob(), syncJob({ conclusion: 'cancelled' })]) }));
    assert.match(text, /:warning: \*last sync was cancelled\*/);
    assert.ok(text.includes(':no_entry_sign:'));
    assert.ok(text.includes('The job was cancelled'));
  });

  test('never ran', () => {
    const { text } = render(facts({ run: ok(null), jobs: null }));
    assert.match(text, /:grey_question: \*`publish.yml` has never run\*/);
    assert.ok(text.includes('The workflow has never run, so it has never synced the mirror.'));
  });

  test('job not in the run: lists the jobs there are and explains sync.job', () => {
    const { text } = render(facts({ job: 'sync-to-ghe' }));
    assert.ok(text.includes(':warning: No job matching `sync-to-ghe` is in this run.'));
    assert.ok(text.includes('*Jobs in this run:*\n• `Build and publish to PyPI`\n• `Sync to GitHub Enterprise`'));
  });

  test('run or jobs unreadable', () => {
    assert.ok(render(facts({ run: failed('HTTP 502'), jobs: null })).text.includes("Could not read the workflow's runs: HTTP 502"));
    assert.ok(render(facts({ jobs: failed('timeout') })).text.includes("Could not read the run's jobs: timeout"));
  });

  test('GHE unreachable: that part says so, everything else renders', () => {
    const { text } = render(facts({ mirrorRefs: failed('connect ETIMEDOUT wats.ghe.com:443') }));
    assert.ok(text.includes(':grey_question: GHE unreachable: connect ETIMEDOUT wats.ghe.com:443'));
    assert.ok(text.includes('*GHE*\n:grey_question: unreachable'));
    assert.ok(text.includes('*Took*\n3m 12s'));
    assert.match(text, /`GHE_TOKEN`.*265 days left/);
  });

  test('GitHub refs unreachable', () => {
    const { text } = render(facts({ githubRefs: failed('rate limited') }));
    assert.ok(text.includes(':grey_question: GitHub unreachable: rate limited'));
  });

  test('secrets unreadable: says the age could not be read, and why', () => {
    const { text } = render(facts({ secrets: failed('Resource not accessible by integration') }));
    assert.ok(text.includes(":grey_question: Could not read the repository's secrets, so their age is unknown: Resource not accessible by integration"));
    assert.ok(text.includes(':grey_question: `GHE_TOKEN` (classic PAT for wats.ghe.com, used by the sync): age unknown'));
  });

  test('secret ages: ok, due soon, overdue, missing, each with what to do', () => {
    const { text } = render(
      facts({
        configuredSecrets: [
          secretConfig({ name: 'A_OK' }),
          secretConfig({ name: 'B_SOON' }),
          secretConfig({ name: 'C_LATE', kind: 'fine-grained-pat', host: 'https://github.com' }),
          secretConfig({ name: 'D_GONE', kind: 'deploy-key' }),
          secretConfig({ name: 'E_TODAY' }),
        ],
        secrets: ok([secretMeta('A_OK', 10), secretMeta('B_SOON', 350), secretMeta('C_LATE', 400), secretMeta('E_TODAY', 365)]),
      }),
    );
    assert.ok(text.includes(':white_check_mark: `A_OK` (classic PAT for wats.ghe.com, used by the sync): set 10 days ago, 355 days left of 365'));
    assert.ok(
      text.includes(
        ':warning: `B_SOON` (classic PAT for wats.ghe.com, used by the sync): set 350 days ago, due for rotation in 15 days: rotate with `/rotate pywats B_SOON`',
      ),
    );
    assert.ok(
      text.includes(':x: `C_LATE` (fine-grained PAT for github.com): set 400 days ago, overdue by 35 days (max 365): rotate with `/rotate pywats C_LATE`'),
    );
    assert.ok(text.includes(':x: `D_GONE` (deploy key for wats.ghe.com, used by the sync): missing on olreppe/pyWATS'));
    assert.ok(text.includes('`E_TODAY` (classic PAT for wats.ghe.com, used by the sync): set 365 days ago, reached its maximum age today'));
  });

  test('no secret configured', () => {
    assert.ok(render(facts({ configuredSecrets: [] })).text.includes('No secret is configured for this repository.'));
  });

  test('drift: missing tags newest first, a differing tag with both commits, head differs, tags only on GHE', () => {
    const mirror = refs(['v0.1.0b36', 'v0.1.0b37', 'old-experiment'], { headSha: sha('behind') });
    mirror.tags['v0.1.0b37'] = sha('rewritten');
    const { text } = render(facts({ mirrorRefs: ok(mirror) }));
    assert.match(text, /:warning: \*GHE mirror is behind \(2 tags missing, 1 tag differs, `main` differs\)\*/);
    assert.ok(text.includes(':x: *2 tags missing on GHE:* `v0.1.0b39`, `v0.1.0b38`'));
    assert.ok(
      text.includes(
        `:x: *1 tag at a different commit on GHE:*\n• \`v0.1.0b37\`: GitHub <${WEB}/commit/${sha('v0.1.0b37')}|${sha('v0.1.0b37').slice(0, 7)}> ≠ GHE <${GHE_WEB}/commit/${sha('rewritten')}|${sha('rewritten').slice(0, 7)}>`,
      ),
    );
    assert.ok(text.includes('*Default branch*\n:x: differs'));
    assert.ok(text.includes(`<${GHE_WEB}/commit/${sha('behind')}|${sha('behind').slice(0, 7)}>`));
    assert.ok(text.includes(':information_source: *1 tag only on GHE* (for information): `old-experiment`'));
  });

  test('partial tag lists: a context line says what the comparison covers', () => {
    const { text } = render(facts({ githubRefs: ok(refs(TAGS, { totalTags: 250 })), mirrorRefs: ok(refs(TAGS, { totalTags: 240 })) }));
    assert.ok(text.includes('The tag comparison covers only the tags returned: 4 of 250 on GitHub, 4 of 240 on GHE.'));
  });

  test('different default branch names are pointed out', () => {
    const { text } = render(facts({ mirrorRefs: ok(refs(TAGS, { defaultBranch: 'master' })) }));
    assert.ok(text.includes('The default branches differ: `main` on GitHub, `master` on GHE.'));
  });

  test('everything from a host is escaped; backticks cannot break code spans', () => {
    const evil = 'Sync <to> GHE & `friends`';
    const { text, msg } = render(
      facts({
        job: evil,
        run: ok(run({ name: 'Publish <b>', headBranch: 'v1`<x>' })),
        jobs: ok([buildJob(), syncJob({ name: evil })]),
        repo: { name: 'py&wats', github: 'olreppe/pyWATS', webUrl: WEB },
      }),
    );
    assert.ok(text.includes('Sync &lt;to&gt; GHE &amp; `friends`'));
    assert.ok(text.includes('`v1ˋ&lt;x&gt;`'));
    assert.ok(text.includes('Publish &lt;b&gt; #42'));
    assert.match(msg.text, /^py&amp;wats sync status/);
  });
});

describe('renderSyncReport stays within Slack limits whatever the size', () => {
  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

  test('500 missing, 500 differing, 500 GHE-only tags, with long names', () => {
    const long = (i: number) => `v1.${i}.0-${'x'.repeat(240)}`;
    const github = refs([...many(500, (i) => `v2.${i}.0`), ...many(500, long)]);
    const mirror = refs([...many(500, long), ...many(500, (i) => `ghe-${i}`)]);
    for (const name of Object.keys(mirror.tags)) if (name.startsWith('v1.')) mirror.tags[name] = sha(`other-${name}`);
    const { text } = render(facts({ githubRefs: ok(github), mirrorRefs: ok(mirror) }));
    assert.ok(text.includes(':x: *500 tags missing on GHE:* `v2.499.0`, `v2.498.0`'));
    assert.ok(text.includes('… and 485 more'));
    assert.ok(text.includes('*500 tags at a different commit on GHE:*'));
    assert.ok(text.includes(':information_source: *500 tags only on GHE*'));
  });

  test('huge log lines and a huge token-laden log', () => {
    const token = 'ghp_' + 'Z'.repeat(36);
    const log = pushStepLog([
      ...many(2000, (i) => `noise ${i} ${'n'.repeat(500)}`),
      `fatal: unable to access 'https://oauth2:${token}@wats.ghe.com/': ${'<&>'.repeat(5000)}`,
    ]);
    const { text } = render(failedFacts(log));
    assert.ok(!text.includes(token));
    assert.ok(!text.includes('ZZZZZZZZZZZZZZZZZZZZ'));
    assert.ok(text.includes('[redacted]@wats.ghe.com'));
  });

  test('a token in an "other" excerpt never reaches the message', () => {
    const pat = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN';
    const log = pushStepLog([`debug: using ${pat}`, 'Authorization: token abcdef0123456789', 'something odd']);
    const { text } = render(failedFacts(log));
    assert.ok(!text.includes(pat));
    assert.ok(!text.includes('abcdef0123456789'));
  });

  test('300 jobs in a run without the sync job', () => {
    const jobs: JobInfo[] = many(300, (i) => job({ id: i + 1, name: `matrix job ${i} ${'m'.repeat(200)}` }));
    const { text } = render(facts({ jobs: ok(jobs) }));
    assert.ok(text.includes('… and 285 more'));
  });

  test('so many secrets that the message overflows: trimmed to 50 blocks, share button kept', () => {
    const names = many(1500, (i) => `SECRET_${i}_${'S'.repeat(60)}`);
    const { msg } = render(facts({ configuredSecrets: names.map((name) => secretConfig({ name })), secrets: ok(names.map((n) => secretMeta(n, 400))) }));
    assert.equal(msg.blocks.length, 50);
    assert.equal(msg.blocks.at(-1)?.type, 'actions');
    const note = msg.blocks.at(-2);
    assert.equal(note?.type, 'context');
    assert.match(JSON.stringify(note), /more sections? omitted/);
  });
});
