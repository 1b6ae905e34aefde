import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Octokit } from '@octokit/rest';
import { createAppAuth } from '@octokit/auth-app';
import { generateDeployKey } from '../../../src/core/secrets/keygen.js';
import { FakeGitHub } from '../src/index.js';
import { seedPywats, type PywatsSeed } from '../src/scenario.js';

/**
 * Checks real responses of the fake against the response schemas GitHub publishes
 * (api.github.com, dereferenced), so shape drift is caught beyond what tsc sees.
 */

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => Ajv;

type Json = Record<string, unknown>;

function loadSpec(): Json {
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.deref.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Json;
}

/**
 * OpenAPI 3.0 allows `nullable` beside `anyOf`/`allOf` without a `type`, which ajv
 * refuses to compile; spell those as "anyOf [schema, null]".
 */
function normalize(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalize);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' || k === 'patternProperties' ? mapValues(v as Json) : normalize(v);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _n, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

const mapValues = (o: Json): Json => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, normalize(v)]));

const OWNER = 'olreppe';
const REPO = 'pyWATS';
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('FakeGitHub responses match the published OpenAPI schemas', () => {
  let spec: Json;
  let ajv: Ajv;
  let github: FakeGitHub;
  let ghe: FakeGitHub;
  let seed: PywatsSeed;
  let gh: Octokit;

  const validator = (path: string, method: string, status: string): ValidateFunction => {
    const op = (spec.paths as Json)[path] as Json | undefined;
    const res = ((op?.[method] as Json | undefined)?.responses as Json | undefined)?.[status] as Json | undefined;
    const schema = ((res?.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
    assert.ok(schema, `no ${status} schema for ${method.toUpperCase()} ${path}`);
    return ajv.compile(normalize(schema) as Json);
  };

  const check = (path: string, method: string, status: string, data: unknown): void => {
    const validate = validator(path, method, status);
    const ok = validate(data);
    assert.ok(ok, `${method.toUpperCase()} ${path}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  };

  before(async () => {
    spec = loadSpec();
    ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    github = new FakeGitHub({ flavor: 'dotcom' });
    ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    seed = seedPywats(github, ghe);
    gh = new Octokit({ auth: seed.github.token, baseUrl: github.apiUrl, log: silent });
  });

  after(async () => {
    await Promise.all([github.stop(), ghe.stop()]);
  });

  test('the validator rejects a wrong shape (so passing means something)', () => {
    const validate = validator('/repos/{owner}/{repo}/actions/secrets/public-key', 'get', '200');
    assert.equal(validate({ key_id: 1 }), false);
  });

  test('workflow runs list, one run, workflows', async () => {
    const runs = await gh.rest.actions.listWorkflowRuns({ owner: OWNER, repo: REPO, workflow_id: 'publish.yml' });
    assert.equal(runs.data.total_count, 3);
    check('/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', 'get', '200', runs.data);
    const run = await gh.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: seed.github.lastPublishRunId ?? 0 });
    check('/repos/{owner}/{repo}/actions/runs/{run_id}', 'get', '200', run.data);
    check('/repos/{owner}/{repo}/actions/workflows', 'get', '200', (await gh.rest.actions.listRepoWorkflows({ owner: OWNER, repo: REPO })).data);
  });

  test('jobs list (including a skipped job) and one job', async () => {
    const runId = github.simulateRun('olreppe/pyWATS', 'publish.yml', { headBranch: 'main' }, { 'build-and-publish': 'failure' });
    for (const id of [seed.github.lastPublishRunId ?? 0, runId]) {
      const jobs = await gh.rest.actions.listJobsForWorkflowRun({ owner: OWNER, repo: REPO, run_id: id });
      assert.equal(jobs.data.jobs.length, 2);
      check('/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', 'get', '200', jobs.data);
      const job = await gh.rest.actions.getJobForWorkflowRun({ owner: OWNER, repo: REPO, job_id: jobs.data.jobs[1]?.id ?? 0 });
      check('/repos/{owner}/{repo}/actions/jobs/{job_id}', 'get', '200', job.data);
    }
  });

  test('secrets list and public key', async () => {
    const secrets = await gh.rest.actions.listRepoSecrets({ owner: OWNER, repo: REPO });
    assert.equal(secrets.data.total_count, 2);
    check('/repos/{owner}/{repo}/actions/secrets', 'get', '200', secrets.data);
    const key = await gh.rest.actions.getRepoPublicKey({ owner: OWNER, repo: REPO });
    assert.equal(Buffer.from(key.data.key, 'base64').length, 32);
    check('/repos/{owner}/{repo}/actions/secrets/public-key', 'get', '200', key.data);
    check(
      '/repos/{owner}/{repo}/actions/secrets/{secret_name}',
      'get',
      '200',
      (await gh.rest.actions.getRepoSecret({ owner: OWNER, repo: REPO, secret_name: 'GHE_TOKEN' })).data,
    );
  });

  test('repository, user, tags, contents, deploy key', async () => {
    check('/repos/{owner}/{repo}', 'get', '200', (await gh.rest.repos.get({ owner: OWNER, repo: REPO })).data);
    check('/user', 'get', '200', (await gh.rest.users.getAuthenticated()).data);
    check('/repos/{owner}/{repo}/tags', 'get', '200', (await gh.rest.repos.listTags({ owner: OWNER, repo: REPO })).data);
    const file = await gh.rest.repos.getContent({ owner: OWNER, repo: REPO, path: '.github/workflows/publish.yml' });
    check('/repos/{owner}/{repo}/contents/{path}', 'get', '200', file.data);
    const ge = new Octokit({ auth: seed.ghe.token, baseUrl: ghe.apiUrl, log: silent });
    const key = await ge.rest.repos.createDeployKey({ owner: 'WATS', repo: 'pyWATS', title: 't', key: generateDeployKey('openapi-test').publicKey });
    check('/repos/{owner}/{repo}/keys', 'post', '201', key.data);
    check('/repos/{owner}/{repo}/git/ref/{ref}', 'get', '200', (await gh.rest.git.getRef({ owner: OWNER, repo: REPO, ref: 'tags/v0.1.0b39' })).data);
  });

  test('releases list (newest first) and one release by tag', async () => {
    github.createRelease(seed.github.repo, 'v0.1.0b38');
    github.createRelease(seed.github.repo, 'v0.1.0b39', { prerelease: true });
    const list = await gh.rest.repos.listReleases({ owner: OWNER, repo: REPO, per_page: 10 });
    check('/repos/{owner}/{repo}/releases', 'get', '200', list.data);
    assert.deepEqual(
      list.data.map((r) => r.tag_name),
      ['v0.1.0b39', 'v0.1.0b38'],
    );
    const one = await gh.rest.repos.getReleaseByTag({ owner: OWNER, repo: REPO, tag: 'v0.1.0b39' });
    check('/repos/{owner}/{repo}/releases/tags/{tag}', 'get', '200', one.data);
    assert.equal(one.data.html_url, list.data[0]?.html_url);
  });

  test('dispatch with run details, app installation and installation token', async () => {
    const res = await gh.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner: OWNER,
      repo: REPO,
      workflow_id: 'release.yml',
      ref: 'main',
      return_run_details: true,
    });
    check('/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', 'post', '200', res.data);
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    github.installApp({ appId: 99, privateKeyPem: pem, repos: ['olreppe/pyWATS'] });
    const app = new Octokit({ baseUrl: github.apiUrl, authStrategy: createAppAuth, auth: { appId: 99, privateKey: pem }, log: silent });
    const inst = await app.rest.apps.getRepoInstallation({ owner: OWNER, repo: REPO });
    check('/repos/{owner}/{repo}/installation', 'get', '200', inst.data);
    const token = await app.rest.apps.createInstallationAccessToken({ installation_id: inst.data.id });
    check('/app/installations/{installation_id}/access_tokens', 'post', '201', token.data);
  });
});
