import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasWorkflowDispatch, preflight, type PreflightFacts } from '../../src/core/release/preflight.js';
import type { WorkflowRunInfo } from '../../src/core/ports.js';
import { refusalText } from '../../src/ui/refusal.js';

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
    // The core gives a code and the facts; ui/refusal.ts words it.
    const cases: Array<[Partial<PreflightFacts>, string, RegExp]> = [
      [{ tagInfo: null }, 'release_tag_missing', /Tag `v1\.3\.0` does not exist.*Latest tags: `v1\.3\.0`, `v1\.2\.0`/],
      [{ tagInfo: null, latestTags: [] }, 'release_tag_missing', /does not exist.*has no tags yet/],
      [{ workflow: null }, 'release_workflow_missing', /does not exist.*release\.workflow/],
      [{ workflow: { ...facts().workflow!, state: 'disabled_manually' } }, 'release_workflow_disabled', /disabled \(disabled manually\)/],
      [{ workflowYaml: fixture('pywats-publish.yml') }, 'release_workflow_no_dispatch', /no `workflow_dispatch` trigger/],
      [{ workflowYaml: null }, 'release_workflow_not_on_default', /not on the default branch/],
      [{ runs: [run({ status: 'in_progress', conclusion: null })] }, 'release_run_live', /already in progress: https:/],
      [{ runs: [run({})] }, 'release_done', /already released by https:.*succeeded/],
      [{ activeRequests: 1 }, 'release_pending', /already waiting for confirmation/],
    ];
    for (const [o, code, re] of cases) {
      const p = preflight(facts(o));
      assert.ok(!p.ok, `${JSON.stringify(o).slice(0, 80)} -> ok`);
      assert.equal(p.refusal.code, code);
      const said = refusalText(p.refusal);
      assert.match(said, re, `${JSON.stringify(o).slice(0, 80)} -> ${said}`);
    }
  });
  test('a failed earlier run is offered again, with its link', () => {
    const failed = run({ conclusion: 'failure' });
    const p = preflight(facts({ runs: [failed] }));
    assert.ok(p.ok && p.previousFailure?.id === failed.id);
  });
});
