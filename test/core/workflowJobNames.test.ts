import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { jobNamesOf, workflowPathOf } from '../../src/core/sync/workflowJobNames.js';

test('job ids map to their display names; an expression name or no name falls back to the id', () => {
  const yaml = readFileSync(new URL('../../packages/fake-github/src/fixtures/workflows/pywats-publish.yml', import.meta.url), 'utf8');
  assert.deepEqual(jobNamesOf(yaml), { 'build-and-publish': 'Build and publish to PyPI', 'sync-to-ghe': 'Sync to GitHub Enterprise' });
  assert.deepEqual(jobNamesOf('jobs:\n  a:\n    name: Build ${{ matrix.os }}\n  b:\n    runs-on: x\n'), { a: 'a', b: 'b' });
});

test('junk, YAML errors and files without jobs give no names', () => {
  assert.deepEqual(jobNamesOf('jobs: [unclosed'), {});
  assert.deepEqual(jobNamesOf('name: no jobs here'), {});
  assert.deepEqual(jobNamesOf(''), {});
});

test('a workflow by file name lives under .github/workflows; a numeric id has no known path', () => {
  assert.equal(workflowPathOf('publish.yml'), '.github/workflows/publish.yml');
  assert.equal(workflowPathOf('.github/workflows/publish.yml'), '.github/workflows/publish.yml');
  assert.equal(workflowPathOf(123456), null);
  assert.equal(workflowPathOf('123456'), null);
});
