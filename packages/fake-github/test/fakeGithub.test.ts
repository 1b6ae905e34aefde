import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Octokit } from '@octokit/rest';
import { graphql, GraphqlResponseError } from '@octokit/graphql';
import { RequestError } from '@octokit/request-error';
import { createAppAuth } from '@octokit/auth-app';
import sodium from 'libsodium-wrappers';
import { generateDeployKey } from '../../../src/core/secrets/keygen.js';
import { FakeGitHub } from '../src/index.js';
import { seedPywats, type PywatsSeed, type PywatsSeedOptions } from '../src/scenario.js';

const OWNER = 'olreppe';
const REPO = 'pyWATS';
const MIRROR = { owner: 'WATS', repo: 'pyWATS' };
// Octokit logs every failed request; these tests fail requests on purpose.
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

interface World {
  github: FakeGitHub;
  ghe: FakeGitHub;
  seed: PywatsSeed;
  gh: Octokit;
  ge: Octokit;
}

const worlds: World[] = [];

async function world(o?: PywatsSeedOptions): Promise<World> {
  const github = new FakeGitHub({ flavor: 'dotcom' });
  const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
  await Promise.all([github.start(), ghe.start()]);
  const seed = seedPywats(github, ghe, o);
  const w = {
    github,
    ghe,
    seed,
    gh: new Octokit({ auth: seed.github.token, baseUrl: github.apiUrl, log }),
    ge: new Octokit({ auth: seed.ghe.token, baseUrl: ghe.apiUrl, log }),
  };
  worlds.push(w);
  return w;
}

async function httpError(p: Promise<unknown>): Promise<RequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RequestError) return e;
    throw e;
  }
  assert.fail('expected the request to fail');
}

after(async () => {
  await Promise.all(worlds.flatMap((w) => [w.github.stop(), w.ghe.stop()]));
});

describe('FakeGitHub: authentication and visibility', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  test('an unknown token gets 401 Bad credentials with GitHub headers', async () => {
    const bad = new Octokit({ auth: 'ghp_nope', baseUrl: w.github.apiUrl, log });
    const e = await httpError(bad.rest.repos.get({ owner: OWNER, repo: REPO }));
    assert.equal(e.status, 401);
    assert.deepEqual(e.response?.data, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' });
    assert.equal(e.response?.headers['content-type'], 'application/json; charset=utf-8');
    assert.ok(e.response?.headers['x-github-request-id']);
    assert.ok(e.response?.headers['x-ratelimit-limit']);
  });

  test('a private repository the caller cannot read is 404, not 403', async () => {
    w.github.addToken('ghp_outsider', { login: 'outsider' });
    const outsider = new Octokit({ auth: 'ghp_outsider', baseUrl: w.github.apiUrl, log });
    const e = await httpError(outsider.rest.repos.get({ owner: OWNER, repo: REPO }));
    assert.equal(e.status, 404);
    assert.equal((e.response?.data as { message: string }).message, 'Not Found');
    const anonymous = new Octokit({ baseUrl: w.github.apiUrl, log });
    assert.equal((await httpError(anonymous.rest.actions.listRepoSecrets({ owner: OWNER, repo: REPO }))).status, 404);
  });

  test('the bot sees the repo case-insensitively with its permissions', async () => {
    const { data, headers } = await w.gh.rest.repos.get({ owner: 'OLREPPE', repo: 'pywats' });
    assert.equal(data.full_name, 'olreppe/pyWATS');
    assert.equal(data.private, true);
    assert.equal(data.default_branch, 'main');
    assert.equal(data.html_url, 'https://github.com/olreppe/pyWATS');
    assert.deepEqual(data.permissions, { admin: false, maintain: false, push: true, triage: true, pull: true });
    assert.match(String(headers.etag), /^"[0-9a-f]{64}"$/);
    assert.equal(headers['x-ratelimit-resource'], 'core');
  });

  test('GET /user reports classic scopes and the token expiry', async () => {
    const exp = '2099-12-01T00:00:00Z'; // far ahead: the fake rightly refuses an expired token
    w.ghe.addToken('ghp_expiring', { login: 'alice', scopes: ['repo', 'workflow'], expiresAt: exp });
    const alice = new Octokit({ auth: 'ghp_expiring', baseUrl: w.ghe.apiUrl, log });
    const { data, headers } = await alice.rest.users.getAuthenticated();
    assert.equal(data.login, 'alice');
    assert.equal(headers['x-oauth-scopes'], 'repo, workflow');
    assert.equal(headers['github-authentication-token-expiration'], '2099-12-01 00:00:00 UTC');
    assert.equal(headers['x-github-enterprise-version'], '3.19.0');
  });

  test('a fine-grained token reaches only its repositories and permissions', async () => {
    w.github.addRepo('olreppe/jankins-public');
    w.github.addRepo('olreppe/private-other', { private: true });
    w.github.addToken('github_pat_fg', { login: 'olreppe', fineGrained: { repos: ['olreppe/pyWATS'], permissions: { actions: 'write', contents: 'read' } } });
    const fg = new Octokit({ auth: 'github_pat_fg', baseUrl: w.github.apiUrl, log });
    const own = await fg.rest.repos.get({ owner: OWNER, repo: REPO });
    assert.equal(own.headers['x-oauth-scopes'], undefined);
    assert.equal((await fg.rest.repos.get({ owner: OWNER, repo: 'jankins-public' })).status, 200);
    assert.equal((await httpError(fg.rest.repos.get({ owner: OWNER, repo: 'private-other' }))).status, 404);
    const e = await httpError(fg.rest.actions.listRepoSecrets({ owner: OWNER, repo: REPO }));
    assert.equal(e.status, 403);
    assert.equal((e.response?.data as { message: string }).message, 'Resource not accessible by personal access token');
  });

  test('an expired token is Bad credentials', async () => {
    const sync = new Octokit({ auth: w.seed.ghe.syncToken, baseUrl: w.ghe.apiUrl, log });
    assert.equal((await httpError(sync.rest.users.getAuthenticated())).status, 401);
  });

  test('deploy keys need admin: a writer gets 403 Must have admin rights', async () => {
    w.ghe.addToken('ghp_writer', { login: 'writer', scopes: ['repo'] });
    w.ghe.grantAccess('WATS/pyWATS', 'writer', 'write');
    const writer = new Octokit({ auth: 'ghp_writer', baseUrl: w.ghe.apiUrl, log });
    const e = await httpError(writer.rest.repos.listDeployKeys(MIRROR));
    assert.equal(e.status, 403);
    assert.equal((e.response?.data as { message: string }).message, 'Must have admin rights to Repository.');

    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9vZ3VhcmRlZC1rZXktZm9yLXRlc3RzLW9ubHkxMjM0 sync@pywats';
    const created = await w.ge.rest.repos.createDeployKey({ ...MIRROR, title: 'pywats sync', key, read_only: false });
    assert.equal(created.status, 201);
    assert.equal(created.data.read_only, false);
    assert.equal(created.data.key, key.split(' ').slice(0, 2).join(' '));
    const dup = await httpError(w.ge.rest.repos.createDeployKey({ ...MIRROR, title: 'again', key }));
    assert.equal(dup.status, 422);
    assert.deepEqual(
      (await w.ge.rest.repos.listDeployKeys(MIRROR)).data.map((k) => k.id),
      [created.data.id],
    );
    assert.equal((await w.ge.rest.repos.deleteDeployKey({ ...MIRROR, key_id: created.data.id })).status, 204);
    assert.deepEqual(w.ghe.deployKeys('WATS/pyWATS'), []);
  });
});

describe('FakeGitHub: Actions runs, jobs and logs', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  test('the latest publish run: build succeeded, sync-to-ghe failed at the push step', async () => {
    const { data } = await w.gh.rest.actions.listWorkflowRuns({ owner: OWNER, repo: REPO, workflow_id: 'publish.yml', per_page: 1 });
    assert.equal(data.total_count, 3);
    const run = data.workflow_runs[0];
    assert.ok(run);
    assert.equal(run.id, w.seed.github.lastPublishRunId);
    assert.equal(run.head_branch, 'v0.1.0b39');
    assert.equal(run.head_sha, w.seed.github.tags['v0.1.0b39']);
    assert.equal(run.event, 'push');
    assert.equal(run.status, 'completed');
    assert.equal(run.conclusion, 'failure');
    assert.equal(run.name, 'Publish to PyPI');
    assert.equal(run.display_title, 'chore(release): 0.1.0b39');
    assert.ok(run.id > 2 ** 31, 'run ids are beyond 32 bits, as on github.com');

    const jobs = (await w.gh.rest.actions.listJobsForWorkflowRun({ owner: OWNER, repo: REPO, run_id: run.id })).data;
    assert.deepEqual(
      jobs.jobs.map((j) => [j.name, j.status, j.conclusion]),
      [
        ['Build and publish to PyPI', 'completed', 'success'],
        ['Sync to GitHub Enterprise', 'completed', 'failure'],
      ],
    );
    const sync = jobs.jobs[1];
    assert.ok(sync?.steps);
    const failed = sync.steps.filter((s) => s.conclusion === 'failure').map((s) => s.name);
    assert.deepEqual(failed, ['Push to GitHub Enterprise']);
    assert.deepEqual(sync.steps.map((s) => s.name).slice(0, 2), ['Set up job', 'Checkout repository']);
    assert.equal(sync.steps.at(-1)?.name, 'Complete job');
    // Timestamps increase through the run.
    const times = sync.steps.map((s) => s.started_at ?? '');
    assert.deepEqual([...times].sort(), times);
    assert.ok(run.created_at <= (jobs.jobs[0]?.started_at ?? ''));
    assert.ok((jobs.jobs[0]?.completed_at ?? '') <= sync.started_at);
  });

  test('needs semantics: when publishing fails, sync-to-ghe is skipped and has no log', async () => {
    const sha = w.github.pushCommit('olreppe/pyWATS', { message: 'chore(release): 0.1.0b40' });
    w.github.createTag('olreppe/pyWATS', 'v0.1.0b40', { sha, annotated: true });
    const runId = w.github.simulateRun(
      'olreppe/pyWATS',
      '.github/workflows/publish.yml',
      { headBranch: 'v0.1.0b40' },
      {
        'build-and-publish': { conclusion: 'failure', failedStep: 'Publish to PyPI', log: 'ERROR    HTTPError: 403 Forbidden' },
      },
    );
    const run = (await w.gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId })).data;
    assert.equal(run.conclusion, 'failure');
    const jobs = (await w.gh.rest.actions.listJobsForWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId })).data.jobs;
    const sync = jobs.find((j) => j.name === 'Sync to GitHub Enterprise');
    assert.equal(sync?.conclusion, 'skipped');
    assert.deepEqual(sync?.steps, []);
    assert.equal(sync?.runner_name, null);
    const e = await httpError(w.gh.rest.actions.downloadJobLogsForWorkflowRun({ owner: OWNER, repo: REPO, job_id: sync?.id ?? 0 }));
    assert.equal(e.status, 404);
    assert.throws(() => w.github.completeRun(runId, { 'sync-to-ghe': 'success' }), /sync-to-ghe/);
  });

  test('jobs appear as their needs settle; the run follows its jobs', async () => {
    const runId = w.github.startRun('olreppe/pyWATS', 'publish.yml', { headBranch: 'main' });
    const list = async (): Promise<string[]> =>
      (await w.gh.rest.actions.listJobsForWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId })).data.jobs.map((j) => `${j.name}:${j.status}`);
    assert.deepEqual(await list(), ['Build and publish to PyPI:queued']);
    w.github.setJob(runId, 'build-and-publish', { status: 'in_progress' });
    assert.equal((await w.gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId })).data.status, 'in_progress');
    w.github.setJob(runId, 'build-and-publish', { status: 'completed', conclusion: 'success' });
    assert.deepEqual(await list(), ['Build and publish to PyPI:completed', 'Sync to GitHub Enterprise:queued']);
    w.github.completeRun(runId, {});
    const run = (await w.gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId })).data;
    assert.equal(`${run.status}/${run.conclusion}`, 'completed/success');
  });

  test('run filters: event, branch, status, head_sha, created', async () => {
    const q = { owner: OWNER, repo: REPO, workflow_id: 'publish.yml' };
    const b38 = await w.gh.rest.actions.listWorkflowRuns({ ...q, branch: 'v0.1.0b38' });
    assert.deepEqual(
      b38.data.workflow_runs.map((r) => r.head_branch),
      ['v0.1.0b38'],
    );
    assert.equal(
      (await w.gh.rest.actions.listWorkflowRuns({ ...q, status: 'failure' })).data.workflow_runs.every((r) => r.conclusion === 'failure'),
      true,
    );
    assert.equal((await w.gh.rest.actions.listWorkflowRuns({ ...q, event: 'workflow_dispatch' })).data.total_count, 0);
    const sha = w.seed.github.tags['v0.1.0b37'] ?? '';
    assert.equal((await w.gh.rest.actions.listWorkflowRuns({ ...q, head_sha: sha })).data.total_count, 1);
    const future = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    assert.equal((await w.gh.rest.actions.listWorkflowRuns({ ...q, created: `>=${future}` })).data.total_count, 0);
  });

  test('a job log downloads through a signed redirect, in the Actions log format', async () => {
    const jobs = (await w.gh.rest.actions.listJobsForWorkflowRun({ owner: OWNER, repo: REPO, run_id: w.seed.github.lastPublishRunId ?? 0 })).data.jobs;
    const sync = jobs.find((j) => j.name === 'Sync to GitHub Enterprise');
    assert.ok(sync);
    w.github.clearRequests();
    const res = await w.gh.rest.actions.downloadJobLogsForWorkflowRun({ owner: OWNER, repo: REPO, job_id: sync.id });
    const log = String(res.data);
    assert.match(log, /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z /);
    assert.match(log, /##\[group\]Run # Configure authentication/);
    assert.match(log, /fatal: Authentication failed for 'https:\/\/wats\.ghe\.com\/WATS\/pyWATS\.git\/'/);
    assert.match(log, /##\[error\]Process completed with exit code 128\./);
    assert.match(log, /GHE_TOKEN: \*\*\*/);
    assert.deepEqual(
      w.github.requests.map((r) => [r.path.replace(/\d+/g, 'N'), r.status]),
      [
        ['/repos/olreppe/pyWATS/actions/jobs/N/logs', 302],
        ['/_blob/actions-results/N/jobs/N/logs.txt', 200],
      ],
    );

    const redirect = await fetch(`${w.github.apiUrl}/repos/${OWNER}/${REPO}/actions/jobs/${sync.id}/logs`, {
      headers: { authorization: `token ${w.seed.github.token}` },
      redirect: 'manual',
    });
    assert.equal(redirect.status, 302);
    const location = redirect.headers.get('location') ?? '';
    const plain = await fetch(location); // no Authorization needed
    assert.equal(plain.status, 200);
    assert.equal(await plain.text(), log);
    const tampered = await fetch(location.replace(/sig=[0-9a-f]/, 'sig=x'));
    assert.equal(tampered.status, 403);
  });

  test('contents of a workflow file, tags newest first', async () => {
    const { data } = await w.gh.rest.repos.getContent({ owner: OWNER, repo: REPO, path: '.github/workflows/publish.yml', ref: 'v0.1.0b39' });
    assert.ok(!Array.isArray(data) && data.type === 'file');
    const expected = readFileSync(new URL('../src/fixtures/workflows/pywats-publish.yml', import.meta.url), 'utf8');
    assert.equal(Buffer.from(data.content, 'base64').toString('utf8'), expected);
    const missing = await httpError(w.gh.rest.repos.getContent({ owner: OWNER, repo: REPO, path: 'nope.txt' }));
    assert.equal(missing.status, 404);
    // v0.1.0b40 was tagged by the needs-semantics test above.
    const tags = (await w.gh.rest.repos.listTags({ owner: OWNER, repo: REPO })).data.map((t) => t.name);
    assert.deepEqual(tags, ['v0.1.0b40', 'v0.1.0b39', 'v0.1.0b38', 'v0.1.0b37']);
    const mirrorTags = (await w.ge.rest.repos.listTags(MIRROR)).data.map((t) => t.name);
    assert.deepEqual(mirrorTags, ['v0.1.0b38', 'v0.1.0b37']);
  });
});

describe('FakeGitHub: conditional requests and failure injection', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  test('If-None-Match with the ETag gets 304 and does not spend rate limit', async () => {
    const first = await w.gh.rest.repos.get({ owner: OWNER, repo: REPO });
    const etag = String(first.headers.etag);
    const remaining = Number(first.headers['x-ratelimit-remaining']);
    const e = await httpError(w.gh.rest.repos.get({ owner: OWNER, repo: REPO, headers: { 'if-none-match': etag } }));
    assert.equal(e.status, 304);
    assert.equal(Number(e.response?.headers['x-ratelimit-remaining']), remaining);
    assert.equal(e.response?.headers.etag, etag);
    const third = await w.gh.rest.repos.get({ owner: OWNER, repo: REPO });
    assert.equal(Number(third.headers['x-ratelimit-remaining']), remaining - 1);
    assert.ok(w.github.requests.some((r) => r.status === 304 && r.path === '/repos/olreppe/pyWATS'));
    // The log says which requests were conditional (the bench counts those that were not).
    const repoReads = w.github.requests.filter((r) => r.path === '/repos/olreppe/pyWATS').slice(-3);
    assert.deepEqual(
      repoReads.map((r) => [r.status, r.conditional === true]),
      [
        [200, false],
        [304, true],
        [200, false],
      ],
    );
  });

  test('failNext answers 502 once, then the endpoint works again', async () => {
    w.github.failNext({ method: 'GET', path: /\/actions\/runs\/\d+$/ }, { status: 502 });
    const runId = w.seed.github.lastPublishRunId ?? 0;
    const e = await httpError(w.gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId }));
    assert.equal(e.status, 502);
    const ok = await w.gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: runId });
    assert.equal(ok.data.id, runId);
    const statuses = w.github.requests.filter((r) => r.path.endsWith(`/runs/${runId}`)).map((r) => r.status);
    assert.deepEqual(statuses.slice(-2), [502, 200]);
  });

  test('failNext can answer a secondary rate limit with retry-after', async () => {
    w.github.failNext({ path: /\/actions\/secrets$/ }, { status: 403, headers: { 'retry-after': '30' } });
    const e = await httpError(w.gh.rest.actions.listRepoSecrets({ owner: OWNER, repo: REPO }));
    assert.equal(e.status, 403);
    assert.equal(e.response?.headers['retry-after'], '30');
    assert.match((e.response?.data as { message: string }).message, /secondary rate limit/);
  });

  test('setUnreachable cuts connections; turning it off restores service', async () => {
    w.ghe.setUnreachable(true);
    // Octokit reports a network failure as a RequestError with status 500 and no response.
    await assert.rejects(w.ge.rest.repos.get(MIRROR), (e: unknown) => e instanceof RequestError && e.status === 500 && e.response === undefined);
    assert.equal(w.ghe.requests.at(-1)?.status, 0);
    w.ghe.setUnreachable(false);
    assert.equal((await w.ge.rest.repos.get(MIRROR)).data.full_name, 'WATS/pyWATS');
  });

  test('a spent primary rate limit is 403 with remaining 0', async () => {
    w.ghe.setRateLimit({ remaining: 0 });
    const e = await httpError(w.ge.rest.repos.get(MIRROR));
    assert.equal(e.status, 403);
    assert.equal(e.response?.headers['x-ratelimit-remaining'], '0');
    assert.match((e.response?.data as { message: string }).message, /API rate limit exceeded/);
    w.ghe.setRateLimit({ remaining: 5000 });
  });
});

describe('FakeGitHub: Actions secrets', () => {
  let w: World;
  before(async () => {
    w = await world();
    await sodium.ready;
  });

  const seal = async (o: Octokit, value: string): Promise<{ encrypted_value: string; key_id: string }> => {
    const { data } = await o.rest.actions.getRepoPublicKey({ owner: OWNER, repo: REPO });
    const sealed = sodium.crypto_box_seal(sodium.from_string(value), sodium.from_base64(data.key, sodium.base64_variants.ORIGINAL));
    return { encrypted_value: sodium.to_base64(sealed, sodium.base64_variants.ORIGINAL), key_id: data.key_id };
  };

  test('lists names and dates only', async () => {
    const { data } = await w.gh.rest.actions.listRepoSecrets({ owner: OWNER, repo: REPO });
    assert.deepEqual(
      data.secrets.map((s) => s.name),
      ['GHE_TOKEN', 'PAT_TOKEN'],
    );
    assert.equal(data.total_count, 2);
    assert.deepEqual(Object.keys(data.secrets[0] ?? {}).sort(), ['created_at', 'name', 'updated_at']);
  });

  test('a value sealed for the public key is stored and decrypts to the same value', async () => {
    const before = (await w.gh.rest.actions.getRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_TOKEN' })).data.updated_at;
    const res = await w.gh.rest.actions.createOrUpdateRepoSecret({
      owner: OWNER,
      repo: REPO,
      secret_name: 'GHE_TOKEN',
      ...(await seal(w.gh, 'ghp_newSyncToken')),
    });
    assert.equal(res.status, 204);
    assert.equal(w.github.decryptSecret('olreppe/pyWATS', 'GHE_TOKEN'), 'ghp_newSyncToken');
    const after = (await w.gh.rest.actions.getRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_TOKEN' })).data.updated_at;
    assert.ok(after > before);
    const created = await w.gh.rest.actions.createOrUpdateRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_DEPLOY_KEY', ...(await seal(w.gh, 'k')) });
    assert.equal(created.status, 201);
    assert.equal((await w.gh.rest.actions.deleteRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_DEPLOY_KEY' })).status, 204);
  });

  test('garbage, another key or a wrong key_id is refused with 422', async () => {
    const good = await seal(w.gh, 'x');
    const garbage = await httpError(
      w.gh.rest.actions.createOrUpdateRepoSecret({
        owner: OWNER,
        repo: REPO,
        secret_name: 'GHE_TOKEN',
        key_id: good.key_id,
        encrypted_value: Buffer.from('not a sealed box at all, sorry').toString('base64'),
      }),
    );
    assert.equal(garbage.status, 422);
    assert.match((garbage.response?.data as { message: string }).message, /improperly encrypted secret/);
    const other = sodium.crypto_box_keypair();
    const foreign = sodium.to_base64(sodium.crypto_box_seal('x', other.publicKey), sodium.base64_variants.ORIGINAL);
    assert.equal(
      (
        await httpError(
          w.gh.rest.actions.createOrUpdateRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_TOKEN', key_id: good.key_id, encrypted_value: foreign }),
        )
      ).status,
      422,
    );
    assert.equal(
      (await httpError(w.gh.rest.actions.createOrUpdateRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_TOKEN', ...good, key_id: '1' }))).status,
      422,
    );
    assert.equal(w.github.decryptSecret('olreppe/pyWATS', 'GHE_TOKEN'), 'ghp_newSyncToken');
  });
});

describe('FakeGitHub: GraphQL', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  const gqlFor = (fake: FakeGitHub, token: string): typeof graphql =>
    graphql.defaults({ baseUrl: fake.flavor === 'ghes' ? `${fake.url}/api` : fake.url, headers: { authorization: `token ${token}` } });

  const REFS = `query MirrorRefs($owner: String!, $name: String!, $after: String) {
    repository(owner: $owner, name: $name) {
      nameWithOwner isPrivate
      defaultBranchRef { name target { __typename oid ... on Commit { committedDate messageHeadline } } }
      refs(refPrefix: "refs/tags/", first: 1, after: $after, orderBy: { field: ALPHABETICAL, direction: DESC }) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { name target { __typename oid ... on Tag { target { oid } } } }
      }
    }
    rateLimit { cost limit remaining resetAt used }
  }`;

  interface RefsResult {
    repository: {
      nameWithOwner: string;
      isPrivate: boolean;
      defaultBranchRef: { name: string; target: { __typename: string; oid: string; messageHeadline: string } };
      refs: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        nodes: Array<{ name: string; target: { __typename: string; oid: string; target?: { oid: string } } }>;
      };
    };
    rateLimit: { cost: number; remaining: number; limit: number };
  }

  test('the mirror refs query returns the default branch head and peeled tags, page by page', async () => {
    const gql = gqlFor(w.ghe, w.seed.ghe.token);
    const p1 = await gql<RefsResult>(REFS, { owner: 'WATS', name: 'pyWATS' });
    assert.equal(p1.repository.nameWithOwner, 'WATS/pyWATS');
    assert.equal(p1.repository.defaultBranchRef.name, 'main');
    assert.equal(p1.repository.defaultBranchRef.target.__typename, 'Commit');
    assert.equal(p1.repository.defaultBranchRef.target.oid, w.seed.github.mainSha);
    assert.equal(p1.repository.defaultBranchRef.target.messageHeadline, 'chore(release): 0.1.0b39');
    assert.equal(p1.repository.refs.totalCount, 2);
    assert.equal(p1.repository.refs.pageInfo.hasNextPage, true);
    const n1 = p1.repository.refs.nodes[0];
    assert.equal(n1?.name, 'v0.1.0b38');
    assert.equal(n1?.target.__typename, 'Tag');
    assert.equal(n1?.target.target?.oid, w.seed.ghe.tags['v0.1.0b38']);
    assert.notEqual(n1?.target.oid, n1?.target.target?.oid);
    const p2 = await gql<RefsResult>(REFS, { owner: 'WATS', name: 'pyWATS', after: p1.repository.refs.pageInfo.endCursor });
    assert.deepEqual(
      p2.repository.refs.nodes.map((n) => n.name),
      ['v0.1.0b37'],
    );
    assert.equal(p2.repository.refs.pageInfo.hasNextPage, false);
    assert.ok(p2.rateLimit.remaining < p1.rateLimit.remaining);
    assert.equal(w.ghe.requests.at(-1)?.graphql?.operationName, 'MirrorRefs');
    assert.equal(w.ghe.requests.at(-1)?.path, '/api/graphql');
  });

  test('github.com has the newest tag the mirror lacks', async () => {
    const gql = gqlFor(w.github, w.seed.github.token);
    const r = await gql<RefsResult>(REFS, { owner: OWNER, name: REPO });
    assert.equal(r.repository.refs.totalCount, 3);
    assert.equal(r.repository.refs.nodes[0]?.name, 'v0.1.0b39');
  });

  test('an unknown field is an error the way GitHub words it', async () => {
    const gql = gqlFor(w.ghe, w.seed.ghe.token);
    await assert.rejects(gql('query { repository(owner: "WATS", name: "pyWATS") { nope } }'), (e: unknown) => {
      assert.ok(e instanceof GraphqlResponseError);
      const err = e.errors?.[0] as { message: string; locations?: unknown[]; path?: string[] } | undefined;
      assert.equal(err?.message, "Field 'nope' doesn't exist on type 'Repository'");
      assert.deepEqual(err?.locations, [{ line: 1, column: 53 }]);
      assert.deepEqual(err?.path, ['query', 'repository', 'nope']);
      return true;
    });
    await assert.rejects(
      gql('query { repository(owner: "WATS"'),
      (e: unknown) => e instanceof GraphqlResponseError && /Parse error/.test(e.errors?.[0]?.message ?? ''),
    );
  });

  test('an unknown repository is null with a NOT_FOUND error', async () => {
    const gql = gqlFor(w.github, w.seed.github.token);
    await assert.rejects(gql('query { repository(owner: "nobody", name: "nothing") { name } }'), (e: unknown) => {
      assert.ok(e instanceof GraphqlResponseError);
      assert.deepEqual(e.data, { repository: null });
      const err = e.errors?.[0] as { type?: string; message: string; path?: string[] } | undefined;
      assert.equal(err?.type, 'NOT_FOUND');
      assert.deepEqual(err?.path, ['repository']);
      assert.equal(err?.message, "Could not resolve to a Repository with the name 'nobody/nothing'.");
      return true;
    });
  });

  test('a bad token is a 401', async () => {
    const gql = gqlFor(w.github, 'ghp_wrong');
    await assert.rejects(gql('query { viewer { login } }'), (e: unknown) => e instanceof RequestError && e.status === 401);
    const ok = await gqlFor(w.github, w.seed.github.token)<{ viewer: { login: string } }>('query { viewer { login } }');
    assert.equal(ok.viewer.login, w.seed.github.login);
  });
});

describe('FakeGitHub: workflow_dispatch', () => {
  let w: World;
  before(async () => {
    w = await world();
    w.ghe.addWorkflow(
      'WATS/pyWATS',
      '.github/workflows/release.yml',
      readFileSync(new URL('../src/fixtures/workflows/jankins-release.yml', import.meta.url), 'utf8'),
    );
  });

  test('github.com returns the run when asked, and the run is queued', async () => {
    const dispatched: number[] = [];
    w.github.onDispatch((r) => dispatched.push(r.id));
    const res = await w.gh.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner: OWNER,
      repo: REPO,
      workflow_id: 'release.yml',
      ref: 'v0.1.0b39',
      return_run_details: true,
    });
    assert.equal(res.status, 200);
    const body = res.data as { workflow_run_id: number; run_url: string; html_url: string };
    assert.deepEqual(dispatched, [body.workflow_run_id]);
    assert.equal(body.html_url, `https://github.com/olreppe/pyWATS/actions/runs/${body.workflow_run_id}`);
    const run = (await w.gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: body.workflow_run_id })).data;
    assert.equal(run.event, 'workflow_dispatch');
    assert.equal(run.status, 'queued');
    assert.equal(run.head_branch, 'v0.1.0b39');
    assert.equal(run.head_sha, w.seed.github.tags['v0.1.0b39']);
    assert.ok(Date.parse(run.created_at) >= Date.now() - 5000, 'a dispatched run is stamped with the wall clock');
    const plain = await w.gh.rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: w.seed.github.releaseWorkflowId, ref: 'main' });
    assert.equal(plain.status, 204);
  });

  test('GHES refuses return_run_details with 400', async () => {
    const e = await httpError(
      w.ge.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
        ...MIRROR,
        workflow_id: 'release.yml',
        ref: 'main',
        return_run_details: true,
      }),
    );
    assert.equal(e.status, 400);
    assert.equal((e.response?.data as { message: string }).message, 'Invalid request.\n\n"return_run_details" is not a permitted key.');
    assert.equal((await w.ge.rest.actions.createWorkflowDispatch({ ...MIRROR, workflow_id: 'release.yml', ref: 'main' })).status, 204);
  });

  test('with a dispatch delay the new run shows up only later, as on GitHub', async () => {
    const q = { owner: OWNER, repo: REPO, workflow_id: 'release.yml', event: 'workflow_dispatch' };
    const before = (await w.gh.rest.actions.listWorkflowRuns(q)).data.total_count;
    w.github.setDispatchDelay(150);
    await w.gh.rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: 'release.yml', ref: 'main' });
    assert.equal((await w.gh.rest.actions.listWorkflowRuns(q)).data.total_count, before);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await w.gh.rest.actions.listWorkflowRuns(q)).data.total_count, before + 1);
    w.github.setDispatchDelay(0);
  });

  test('a workflow without workflow_dispatch, a missing ref and unknown inputs are 422', async () => {
    const noTrigger = await httpError(w.gh.rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: 'publish.yml', ref: 'main' }));
    assert.equal(noTrigger.status, 422);
    assert.equal((noTrigger.response?.data as { message: string }).message, "Workflow does not have 'workflow_dispatch' trigger");
    const noRef = await httpError(w.gh.rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: 'release.yml', ref: 'v9.9.9' }));
    assert.equal((noRef.response?.data as { message: string }).message, 'No ref found for: v9.9.9');
    const inputs = await httpError(
      w.gh.rest.actions.createWorkflowDispatch({ owner: OWNER, repo: REPO, workflow_id: 'release.yml', ref: 'main', inputs: { tag: 'x' } }),
    );
    assert.equal(inputs.status, 422);
  });
});

describe('FakeGitHub: GitHub App', () => {
  let w: World;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const appId = 424242;
  before(async () => {
    w = await world();
    w.github.addRepo('olreppe/other', { private: true });
    w.github.installApp({ appId, privateKeyPem: pem, repos: ['olreppe/pyWATS'] });
  });

  test('JWT -> installation -> installation token -> repository access', async () => {
    const appOctokit = new Octokit({ baseUrl: w.github.apiUrl, authStrategy: createAppAuth, auth: { appId, privateKey: pem }, log });
    const inst = await appOctokit.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    assert.equal(inst.data.app_id, appId);
    const installed = new Octokit({
      baseUrl: w.github.apiUrl,
      authStrategy: createAppAuth,
      auth: { appId, privateKey: pem, installationId: inst.data.id },
      log,
    });
    const repo = await installed.rest.repos.get({ owner: OWNER, repo: REPO });
    assert.equal(repo.data.full_name, 'olreppe/pyWATS');
    const secrets = await installed.rest.actions.listRepoSecrets({ owner: OWNER, repo: REPO });
    assert.equal(secrets.data.total_count, 2);
    assert.equal((await httpError(installed.rest.repos.get({ owner: OWNER, repo: 'other' }))).status, 404);
    assert.equal((await httpError(installed.rest.users.getAuthenticated())).status, 403);
    const token = w.github.requests.find((r) => r.path === `/app/installations/${inst.data.id}/access_tokens`);
    assert.equal(token?.status, 201);
  });

  test('a JWT signed with another key is refused', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const impostor = new Octokit({ baseUrl: w.github.apiUrl, authStrategy: createAppAuth, auth: { appId, privateKey: other }, log });
    const e = await httpError(impostor.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO }));
    assert.equal(e.status, 401);
  });
});

describe('FakeGitHub: re-running a job', () => {
  let w: World;
  const q = { owner: OWNER, repo: REPO };
  const latest = async (runId: number) =>
    (await w.gh.rest.actions.listJobsForWorkflowRun({ ...q, run_id: runId })).data.jobs.map((j) => ({
      id: j.id,
      key: j.name,
      attempt: j.run_attempt,
      state: j.conclusion ?? j.status,
    }));
  const all = async (runId: number) =>
    (await w.gh.rest.actions.listJobsForWorkflowRun({ ...q, run_id: runId, filter: 'all' })).data.jobs.map((j) => ({
      id: j.id,
      key: j.name,
      attempt: j.run_attempt,
      state: j.conclusion ?? j.status,
    }));
  const BUILD = 'Build and publish to PyPI';
  const SYNC = 'Sync to GitHub Enterprise';
  before(async () => {
    w = await world();
  });

  test('the failed sync job: a new attempt, queued, keeping the build job and replacing the sync job', async () => {
    const runId = w.seed.github.lastPublishRunId ?? 0;
    const [build, oldSync] = await latest(runId);
    assert.equal(oldSync?.state, 'failure');
    const res = await w.gh.rest.actions.reRunJobForWorkflowRun({ ...q, job_id: oldSync?.id ?? 0 });
    assert.equal(res.status, 201);
    assert.deepEqual(res.data, {});

    const run = (await w.gh.rest.actions.getWorkflowRun({ ...q, run_id: runId })).data;
    assert.equal(run.run_attempt, 2);
    assert.equal(`${run.status}/${run.conclusion}`, 'queued/null');
    assert.equal(run.previous_attempt_url, `${w.github.apiUrl}/repos/${OWNER}/${REPO}/actions/runs/${runId}/attempts/1`);
    assert.equal(run.triggering_actor?.login, w.seed.github.login, 'whoever asked for the re-run');
    assert.ok(Date.parse(run.run_started_at ?? '') >= Date.now() - 5000, 'the attempt starts now');

    const jobs = await latest(runId);
    assert.deepEqual(
      jobs.map((j) => [j.key, j.attempt, j.state]),
      [
        [BUILD, 1, 'success'],
        [SYNC, 2, 'queued'],
      ],
    );
    assert.equal(jobs[0]?.id, build?.id, 'the kept job is the same job');
    assert.notEqual(jobs[1]?.id, oldSync?.id, 'the re-run job is a new job');
    assert.deepEqual(
      (await all(runId)).map((j) => [j.key, j.attempt, j.state]),
      [
        [BUILD, 1, 'success'],
        [SYNC, 1, 'failure'],
        [SYNC, 2, 'queued'],
      ],
    );

    const first = (await w.gh.rest.actions.getWorkflowRunAttempt({ ...q, run_id: runId, attempt_number: 1 })).data;
    assert.deepEqual([first.run_attempt, first.status, first.conclusion, first.previous_attempt_url], [1, 'completed', 'failure', null]);
    assert.equal((await w.gh.rest.actions.getWorkflowRunAttempt({ ...q, run_id: runId, attempt_number: 2 })).data.status, 'queued');
    assert.equal((await httpError(w.gh.rest.actions.getWorkflowRunAttempt({ ...q, run_id: runId, attempt_number: 3 }))).status, 404);
    const attemptJobs = async (n: number) =>
      (await w.gh.rest.actions.listJobsForWorkflowRunAttempt({ ...q, run_id: runId, attempt_number: n })).data.jobs.map((j) => j.id);
    assert.deepEqual(await attemptJobs(1), [build?.id, oldSync?.id]);
    assert.deepEqual(await attemptJobs(2), [jobs[1]?.id]);

    // While the new attempt is going, the job cannot be re-run again.
    const busy = await httpError(w.gh.rest.actions.reRunJobForWorkflowRun({ ...q, job_id: jobs[1]?.id ?? 0 }));
    assert.equal(busy.status, 403);
    assert.equal((busy.response?.data as { message: string }).message, 'The workflow run containing this job is already running');

    w.github.completeRun(runId);
    const done = (await w.gh.rest.actions.getWorkflowRun({ ...q, run_id: runId })).data;
    assert.deepEqual([done.run_attempt, done.status, done.conclusion], [2, 'completed', 'success']);
    assert.deepEqual(
      (await latest(runId)).map((j) => [j.key, j.attempt, j.state]),
      [
        [BUILD, 1, 'success'],
        [SYNC, 2, 'success'],
      ],
    );
    // The replaced job and its log stay reachable.
    assert.equal((await w.gh.rest.actions.getJobForWorkflowRun({ ...q, job_id: oldSync?.id ?? 0 })).data.conclusion, 'failure');
    assert.match(String((await w.gh.rest.actions.downloadJobLogsForWorkflowRun({ ...q, job_id: oldSync?.id ?? 0 })).data), /Authentication failed/);
    const summary = w.github.runs('olreppe/pyWATS', 'publish.yml').find((r) => r.id === runId);
    assert.equal(summary?.runAttempt, 2);
    assert.deepEqual(
      summary?.replacedJobs.map((j) => [j.id, j.runAttempt]),
      [[oldSync?.id, 1]],
    );
  });

  test('re-running a job re-runs the jobs that need it, which wait for it', async () => {
    const runId = w.github.simulateRun('olreppe/pyWATS', 'publish.yml', { headBranch: 'main' }, { 'build-and-publish': 'failure' });
    assert.deepEqual(
      (await latest(runId)).map((j) => j.state),
      ['failure', 'skipped'],
    );
    const reruns: number[] = [];
    w.github.onRerun((r) => reruns.push(r.runAttempt));
    const [build] = await latest(runId);
    await w.gh.rest.actions.reRunJobForWorkflowRun({ ...q, job_id: build?.id ?? 0 });
    assert.deepEqual(reruns, [2]);
    assert.deepEqual(
      (await latest(runId)).map((j) => [j.key, j.attempt, j.state]),
      [[BUILD, 2, 'queued']],
    );
    assert.equal((await all(runId)).length, 3);

    w.github.setJob(runId, 'build-and-publish', { status: 'in_progress' });
    assert.equal((await w.gh.rest.actions.getWorkflowRun({ ...q, run_id: runId })).data.status, 'in_progress');
    w.github.completeRun(runId);
    assert.deepEqual(
      (await latest(runId)).map((j) => [j.key, j.attempt, j.state]),
      [
        [BUILD, 2, 'success'],
        [SYNC, 2, 'success'],
      ],
    );
    const run = (await w.gh.rest.actions.getWorkflowRun({ ...q, run_id: runId })).data;
    assert.deepEqual([run.run_attempt, run.conclusion], [2, 'success']);

    // The test helper does the same as the API, for seeding history.
    w.github.rerunJob(runId, 'sync-to-ghe');
    w.github.completeRun(runId, { 'sync-to-ghe': 'failure' });
    const third = (await w.gh.rest.actions.getWorkflowRun({ ...q, run_id: runId })).data;
    assert.deepEqual([third.run_attempt, third.conclusion], [3, 'failure']);
    assert.deepEqual(
      (await latest(runId)).map((j) => [j.key, j.attempt, j.state]),
      [
        [BUILD, 2, 'success'],
        [SYNC, 3, 'failure'],
      ],
    );
  });

  test('a job of a run still in progress cannot be re-run; unknown jobs are 404; readers may not re-run', async () => {
    const runId = w.github.startRun('olreppe/pyWATS', 'publish.yml', { headBranch: 'main' });
    w.github.setJob(runId, 'build-and-publish', { status: 'completed', conclusion: 'failure' });
    w.github.setJob(runId, 'sync-to-ghe', { status: 'in_progress' });
    const [build] = await latest(runId);
    const e = await httpError(w.gh.rest.actions.reRunJobForWorkflowRun({ ...q, job_id: build?.id ?? 0 }));
    assert.equal(e.status, 403);
    assert.equal((e.response?.data as { message: string }).message, 'The workflow run containing this job is already running');
    assert.equal((await w.gh.rest.actions.getWorkflowRun({ ...q, run_id: runId })).data.run_attempt, 1);
    assert.throws(() => w.github.rerunJob(runId, 'build-and-publish'), /in_progress/);
    assert.equal((await httpError(w.gh.rest.actions.reRunJobForWorkflowRun({ ...q, job_id: 1 }))).status, 404);

    w.github.completeRun(runId);
    w.github.addToken('ghp_reader', { login: 'reader', scopes: ['repo'] });
    w.github.grantAccess('olreppe/pyWATS', 'reader', 'read');
    const reader = new Octokit({ auth: 'ghp_reader', baseUrl: w.github.apiUrl, log });
    assert.equal((await httpError(reader.rest.actions.reRunJobForWorkflowRun({ ...q, job_id: build?.id ?? 0 }))).status, 403);
  });
});

describe('FakeGitHub: deploy key format and credential revocation', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  test('a deploy key must be an OpenSSH public key whose blob matches its type', async () => {
    const good = generateDeployKey('fake-test');
    const blob = good.publicKey.split(' ')[1] ?? '';
    const cut = Buffer.from(blob, 'base64').subarray(0, 40).toString('base64');
    const dsa = `ssh-dss ${Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('ssh-dss'), Buffer.alloc(20)]).toString('base64')}`;
    for (const key of [
      `ssh-rsa ${blob}`,
      `ssh-ed25519 ${cut}`,
      dsa,
      good.publicKey.replace('AAAA', 'AAA'),
      'ssh-ed25519',
      '-----BEGIN OPENSSH PRIVATE KEY-----',
    ]) {
      const e = await httpError(w.ge.rest.repos.createDeployKey({ ...MIRROR, title: 'x', key }));
      assert.equal(e.status, 422, key);
      assert.deepEqual((e.response?.data as { errors: unknown[] }).errors, [
        { resource: 'PublicKey', code: 'custom', field: 'key', message: 'key is invalid. You must supply a key in OpenSSH public key format' },
      ]);
    }
    const created = await w.ge.rest.repos.createDeployKey({ ...MIRROR, title: 'sync', key: good.publicKey, read_only: false });
    assert.equal(created.data.key, `ssh-ed25519 ${blob}`, 'listed without its comment');
  });

  test('a key in use on any repository of the host is refused, with or without its comment', async () => {
    w.ghe.addRepo('WATS/other', { access: { [w.seed.ghe.login]: 'admin' } });
    const key = generateDeployKey('shared');
    await w.ge.rest.repos.createDeployKey({ owner: 'WATS', repo: 'other', title: 'first', key: key.publicKey });
    const e = await httpError(w.ge.rest.repos.createDeployKey({ ...MIRROR, title: 'second', key: key.publicKey.split(' ').slice(0, 2).join(' ') }));
    assert.equal(e.status, 422);
    assert.equal((e.response?.data as { errors: Array<{ message: string }> }).errors[0]?.message, 'key is already in use');
    // Another host is another world.
    w.github.addRepo('olreppe/keys', { access: { [w.seed.github.login]: 'admin' } });
    assert.equal((await w.gh.rest.repos.createDeployKey({ owner: 'olreppe', repo: 'keys', title: 'ok', key: key.publicKey })).status, 201);
  });

  test('github.com revokes for anonymous callers only; GHES for authenticated ones only', async () => {
    w.github.addToken('ghp_leakedOnDotcom', { login: 'alice' });
    const anonymous = new Octokit({ baseUrl: w.github.apiUrl, log });
    const authed = await httpError(w.gh.rest.credentials.revoke({ credentials: ['ghp_leakedOnDotcom'] }));
    assert.equal(authed.status, 403);
    assert.ok(w.github.hasToken('ghp_leakedOnDotcom'));
    assert.equal((await anonymous.rest.credentials.revoke({ credentials: ['ghp_leakedOnDotcom'] })).status, 202);
    assert.ok(!w.github.hasToken('ghp_leakedOnDotcom'));

    w.ghe.addToken('ghp_leakedOnGhes', { login: 'bob' });
    const geAnonymous = new Octokit({ baseUrl: w.ghe.apiUrl, log });
    const e = await httpError(geAnonymous.rest.credentials.revoke({ credentials: ['ghp_leakedOnGhes'] }));
    assert.equal(e.status, 401);
    assert.equal((e.response?.data as { message: string }).message, 'Requires authentication');
    assert.equal((await w.ge.rest.credentials.revoke({ credentials: ['ghp_leakedOnGhes'] })).status, 202);
    assert.ok(!w.ghe.hasToken('ghp_leakedOnGhes'));
  });

  test('at most 1000 credentials a request, at least one', async () => {
    const tooMany = await httpError(w.ge.rest.credentials.revoke({ credentials: Array.from({ length: 1001 }, (_, i) => `ghp_${i}`) }));
    assert.equal(tooMany.status, 422);
    assert.equal((await httpError(w.ge.rest.credentials.revoke({ credentials: [] }))).status, 422);
    assert.equal((await w.ge.rest.credentials.revoke({ credentials: Array.from({ length: 1000 }, (_, i) => `ghp_${i}`) })).status, 202);
  });

  test('60 requests an hour per caller; then the documented 422 with retry-after', async () => {
    w.ghe.addToken('ghp_spammer', { login: 'spammer' });
    const spammer = new Octokit({ auth: 'ghp_spammer', baseUrl: w.ghe.apiUrl, log, throttle: { enabled: false } });
    for (let i = 0; i < 60; i++) assert.equal((await spammer.rest.credentials.revoke({ credentials: ['ghp_nothing'] })).status, 202);
    const e = await httpError(spammer.rest.credentials.revoke({ credentials: ['ghp_nothing'] }));
    assert.equal(e.status, 422);
    const retryAfter = Number(e.response?.headers['retry-after']);
    assert.ok(retryAfter > 3500 && retryAfter <= 3600, String(retryAfter));
    assert.match((e.response?.data as { message: string }).message, /secondary rate limit/);
    // Others keep their own budget.
    assert.equal((await w.ge.rest.credentials.revoke({ credentials: ['ghp_nothing'] })).status, 202);
  });
});
