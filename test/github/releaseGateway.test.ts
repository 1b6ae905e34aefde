import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createGitHubClient, type GitHubClient } from '../../src/github/octokit.js';
import { isPossibleTagName, ReleaseGateway } from '../../src/github/releaseGateway.js';
import type { RepoRef, WorkflowRunInfo } from '../../src/core/ports.js';
import { GitHubError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { FakeGitHub } from '@chatops/fake-github';
import { routingFetch } from '@chatops/sandbox/routingFetch.js';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';

const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });
const releaseYaml = readFileSync(new URL('../../packages/fake-github/src/fixtures/workflows/jankins-release.yml', import.meta.url), 'utf8');
const pushOnlyYaml = [
  'name: Build only',
  'on:',
  '  push:',
  '    branches: [main]',
  'jobs:',
  '  build:',
  '    runs-on: ubuntu-latest',
  '    steps:',
  '      - run: echo build',
  '',
].join('\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('ReleaseGateway', () => {
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  const repo: RepoRef = { owner: 'olreppe', name: 'pyWATS' };
  const mirror: RepoRef = { owner: 'WATS', name: 'pyWATS' };
  const gateway = (host: 'api.github.com' | 'wats.ghe.com'): ReleaseGateway => {
    const client: GitHubClient = createGitHubClient({
      apiUrl: host === 'api.github.com' ? 'https://api.github.com' : 'https://wats.ghe.com/api/v3',
      auth: { kind: 'token', token: host === 'api.github.com' ? seed.github.token : seed.ghe.token },
      logger,
      tuning: { fetch: routingFetch({ 'api.github.com': github.url, 'wats.ghe.com': ghe.url }), retryBaseMs: 1 },
    });
    return new ReleaseGateway(client);
  };
  const dispatchPosts = (fake: FakeGitHub): number[] => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/dispatches')).map((r) => r.status);

  before(async () => {
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    seed = seedPywats(github, ghe);
    // The mirror gets the release workflow registered too, so GHES' dispatch can be exercised.
    ghe.addWorkflow(seed.ghe.repo, '.github/workflows/release.yml', releaseYaml);
  });
  after(() => Promise.all([github.stop(), ghe.stop()]));

  describe('tag', () => {
    test('an annotated tag is peeled to its commit, with the commit subject', async () => {
      github.clearRequests();
      const tag = await gateway('api.github.com').tag(repo, 'v0.1.0b39');
      assert.deepEqual(tag, { name: 'v0.1.0b39', sha: seed.github.tags['v0.1.0b39'], subject: 'chore(release): 0.1.0b39' });
      const paths = github.requests.map((r) => r.path.replace('/repos/olreppe/pyWATS', ''));
      assert.equal(paths[0], '/git/ref/tags%2Fv0.1.0b39');
      assert.match(paths[1] ?? '', /^\/git\/tags\/[0-9a-f]{40}$/);
      assert.equal(paths[2], `/git/commits/${seed.github.tags['v0.1.0b39']}`);
    });

    test('on GHES too (REST under /api/v3)', async () => {
      const tag = await gateway('wats.ghe.com').tag(mirror, 'v0.1.0b38');
      assert.equal(tag?.sha, seed.ghe.tags['v0.1.0b38']);
      assert.equal(tag?.subject, 'chore(release): 0.1.0b38');
    });

    test('a lightweight tag whose name needs encoding is found without peeling', async () => {
      const sha = github.pushCommit(seed.github.repo, { message: 'fix: odd tag names\n\nBody text.' });
      github.createTag(seed.github.repo, 'team/rc#1+build', { sha });
      github.clearRequests();
      const tag = await gateway('api.github.com').tag(repo, 'team/rc#1+build');
      assert.deepEqual(tag, { name: 'team/rc#1+build', sha, subject: 'fix: odd tag names' });
      assert.equal(github.requests.length, 2);
      assert.ok(github.requests[0]?.path.endsWith('/git/ref/tags%2Fteam%2Frc%231%2Bbuild'), github.requests[0]?.path);
    });

    test('a missing tag is null; a name git refuses is null without asking', async () => {
      const g = gateway('api.github.com');
      assert.equal(await g.tag(repo, 'v9.9.9'), null);
      assert.equal(await g.tag(repo, 'v0.1.0b3'), null, 'a prefix of a tag is not that tag');
      github.clearRequests();
      for (const bad of ['', 'a..b', 'x?y', 'v1 2', '../x', 'x.lock', 'a//b', 'x/']) {
        assert.equal(isPossibleTagName(bad), false, bad);
        assert.equal(await g.tag(repo, bad), null, bad);
      }
      assert.equal(github.requests.length, 0);
    });

    test('a repository the bot cannot see is an error, not a missing tag', async () => {
      const bad = new ReleaseGateway(
        createGitHubClient({
          apiUrl: 'https://api.github.com',
          auth: { kind: 'token', token: 'ghp_notARealToken000000000000000000000000' },
          logger,
          tuning: { fetch: routingFetch({ 'api.github.com': github.url }), retryBaseMs: 1 },
        }),
      );
      await assert.rejects(bad.tag(repo, 'v0.1.0b39'), (e: unknown) => e instanceof GitHubError && e.code === 'github_auth' && !e.userMessage.includes('ghp_'));
    });
  });

  test('latestTags: the newest names, as many as asked', async () => {
    github.clearRequests();
    assert.deepEqual(await gateway('api.github.com').latestTags(repo, 2), ['v0.1.0b39', 'v0.1.0b38']);
    assert.equal(github.requests[0]?.query.per_page, '2');
  });

  test('workflow: by file name and by id; unknown is null', async () => {
    const g = gateway('api.github.com');
    const wf = await g.workflow(repo, 'release.yml');
    assert.equal(wf?.id, seed.github.releaseWorkflowId);
    assert.equal(wf?.name, 'Release');
    assert.equal(wf?.path, '.github/workflows/release.yml');
    assert.equal(wf?.state, 'active');
    assert.match(wf?.htmlUrl ?? '', /^https:\/\/github\.com\/olreppe\/pyWATS\/blob\/main\/\.github\/workflows\/release\.yml$/);
    assert.equal((await g.workflow(repo, seed.github.releaseWorkflowId))?.path, '.github/workflows/release.yml');
    assert.equal(await g.workflow(repo, 'nope.yml'), null);
  });

  test('fileOnDefaultBranch: the text, null when absent or a directory', async () => {
    const g = gateway('api.github.com');
    github.clearRequests();
    assert.equal(await g.fileOnDefaultBranch(repo, '.github/workflows/release.yml'), releaseYaml);
    assert.equal(github.requests[0]?.query.ref, undefined, 'no ref: the default branch');
    assert.equal(await g.fileOnDefaultBranch(repo, 'pyproject.toml'), null);
    assert.equal(await g.fileOnDefaultBranch(repo, '.github/workflows'), null);
    assert.equal(
      await gateway('wats.ghe.com').fileOnDefaultBranch(mirror, '.github/workflows/publish.yml'),
      await g.fileOnDefaultBranch(repo, '.github/workflows/publish.yml'),
    );
  });

  test('workflowRuns filters by commit and event; run reads one run', async () => {
    const g = gateway('api.github.com');
    const sha = seed.github.tags['v0.1.0b39'] ?? '';
    github.clearRequests();
    const runs = await g.workflowRuns(repo, 'publish.yml', { headSha: sha, event: 'push', perPage: 5 });
    assert.deepEqual(github.requests[0]?.query, { head_sha: sha, event: 'push', per_page: '5' });
    assert.deepEqual(
      runs.map((r) => r.id),
      [seed.github.lastPublishRunId],
    );
    assert.deepEqual(await g.workflowRuns(repo, 'publish.yml', { headSha: sha, event: 'workflow_dispatch' }), []);
    const one = await g.run(repo, seed.github.lastPublishRunId ?? 0);
    assert.equal(one.headSha, sha);
    assert.equal(one.workflowPath, '.github/workflows/publish.yml');
    await assert.rejects(g.run(repo, 1), (e: unknown) => e instanceof GitHubError && e.code === 'github_not_found');
  });

  test('releaseUrl: null until the release exists, then its page', async () => {
    const g = gateway('api.github.com');
    assert.equal(await g.releaseUrl(repo, 'v0.1.0b38'), null);
    github.createRelease(seed.github.repo, 'v0.1.0b38');
    assert.equal(await g.releaseUrl(repo, 'v0.1.0b38'), 'https://github.com/olreppe/pyWATS/releases/tag/v0.1.0b38');
    assert.equal(await gateway('wats.ghe.com').releaseUrl(mirror, 'v0.1.0b38'), null);
  });

  test('releaseUrl reads the first page of releases (the events poller’s query); by tag only when a full page lacks it', async () => {
    const g = gateway('api.github.com');
    const reads = () =>
      github.requests
        .filter((r) => r.path.includes('/releases'))
        .map((r) => `${r.path.replace(/^\/repos\/[^/]+\/[^/]+/, '')}?${new URLSearchParams(r.query as Record<string, string>)}`);
    // v0.1.0b38 has its release (the test before); a page of fewer than ten is every release there is.
    github.clearRequests();
    assert.equal(await g.releaseUrl(repo, 'v0.1.0b37'), null);
    assert.deepEqual(reads(), ['/releases?per_page=10'], 'a page not full: no release for the tag, no second request');
    // Ten newer releases push v0.1.0b38's off the first page: it is asked for by its tag.
    for (let i = 0; i < 10; i++) {
      github.createTag(seed.github.repo, `v9.0.${i}`);
      github.createRelease(seed.github.repo, `v9.0.${i}`);
    }
    github.clearRequests();
    assert.equal(await g.releaseUrl(repo, 'v9.0.9'), 'https://github.com/olreppe/pyWATS/releases/tag/v9.0.9');
    assert.deepEqual(reads(), ['/releases?per_page=10']);
    github.clearRequests();
    assert.equal(await g.releaseUrl(repo, 'v0.1.0b38'), 'https://github.com/olreppe/pyWATS/releases/tag/v0.1.0b38');
    assert.deepEqual(reads(), ['/releases?per_page=10', '/releases/tags/v0.1.0b38?']);
  });

  describe('dispatch', () => {
    test('github.com tells the run id in one request', async () => {
      const g = gateway('api.github.com');
      github.clearRequests();
      const result = await g.dispatch(repo, 'release.yml', 'v0.1.0b39', {});
      assert.equal(result.kind, 'run');
      assert.ok(result.kind === 'run');
      assert.deepEqual(dispatchPosts(github), [200]);
      assert.equal(result.htmlUrl, `https://github.com/olreppe/pyWATS/actions/runs/${result.runId}`);
      const run = await g.run(repo, result.runId);
      assert.equal(run.event, 'workflow_dispatch');
      assert.equal(run.headSha, seed.github.tags['v0.1.0b39']);
    });

    test('GHES refuses return_run_details with 400; the plain request is sent and the run is found among the runs', async () => {
      const g = gateway('wats.ghe.com');
      ghe.setDispatchDelay(300);
      ghe.clearRequests();
      try {
        const result = await g.dispatch(mirror, 'release.yml', 'main', {});
        assert.deepEqual(result, { kind: 'accepted' });
        assert.deepEqual(dispatchPosts(ghe), [400, 204]);
        let found: WorkflowRunInfo[] = [];
        for (let i = 0; i < 50 && found.length === 0; i++) {
          found = await g.workflowRuns(mirror, 'release.yml', { event: 'workflow_dispatch', headSha: seed.ghe.mainSha });
          if (found.length === 0) await sleep(50);
        }
        assert.equal(found.length, 1);
        assert.equal(found[0]?.headBranch, 'main');
        assert.deepEqual(dispatchPosts(ghe), [400, 204], 'still exactly one dispatch that started a run');
      } finally {
        ghe.setDispatchDelay(0);
      }
    });

    test('a 502 is ambiguous and is not retried', async () => {
      const g = gateway('api.github.com');
      const before = github.runs(seed.github.repo, 'release.yml').length;
      github.clearRequests();
      github.failNext({ method: 'POST', path: /dispatches$/ }, { status: 502, times: 1 });
      const result = await g.dispatch(repo, 'release.yml', 'main', {});
      assert.equal(result.kind, 'ambiguous');
      assert.ok(result.kind === 'ambiguous');
      assert.match(result.reason, /HTTP 502/);
      assert.doesNotMatch(result.reason, /ghp_/);
      assert.deepEqual(dispatchPosts(github), [502]);
      assert.equal(github.runs(seed.github.repo, 'release.yml').length, before);
    });

    test('a host that cannot be reached is ambiguous, asked once', async () => {
      const g = gateway('api.github.com');
      github.clearRequests();
      github.setUnreachable(true);
      try {
        const result = await g.dispatch(repo, 'release.yml', 'main', {});
        assert.equal(result.kind, 'ambiguous');
        assert.deepEqual(dispatchPosts(github), [0]);
      } finally {
        github.setUnreachable(false);
      }
    });

    test('a workflow without workflow_dispatch is refused with that meaning', async () => {
      github.addWorkflow(seed.github.repo, '.github/workflows/build.yml', pushOnlyYaml);
      github.clearRequests();
      await assert.rejects(
        gateway('api.github.com').dispatch(repo, 'build.yml', 'main', {}),
        (e: unknown) =>
          e instanceof GitHubError && e.status === 422 && /no workflow_dispatch trigger/.test(e.userMessage) && e.userMessage.includes('build.yml'),
      );
      assert.deepEqual(dispatchPosts(github), [422]);
    });

    test('other refusals are thrown, not ambiguous', async () => {
      const g = gateway('api.github.com');
      await assert.rejects(g.dispatch(repo, 'nope.yml', 'main', {}), (e: unknown) => e instanceof GitHubError && e.code === 'github_not_found');
      await assert.rejects(
        g.dispatch(repo, 'release.yml', 'no-such-branch', {}),
        (e: unknown) => e instanceof GitHubError && /No ref found for: no-such-branch/.test(e.userMessage),
      );
      await assert.rejects(
        g.dispatch(repo, 'release.yml', 'main', { surprise: 'x' }),
        (e: unknown) => e instanceof GitHubError && /Unexpected inputs/.test(e.userMessage),
      );
    });
  });
});
