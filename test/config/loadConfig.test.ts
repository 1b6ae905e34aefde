import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const VALID_YAML = `
repos:
  - name: pywats
    github: olreppe/pyWATS
    channel: C0123456789
    release:
      workflow: release.yml
    sync:
      workflow: publish.yml
      job: sync-to-ghe
      mirror:
        apiUrl: https://wats.ghe.com/api/v3
        repo: WATS/pyWATS
        tokenEnv: GHE_API_TOKEN
    secrets:
      - name: GHE_TOKEN
        kind: classic-pat
        host: https://wats.ghe.com
        scopes: [repo]
        maxAgeDays: 365
access:
  release: [U012ABCDEF, S0ABCDEF12]
  approve: [S0FEDCBA98]
`;

async function yamlFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-config-'));
  const path = join(dir, 'chatops.yml');
  await writeFile(path, text);
  return path;
}

const baseEnv = (config: string) => ({
  SLACK_BOT_TOKEN: 'xoxb-1-abc',
  SLACK_SIGNING_SECRET: 'signing-secret-123',
  GITHUB_TOKEN: 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  GHE_API_TOKEN: 'ghe-token-value-123',
  CHATOPS_CONFIG: config,
});

async function problemsOf(env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    await loadConfig(env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('loadConfig accepted an invalid configuration');
}

describe('loadConfig', () => {
  test('the contract example loads, with defaults applied and names resolved', async () => {
    const cfg = await loadConfig(baseEnv(await yamlFile(VALID_YAML)));
    assert.equal(cfg.repos[0]?.shortName, 'pywats');
    assert.equal(cfg.repos[0]?.owner, 'olreppe');
    assert.equal(cfg.env.PORT, 3000);
    assert.equal(cfg.env.GITHUB_API_URL, 'https://api.github.com');
    assert.equal(cfg.env.SLACK_API_URL, 'https://slack.com/api/');
    assert.equal(cfg.env.DATABASE_URL, './data/chatops.sqlite');
    assert.deepEqual(cfg.githubAuth, { kind: 'token', token: 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' });
    assert.equal(cfg.mirrorTokens.GHE_API_TOKEN, 'ghe-token-value-123');
    // Every credential is handed to the sanitizer.
    for (const c of ['xoxb-1-abc', 'signing-secret-123', 'ghe-token-value-123']) assert.ok(cfg.credentials.includes(c), c);
  });

  test('nothing set: one error naming every missing setting', async () => {
    const problems = await problemsOf({ CHATOPS_CONFIG: '/nonexistent/chatops.yml' });
    const text = problems.join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'GITHUB_TOKEN', 'CHATOPS_CONFIG']) assert.match(text, new RegExp(name));
  });

  test('Socket Mode does not need a signing secret; a GitHub App replaces GITHUB_TOKEN', async () => {
    const path = await yamlFile(VALID_YAML);
    const cfg = await loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1-abc',
      GITHUB_APP_ID: '42',
      GITHUB_APP_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
      GHE_API_TOKEN: 'x',
      CHATOPS_CONFIG: path,
    });
    assert.equal(cfg.githubAuth.kind, 'app');
    assert.ok(cfg.githubAuth.kind === 'app' && cfg.githubAuth.privateKey.includes('\nabc\n'));
  });

  test('file problems are named by their path, with env problems in the same message', async () => {
    const bad = VALID_YAML.replace('job: sync-to-ghe', 'job: ""')
      .replace('github: olreppe/pyWATS', 'github: not a repo')
      .replace('kind: classic-pat', 'kind: password')
      .replace('[U012ABCDEF, S0ABCDEF12]', '[alice]');
    const env = { ...baseEnv(await yamlFile(bad)), SLACK_BOT_TOKEN: 'not-a-token', PORT: 'eighty' };
    const problems = await problemsOf(env);
    const text = problems.join('\n');
    assert.match(text, /repos\[0\]\.sync\.job/);
    assert.match(text, /repos\[0\]\.github: must be "owner\/name"/);
    assert.match(text, /repos\[0\]\.secrets\[0\]\.kind/);
    assert.match(text, /access\.release\[0\]/);
    assert.match(text, /SLACK_BOT_TOKEN: must be a bot token/);
    assert.match(text, /PORT/);
  });

  test('PUBLIC_URL (the masked entry page) is an http(s) URL, kept without its trailing slash', async () => {
    const path = await yamlFile(VALID_YAML);
    assert.equal((await loadConfig(baseEnv(path))).env.PUBLIC_URL, undefined);
    assert.equal((await loadConfig({ ...baseEnv(path), PUBLIC_URL: ' https://chatops.example.com/ ' })).env.PUBLIC_URL, 'https://chatops.example.com');
    for (const bad of ['chatops.example.com', 'ftp://chatops.example.com']) {
      const problems = await problemsOf({ ...baseEnv(path), PUBLIC_URL: bad });
      assert.ok(problems.some((p) => p.startsWith('PUBLIC_URL: must be')), `${bad}: ${problems.join('\n')}`);
    }
  });

  test('the mirror credential named by tokenEnv must be set', async () => {
    const env: NodeJS.ProcessEnv = baseEnv(await yamlFile(VALID_YAML));
    delete env.GHE_API_TOKEN;
    const problems = await problemsOf(env);
    assert.ok(problems.some((p) => p.startsWith('GHE_API_TOKEN:') && p.includes('repos[0].sync.mirror.tokenEnv')), problems.join('\n'));
  });

  test('several repos need names, unique ones', async () => {
    const two = `repos:\n  - github: a/one\n  - github: b/one\n`;
    const problems = await problemsOf(baseEnv(await yamlFile(two)));
    assert.ok(problems.some((p) => p.includes('repos[0].name: required')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('repos[1].name')), problems.join('\n'));
  });

  test('broken YAML is reported with its line', async () => {
    const problems = await problemsOf(baseEnv(await yamlFile('repos:\n  - github: a/b\n   bad: [\n')));
    assert.ok(problems.some((p) => /not valid YAML at line \d+/.test(p)), problems.join('\n'));
  });

  test('npm start without settings exits non-zero with the list and no stack trace', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH, CHATOPS_CONFIG: '/nonexistent/chatops.yml' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /SLACK_BOT_TOKEN/);
    assert.match(r.stderr, /GITHUB_TOKEN/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
