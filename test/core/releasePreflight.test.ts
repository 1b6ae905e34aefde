import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasWorkflowDispatch, preflight, type PreflightFacts } from '../../src/core/release/preflight.js';
import type { WorkflowRunInfo } from '../../src/core/ports.js';

const fixture = (n: string) => readFileSync(new URL(`../../packages/fake-github/src/fixtures/workflows/${n}`, import.meta.url), 'utf8');
const run = (o: Partial<WorkflowRunInfo>): WorkflowRunInfo => ({
  id: 1,
  runNumber: 1,
  runAttempt: 1,
  name: 'Release',
  event: 'workflow_dispatch',
  status: 'completed',
  conclusion: 'success',
  headSha: 'a'.repeat(40),
  headBranch: 'v1.3.0',
  displayTitle: 'Release',
  createdAt: '2026-11-01T00:00:00Z',
  runStartedAt: null,
  updatedAt: '2026-11-01T00:00:00Z',
  htmlUrl: 'https://github.com/thecturner/jankins/actions/runs/1',
  ...o,
});
const facts = (o: Partial<PreflightFacts> = {}): PreflightFacts => ({
  repo: 'thecturner/jankins',
  tag: 'v1.3.0',
  tagInfo: { name: 'v1.3.0', sha: 'a'.repeat(40), subject: 'chore(release): 1.3.0' },
  latestTags: ['v1.3.0', 'v1.2.0'],
  workflowRef: 'release.yml',
  workflow: {
    id: 7,
    name: 'Release',
    path: '.github/workflows/release.yml',
    state: 'active',
    htmlUrl: 'https://github.com/thecturner/jankins/actions/workflows/release.yml',
  },
  workflowYaml: fixture('jankins-release.yml'),
  runs: [],
  activeRequests: 0,
  ...o,
});

describe('release preflight', () => {
  test('workflow_dispatch detection on the real workflows', () => {
    assert.equal(hasWorkflowDispatch(fixture('jankins-release.yml')), true, 'bare workflow_dispatch:');
    assert.equal(hasWorkflowDispatch(fixture('pywats-publish.yml')), false);
    assert.equal(hasWorkflowDispatch('on: [push, workflow_dispatch]'), true);
    assert.equal(hasWorkflowDispatch('on: workflow_dispatch'), true);
    assert.equal(hasWorkflowDispatch('on:\n  workflow_dispatch:\n    inputs:\n      x: {}'), true);
    assert.equal(hasWorkflowDispatch(': : not yaml ['), false);
  });
  test('all clear', () => {
    const p = preflight(facts());
    assert.ok(p.ok && p.previousFailure === null);
  });
  test('each refusal says what is wrong and how to fix it', () => {
    const cases: Array<[Partial<PreflightFacts>, RegExp]> = [
      [{ tagInfo: null }, /Tag `v1\.3\.0` does not exist.*Latest tags: `v1\.3\.0`, `v1\.2\.0`/],
      [{ workflow: null }, /does not exist.*release\.workflow/],
      [{ workflow: { ...facts().workflow!, state: 'disabled_manually' } }, /disabled \(disabled manually\)/],
      [{ workflowYaml: fixture('pywats-publish.yml') }, /no `workflow_dispatch` trigger/],
      [{ runs: [run({ status: 'in_progress', conclusion: null })] }, /already in progress: https:/],
      [{ runs: [run({})] }, /already released by https:.*succeeded/],
      [{ activeRequests: 1 }, /already waiting for confirmation/],
    ];
    for (const [o, re] of cases) {
      const p = preflight(facts(o));
      assert.ok(!p.ok && re.test(p.reason), `${JSON.stringify(o).slice(0, 80)} -> ${p.ok ? 'ok' : p.reason}`);
    }
  });
  test('a failed earlier run is offered again, with its link', () => {
    const failed = run({ conclusion: 'failure' });
    const p = preflight(facts({ runs: [failed] }));
    assert.ok(p.ok && p.previousFailure?.id === failed.id);
  });
});
