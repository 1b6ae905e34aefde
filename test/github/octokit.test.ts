import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createGitHubClient, displayHost, graphqlBaseUrl, webUrlOf, type GitHubClient } from '../../src/github/octokit.js';
import { ActionsGateway } from '../../src/github/actionsGateway.js';
import { RefsGateway } from '../../src/github/refsGateway.js';
import { GitHubError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { FakeGitHub } from '@chatops/fake-github';
import { routingFetch } from '@chatops/sandbox/routingFetch.js';
import { seedPywats, type PywatsSeed } from '@chatops/fake-github/scenario.js';

const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });

describe('GitHub client factory', () => {
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  const fetchVia = () => routingFetch({ 'api.github.com': github.url, 'wats.ghe.com': ghe.url });
  const client = (host: 'api.github.com' | 'wats.ghe.com', token: string): GitHubClient =>
    createGitHubClient({
      apiUrl: host === 'api.github.com' ? 'https://api.github.com' : 'https://wats.ghe.com/api/v3',
      auth: { kind: 'token', token },
      logger,
      tuning: { fetch: fetchVia(), retryBaseMs: 1 },
    });

  before(async () => {
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    seed = seedPywats(github, ghe);
  });
  after(() => Promise.all([github.stop(), ghe.stop()]));

  test('URLs: GraphQL and web addresses derive from the REST base', () => {
    assert.equal(graphqlBaseUrl('https://api.github.com'), 'https://api.github.com');
    assert.equal(graphqlBaseUrl('https://wats.ghe.com/api/v3'), 'https://wats.ghe.com/api');
    assert.equal(webUrlOf('https://api.github.com'), 'https://github.com');
    assert.equal(webUrlOf('https://wats.ghe.com/api/v3'), 'https://wats.ghe.com');
    assert.equal(displayHost('https://api.github.com'), 'github.com');
  });

  test('a GHES client posts GraphQL to /api/graphql and REST under /api/v3', async () => {
    ghe.clearRequests();
    const refs = await new RefsGateway(client('wats.ghe.com', seed.ghe.token)).repoRefs({ owner: 'WATS', name: 'pyWATS' });
    assert.equal(refs.headSha, seed.ghe.mainSha);
    assert.deepEqual(Object.keys(refs.tags).sort(), Object.keys(seed.ghe.tags).sort());
    assert.deepEqual(
      ghe.requests.map((r) => `${r.method} ${r.path}`),
      ['POST /api/graphql'],
    );
  });

  test('the refs query can bring one file at the default branch head, in the same request; null when the path is not there', async () => {
    const gw = new RefsGateway(client('api.github.com', seed.github.token));
    const repo = { owner: 'olreppe', name: 'pyWATS' };
    github.clearRequests();
    const withFile = await gw.repoRefs(repo, { fileAtHead: '.github/workflows/publish.yml' });
    assert.match(withFile.fileAtHead ?? '', /sync-to-ghe:\s*\n\s*name: Sync to GitHub Enterprise/);
    assert.equal(withFile.headSha, seed.github.mainSha);
    assert.equal(github.requests.length, 1, 'one GraphQL request');
    const missing = await gw.repoRefs(repo, { fileAtHead: '.github/workflows/nope.yml' });
    assert.equal(missing.fileAtHead, null);
    const plain = await gw.repoRefs(repo);
    assert.equal('fileAtHead' in plain, false, 'not asked, not fetched');
  });

  test('annotated tags are peeled to the commits they point at', async () => {
    const refs = await new RefsGateway(client('api.github.com', seed.github.token)).repoRefs({ owner: 'olreppe', name: 'pyWATS' });
    assert.deepEqual(refs.tags, seed.github.tags);
  });

  test('identical reads in flight share one request; a later one is answered 304 from the ETag cache', async () => {
    const c = client('api.github.com', seed.github.token);
    const actions = new ActionsGateway(c);
    const repo = { owner: 'olreppe', name: 'pyWATS' };
    github.clearRequests();
    const [a, b, d] = await Promise.all([actions.listSecrets(repo), actions.listSecrets(repo), actions.listSecrets(repo)]);
    assert.deepEqual(a, b);
    assert.deepEqual(a, d);
    assert.equal(github.requests.length, 1);
    const again = await actions.listSecrets(repo);
    assert.deepEqual(again, a);
    assert.deepEqual(
      github.requests.map((r) => r.status),
      [200, 304],
    );
  });

  test('errors are translated into safe, typed errors', async () => {
    const bad = new ActionsGateway(client('api.github.com', 'ghp_notARealToken000000000000000000000000'));
    await assert.rejects(
      bad.listSecrets({ owner: 'olreppe', name: 'pyWATS' }),
      (e: unknown) => e instanceof GitHubError && e.code === 'github_auth' && !e.userMessage.includes('ghp_'),
    );
    const good = new ActionsGateway(client('api.github.com', seed.github.token));
    await assert.rejects(good.listSecrets({ owner: 'olreppe', name: 'nope' }), (e: unknown) => e instanceof GitHubError && e.code === 'github_not_found');
    github.failNext({ path: /actions\/secrets/ }, { status: 503, times: 5 });
    await assert.rejects(good.listSecrets({ owner: 'olreppe', name: 'pyWATS' }), (e: unknown) => e instanceof GitHubError && e.code === 'github_unavailable');
    github.failNext(
      { path: /actions\/secrets/ },
      { status: 403, times: 5, headers: { 'retry-after': '3600' }, body: { message: 'You have exceeded a secondary rate limit.' } },
    );
    await assert.rejects(good.listSecrets({ owner: 'olreppe', name: 'pyWATS' }), (e: unknown) => e instanceof GitHubError && e.code === 'github_rate_limited');
    const refs = new RefsGateway(client('api.github.com', seed.github.token));
    await assert.rejects(refs.repoRefs({ owner: 'olreppe', name: 'nope' }), (e: unknown) => e instanceof GitHubError && e.code === 'github_not_found');
  });

  test('a secondary limit that names its end only in x-ratelimit-reset is waited out, like one with retry-after', async () => {
    const actions = new ActionsGateway(client('api.github.com', seed.github.token));
    const secondary = { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' };
    // Failures an earlier test injected but did not use up would answer first.
    github.clearFailures();
    github.clearRequests();
    // One limit per request is waited out (a second refusal fails fast: jobs wait longer limits out themselves).
    const limits: Array<{ status: number; headers: Record<string, string> }> = [
      { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1) } },
      { status: 429, headers: { 'retry-after': '1' } },
    ];
    for (const limit of limits) {
      github.clearRequests();
      github.failNext({ path: /actions\/secrets$/ }, { ...limit, body: secondary });
      const started = Date.now();
      const secrets = await actions.listSecrets({ owner: 'olreppe', name: 'pyWATS' });
      assert.ok(secrets.length > 0);
      // The second round's retry is conditional (the first round left an ETag): 304 is the same answer.
      const statuses = github.requests.filter((r) => r.path.endsWith('/actions/secrets')).map((r) => (r.status === 304 ? 200 : r.status));
      assert.deepEqual(statuses, [limit.status, 200]);
      assert.ok(Date.now() - started >= 900, `the wait GitHub asked for was kept (${limit.status})`);
    }
  });

  test('a 502 followed by success is retried transparently', async () => {
    const actions = new ActionsGateway(client('api.github.com', seed.github.token));
    github.failNext({ path: /actions\/workflows\/publish\.yml\/runs/ }, { status: 502, times: 1 });
    const run = await actions.latestRun({ owner: 'olreppe', name: 'pyWATS' }, 'publish.yml');
    assert.equal(run?.id, seed.github.lastPublishRunId);
    assert.equal(run?.workflowPath, '.github/workflows/publish.yml');
  });

  test('the job log is downloaded through the redirect, and job ids map to display names', async () => {
    const actions = new ActionsGateway(client('api.github.com', seed.github.token));
    const repo = { owner: 'olreppe', name: 'pyWATS' };
    const run = await actions.latestRun(repo, 'publish.yml');
    assert.ok(run);
    const jobs = await actions.runJobs(repo, run.id);
    const sync = jobs.find((j) => j.name === 'Sync to GitHub Enterprise');
    assert.equal(sync?.conclusion, 'failure');
    github.clearRequests();
    const log = await actions.jobLog(repo, sync);
    assert.match(log, /Authentication failed/);
    assert.deepEqual(
      github.requests.map((r) => r.status),
      [302, 200],
      'the API redirects to the log download',
    );
    // A finished job's log never changes: asked again, it comes from the client's memory.
    github.clearRequests();
    assert.equal(await actions.jobLog(repo, sync), log);
    assert.equal(github.requests.length, 0, "a completed job's log is downloaded once");
    // A job that has not finished yet is always read afresh.
    assert.equal(await actions.jobLog(repo, { ...sync, status: 'in_progress' }), log);
    assert.equal(github.requests.length, 2);
    const names = await actions.workflowJobNames(repo, '.github/workflows/publish.yml', run.headSha);
    assert.deepEqual(names, { 'build-and-publish': 'Build and publish to PyPI', 'sync-to-ghe': 'Sync to GitHub Enterprise' });
  });
});
