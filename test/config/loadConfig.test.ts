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
    assert.match(text, /`repos\[0\]\.sync\.job` is empty: the job id or name of the sync job/);
    assert.match(text, /`repos\[0\]\.github` must be "owner\/name"/);
    assert.match(text, /`repos\[0\]\.secrets\[0\]\.kind` must be one of classic-pat, fine-grained-pat, deploy-key/);
    assert.match(text, /`access\.release\[0\]` must be a Slack user ID/);
    assert.match(text, /`SLACK_BOT_TOKEN` must be a bot token/);
    assert.match(text, /`PORT` must be a port number/);
    assert.doesNotMatch(text, /Invalid input|expected string|received/, 'no zod wording');
    assert.ok(!text.includes('not-a-token'), 'no value is quoted (the environment holds credentials)');
  });

  test('PUBLIC_URL (the masked entry page) is an http(s) URL, kept without its trailing slash', async () => {
    const path = await yamlFile(VALID_YAML);
    assert.equal((await loadConfig(baseEnv(path))).env.PUBLIC_URL, undefined);
    assert.equal((await loadConfig({ ...baseEnv(path), PUBLIC_URL: ' https://chatops.example.com/ ' })).env.PUBLIC_URL, 'https://chatops.example.com');
    for (const bad of ['chatops.example.com', 'ftp://chatops.example.com']) {
      const problems = await problemsOf({ ...baseEnv(path), PUBLIC_URL: bad });
      assert.deepEqual(problems, ['`PUBLIC_URL` must be an http(s) URL, e.g. https://chatops.example.com'], `${bad}: one problem, told once`);
    }
  });

  test('the mirror credential named by tokenEnv must be set', async () => {
    const env: NodeJS.ProcessEnv = baseEnv(await yamlFile(VALID_YAML));
    delete env.GHE_API_TOKEN;
    const problems = await problemsOf(env);
    assert.ok(
      problems.some((p) => p.startsWith('`GHE_API_TOKEN` is missing') && p.includes('repos[0].sync.mirror.tokenEnv')),
      problems.join('\n'),
    );
  });

  test('several repos need names, unique ones', async () => {
    const two = `repos:\n  - github: a/one\n  - github: b/one\n`;
    const problems = await problemsOf(baseEnv(await yamlFile(two)));
    assert.ok(
      problems.some((p) => p.includes('`repos[0].name` is required when several repositories are configured')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('`repos[1].name` duplicates the name of repos[0]')),
      problems.join('\n'),
    );
  });

  test('a typo at every level is an error naming its path and the key it resembles', async () => {
    // One misspelt key per object of the schema, each with a key of the contract or the README to resemble.
    const typos: Array<[string, string, string]> = [
      ['access:', 'acess:', 'access'],
      ['  approve: [S0FEDCBA98]', '  aprove: [S0FEDCBA98]', 'approve'],
      ['    channel: C0123456789', '    chanel: C0123456789', 'channel'],
      ['    release:\n      workflow: release.yml', '    release:\n      workflow: release.yml\n      inptus: {}', 'inputs'],
      ['      job: sync-to-ghe', '      jbo: sync-to-ghe\n      job: sync-to-ghe', 'job'],
      ['        tokenEnv: GHE_API_TOKEN', '        tokenEnv: GHE_API_TOKEN\n        apiURL: https://x.example.com', 'apiUrl'],
      ['        maxAgeDays: 365', '        maxAgeDays: 365\n        verfy:\n          workflow: publish.yml\n          reff: main', 'verify'],
    ];
    let yaml = VALID_YAML;
    for (const [from, to] of typos) {
      assert.ok(yaml.includes(from), from);
      yaml = yaml.replace(from, to);
    }
    yaml += 'remiders:\n  enabled: true\napprovals:\n  expiresMinuts: 30\n';
    const problems = await problemsOf(baseEnv(await yamlFile(yaml)));
    const expected = [
      '`acess` is not a known key; did you mean `access`?',
      '`remiders` is not a known key; did you mean `reminders`?',
      '`approvals.expiresMinuts` is not a known key; did you mean `expiresMinutes`?',
      '`repos[0].chanel` is not a known key; did you mean `channel`?',
      '`repos[0].release.inptus` is not a known key; did you mean `inputs`?',
      '`repos[0].sync.jbo` is not a known key; did you mean `job`?',
      '`repos[0].sync.mirror.apiURL` is not a known key; did you mean `apiUrl`?',
      '`repos[0].secrets[0].verfy` is not a known key; did you mean `verify`?',
    ];
    const lines = problems.map((p) => p.replace(/^[^`]*: (?=`)/, ''));
    for (const e of expected) assert.ok(lines.includes(e), `${e}\nin:\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, `nothing else, nothing twice:\n${problems.join('\n')}`);
    // `aprove` sits under the unknown `acess`, so it is not looked at; `access` itself has defaults.
    assert.ok(
      problems.every((p) => /\/chatops\.yml: `/.test(p)),
      'each file problem names the file',
    );
  });

  test('a key far from any allowed one lists the keys known at its level', async () => {
    const problems = await problemsOf(baseEnv(await yamlFile(VALID_YAML.replace('    channel: C0123456789', '    channel: C0123456789\n    colour: blue'))));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      /`repos\[0\]\.colour` is not a known key \(known here: `name`, `github`, `channel`, `release`, `sync`, `secrets`, `alerts`\)/,
    );
  });

  test('the keys CONTRACT.md documents beyond what the bot acts on (alerts, events) are accepted and checked', async () => {
    const yaml =
      VALID_YAML.replace('    secrets:', '    alerts:\n      sync: all\n      release: off\n      tagWithoutRelease: 0\n    secrets:') +
      'events:\n  pollSeconds: 30\n  reconcileSeconds: 900\n';
    const cfg = await loadConfig(baseEnv(await yamlFile(yaml)));
    assert.deepEqual(cfg.repos[0]?.alerts, { sync: 'all', release: 'off', tagWithoutRelease: 0 });
    assert.deepEqual(cfg.file.events, { pollSeconds: 30, reconcileSeconds: 900 });
    const bad = await problemsOf(baseEnv(await yamlFile(yaml.replace('sync: all', 'sync: some').replace('pollSeconds: 30', 'polSeconds: 30'))));
    const text = bad.join('\n');
    assert.match(text, /`repos\[0\]\.alerts\.sync` must be one of failures, all, off/);
    assert.match(text, /`events\.polSeconds` is not a known key; did you mean `pollSeconds`\?/);
  });

  test('missing and mistyped values are told in plain words, from the schema descriptions', async () => {
    const yaml = VALID_YAML.replace('      job: sync-to-ghe\n', '')
      .replace('        repo: WATS/pyWATS\n', '')
      .replace('      workflow: release.yml', '      workflow: true')
      .replace('        maxAgeDays: 365', '        maxAgeDays: soon')
      .replace('[U012ABCDEF, S0ABCDEF12]', 'U012ABCDEF');
    const problems = await problemsOf(baseEnv(await yamlFile(yaml)));
    const lines = problems.map((p) => p.replace(/^[^`]*: (?=`)/, ''));
    assert.deepEqual(lines.sort(), [
      '`access.release` must be a list, not text: who may release and request secret changes',
      '`repos[0].release.workflow` must be text or a number, not true: the release workflow (file name or numeric id) that /release dispatches',
      '`repos[0].secrets[0].maxAgeDays` must be a number, not text: the age in days after which the secret is due for rotation',
      '`repos[0].sync.job` is missing: the job id or name of the sync job',
      '`repos[0].sync.mirror.repo` is missing: the mirror repository, "owner/name" on the GHE host',
    ]);
  });

  test('an empty file and an empty repository list say what is needed', async () => {
    assert.deepEqual(
      (await problemsOf(baseEnv(await yamlFile('')))).map((p) => p.replace(/^[^`]*: (?=`)/, '')),
      ['`repos` is missing: the repositories the bot serves'],
    );
    assert.deepEqual(
      (await problemsOf(baseEnv(await yamlFile('repos: []\n')))).map((p) => p.replace(/^[^`]*: (?=`)/, '')),
      ['`repos` must list at least one repository'],
    );
  });

  test('a bad URL is one problem, not two', async () => {
    for (const bad of ['not a url', 'ftp://wats.ghe.com/api/v3']) {
      const problems = await problemsOf(baseEnv(await yamlFile(VALID_YAML.replace('apiUrl: https://wats.ghe.com/api/v3', `apiUrl: ${bad}`))));
      assert.equal(problems.length, 1, `${bad}:\n${problems.join('\n')}`);
      assert.match(problems[0] ?? '', /`repos\[0\]\.sync\.mirror\.apiUrl` must be an http\(s\) URL/);
    }
    const env = { ...baseEnv(await yamlFile(VALID_YAML)), GITHUB_API_URL: 'ftp://api.github.com', SLACK_API_URL: 'nope' };
    assert.deepEqual(await problemsOf(env), ['`SLACK_API_URL` must be an http(s) URL', '`GITHUB_API_URL` must be an http(s) URL']);
  });

  test('a missing variable is told with a set variable whose name is a near miss, never its value', async () => {
    const env: NodeJS.ProcessEnv = { ...baseEnv(await yamlFile(VALID_YAML)), SLACK_BOT_TOKN: 'xoxb-1-abc', GHE_API_TOKN: 'ghe-token-value-123' };
    delete env.SLACK_BOT_TOKEN;
    delete env.GHE_API_TOKEN;
    const problems = await problemsOf(env);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0] ?? '', /^`SLACK_BOT_TOKEN` is missing: the bot token \(xoxb-…\).* \(`SLACK_BOT_TOKN` is set: a typo\?\)$/);
    assert.match(problems[1] ?? '', /^`GHE_API_TOKEN` is missing: .*repos\[0\]\.sync\.mirror\.tokenEnv.* \(`GHE_API_TOKN` is set: a typo\?\)$/);
    assert.ok(!problems.join('').includes('xoxb-1-abc') && !problems.join('').includes('ghe-token-value-123'));
  });

  test('broken YAML is reported with its line', async () => {
    const problems = await problemsOf(baseEnv(await yamlFile('repos:\n  - github: a/b\n   bad: [\n')));
    assert.ok(
      problems.some((p) => /not valid YAML at line \d+/.test(p)),
      problems.join('\n'),
    );
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
