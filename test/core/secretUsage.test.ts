import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { describeImpact, secretUsage } from '../../src/core/secrets/secretUsage.js';

const fixture = (name: string) => readFileSync(new URL(`../../packages/fake-github/src/fixtures/workflows/${name}`, import.meta.url), 'utf8');

/** A workflow around the given `jobs:` block (indented by two spaces). */
const workflow = (jobs: string, top = '') => `name: T\non: push\n${top}jobs:\n${jobs}`;

describe('secretUsage on the real workflows', () => {
  test('pywats publish.yml: GHE_TOKEN is read by one step of sync-to-ghe, not through the job env', () => {
    assert.deepEqual(secretUsage(fixture('pywats-publish.yml'), 'GHE_TOKEN'), [
      { jobId: 'sync-to-ghe', jobName: 'Sync to GitHub Enterprise', steps: ['Push to GitHub Enterprise'], viaEnv: false },
    ]);
  });

  test('secret names are matched case-insensitively, as GitHub does', () => {
    assert.deepEqual(
      secretUsage(fixture('pywats-publish.yml'), 'ghe_token').map((u) => u.jobId),
      ['sync-to-ghe'],
    );
  });

  test('pywats publish.yml uses no other secret (PyPI is trusted publishing)', () => {
    for (const name of ['PAT_TOKEN', 'GHE_DEPLOY_KEY', 'PYPI_API_TOKEN', 'GITHUB_TOKEN'])
      assert.deepEqual(secretUsage(fixture('pywats-publish.yml'), name), [], name);
  });

  // release-pat-setup.md says semantic-release needs PAT_TOKEN to trigger release.yml, but
  // neither workflow reads it: semantic-release publishes with GITHUB_TOKEN.
  test('jankins semantic-release.yml: PAT_TOKEN is not read; GITHUB_TOKEN is, in "Create Release"', () => {
    assert.deepEqual(secretUsage(fixture('jankins-semantic-release.yml'), 'PAT_TOKEN'), []);
    assert.deepEqual(secretUsage(fixture('jankins-semantic-release.yml'), 'GITHUB_TOKEN'), [
      { jobId: 'release', jobName: 'Semantic Release', steps: ['Create Release'], viaEnv: false },
    ]);
  });

  test('jankins release.yml reads no secret at all (trusted publishing, OIDC signing)', () => {
    for (const name of ['PAT_TOKEN', 'GITHUB_TOKEN', 'PYPI_API_TOKEN']) assert.deepEqual(secretUsage(fixture('jankins-release.yml'), name), [], name);
  });
});

describe('secretUsage: where a job can read a secret', () => {
  test('every spelling of the reference', () => {
    for (const ref of [
      '${{ secrets.GHE_TOKEN }}',
      '${{secrets.GHE_TOKEN}}',
      '${{   secrets.ghe_token   }}',
      '${{ Secrets.Ghe_Token }}',
      "${{ secrets['GHE_TOKEN'] }}",
      "${{ secrets[ 'ghe_token' ] }}",
      '${{ secrets["GHE_TOKEN"] }}',
      '${{ secrets.OTHER || secrets.GHE_TOKEN }}',
      "${{ format('oauth2:{0}', secrets.GHE_TOKEN) }}",
      '${{\n  secrets.GHE_TOKEN\n}}',
    ]) {
      const yaml = workflow(`  j:\n    runs-on: x\n    steps:\n      - run: echo hi\n        env:\n          T: ${JSON.stringify(ref)}\n`);
      assert.deepEqual(secretUsage(yaml, 'GHE_TOKEN'), [{ jobId: 'j', jobName: 'j', steps: ['step 1'], viaEnv: false }], ref);
    }
  });

  test('names that only start or end like it, and text outside an expression, do not count', () => {
    for (const ref of [
      '${{ secrets.GHE_TOKEN_OLD }}',
      '${{ secrets.OLD_GHE_TOKEN }}',
      '${{ inputs.secrets.GHE_TOKEN }}',
      "${{ secrets['GHE_TOKEN_2'] }}",
      'echo secrets.GHE_TOKEN is needed',
      '${{ github.token }} secrets.GHE_TOKEN',
    ]) {
      const yaml = workflow(`  j:\n    runs-on: x\n    steps:\n      - run: ${JSON.stringify(ref)}\n`);
      assert.deepEqual(secretUsage(yaml, 'GHE_TOKEN'), [], ref);
    }
  });

  test('job env: viaEnv, with the steps that also name it', () => {
    const yaml = workflow(`  sync:
    name: Sync
    runs-on: x
    env:
      GHE_TOKEN: \${{ secrets.GHE_TOKEN }}
    steps:
      - run: git push
      - name: Push tags
        run: git push --tags
        with:
          token: \${{ secrets.GHE_TOKEN }}
`);
    assert.deepEqual(secretUsage(yaml, 'GHE_TOKEN'), [{ jobId: 'sync', jobName: 'Sync', steps: ['Push tags'], viaEnv: true }]);
  });

  test('workflow env reaches every job with steps, not a called workflow', () => {
    const yaml = workflow(
      `  a:\n    runs-on: x\n    steps:\n      - run: a\n  b:\n    uses: o/r/.github/workflows/w.yml@v1\n`,
      'env:\n  T: ${{ secrets.PAT_TOKEN }}\n',
    );
    assert.deepEqual(secretUsage(yaml, 'PAT_TOKEN'), [{ jobId: 'a', jobName: 'a', steps: [], viaEnv: true }]);
  });

  test('steps: with, run, if (a bare expression), name; labels are names or "step N"', () => {
    const yaml = workflow(`  j:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with:
          token: \${{ secrets.PAT_TOKEN }}
      - name: Script
        run: |
          echo "\${{ secrets.PAT_TOKEN }}" | gh auth login --with-token
      - name: Only with a token
        if: secrets.PAT_TOKEN != ''
        run: make
      - name: Not this one
        run: echo secrets.PAT_TOKEN
`);
    assert.deepEqual(secretUsage(yaml, 'PAT_TOKEN'), [{ jobId: 'j', jobName: 'j', steps: ['step 1', 'Script', 'Only with a token'], viaEnv: false }]);
  });

  test('reusable workflows: explicit secrets, with, and `secrets: inherit`', () => {
    const yaml = workflow(`  explicit:
    uses: o/r/.github/workflows/sync.yml@v1
    secrets:
      token: \${{ secrets.GHE_TOKEN }}
  inherit:
    name: Inherits all
    uses: ./.github/workflows/sync.yml
    secrets: inherit
  other:
    uses: ./.github/workflows/other.yml
    secrets:
      token: \${{ secrets.SOMETHING_ELSE }}
  none:
    uses: ./.github/workflows/other.yml
`);
    assert.deepEqual(secretUsage(yaml, 'GHE_TOKEN'), [
      { jobId: 'explicit', jobName: 'explicit', steps: [], viaEnv: false },
      { jobId: 'inherit', jobName: 'Inherits all', steps: [], viaEnv: false },
    ]);
  });

  test('job settings outside steps: container credentials, job if', () => {
    const yaml = workflow(`  c:
    runs-on: x
    container:
      image: ghcr.io/o/i
      credentials:
        username: bot
        password: \${{ secrets.PAT_TOKEN }}
    steps:
      - run: make
  d:
    runs-on: x
    if: \${{ secrets.PAT_TOKEN != '' }}
    steps:
      - run: make
`);
    assert.deepEqual(
      secretUsage(yaml, 'PAT_TOKEN').map((u) => [u.jobId, u.steps.length, u.viaEnv]),
      [
        ['c', 0, false],
        ['d', 0, false],
      ],
    );
  });

  test('the whole secrets context (toJSON, a computed name) may include it', () => {
    for (const ref of ['${{ toJSON(secrets) }}', '${{ secrets[matrix.secret] }}']) {
      const yaml = workflow(`  j:\n    runs-on: x\n    steps:\n      - run: ${JSON.stringify(ref)}\n`);
      assert.equal(secretUsage(yaml, 'GHE_TOKEN').length, 1, ref);
    }
  });
});

describe('secretUsage: nothing to find', () => {
  test('malformed or odd YAML, or no jobs', () => {
    for (const yaml of [
      'jobs: [',
      'jobs:\n  a: 1\n  a: 2\n',
      '---\njobs: {}\n---\njobs: {}\n',
      '',
      'just a string',
      'jobs: nope',
      'jobs:\n  j: 42\n  k: null\n',
      '\t- not yaml: [}',
    ]) {
      assert.deepEqual(secretUsage(yaml, 'GHE_TOKEN'), [], JSON.stringify(yaml));
    }
  });

  test('a secret name that is not one', () => {
    const yaml = workflow('  j:\n    runs-on: x\n    steps:\n      - run: "${{ secrets.GHE_TOKEN }}"\n');
    for (const name of ['', 'GHE-TOKEN', '.*', '1ABC', 'GHE_TOKEN )']) assert.deepEqual(secretUsage(yaml, name), [], name);
  });

  test('anchors that loop back on themselves do not hang it', () => {
    const yaml = 'jobs:\n  j:\n    runs-on: x\n    env: &e\n      self: *e\n    steps:\n      - run: "${{ secrets.GHE_TOKEN }}"\n';
    assert.deepEqual(secretUsage(yaml, 'GHE_TOKEN'), [{ jobId: 'j', jobName: 'j', steps: ['step 1'], viaEnv: false }]);
  });
});

describe('describeImpact', () => {
  test('one plain line per job, named as the workflow shows it', () => {
    const uses = secretUsage(fixture('pywats-publish.yml'), 'GHE_TOKEN').map((u) => ({ ...u, workflow: 'publish.yml' }));
    assert.deepEqual(describeImpact(uses, 'GHE_TOKEN'), ['Sync to GitHub Enterprise (publish.yml) will fail until a new GHE_TOKEN is set.']);
  });

  test('several workflows and jobs, without repeating a line; none gives none', () => {
    const use = { steps: [], viaEnv: false };
    const lines = describeImpact(
      [
        { ...use, jobId: 'a', jobName: 'Build', workflow: 'ci.yml' },
        { ...use, jobId: 'b', jobName: 'Deploy', workflow: 'ci.yml' },
        { ...use, jobId: 'a', jobName: 'Build', workflow: 'ci.yml' },
        { ...use, jobId: 'a', jobName: 'Build', workflow: 'nightly.yml' },
      ],
      'PAT_TOKEN',
    );
    assert.deepEqual(lines, [
      'Build (ci.yml) will fail until a new PAT_TOKEN is set.',
      'Deploy (ci.yml) will fail until a new PAT_TOKEN is set.',
      'Build (nightly.yml) will fail until a new PAT_TOKEN is set.',
    ]);
    assert.deepEqual(describeImpact([], 'PAT_TOKEN'), []);
  });
});
