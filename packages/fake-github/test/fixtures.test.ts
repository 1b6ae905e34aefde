import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';

// The sandbox ships the real workflows behind the seeds (see README.md beside them): the fake GitHub serves them
// and the bot reads their job names. These are the shapes the seeds describe; a careless edit of a copy breaks them.
const ours = new URL('../src/fixtures/workflows/', import.meta.url);
type Workflow = {
  on: Record<string, unknown>;
  jobs: Record<
    string,
    { name?: string; needs?: string | string[]; if?: string; environment?: unknown; steps?: { run?: string; env?: Record<string, string> }[] }
  >;
};
const workflow = (name: string) => parse(readFileSync(new URL(name, ours), 'utf8')) as Workflow;

test('the vendored workflows are the three the seeds come from, each valid YAML with jobs', () => {
  const names = readdirSync(ours)
    .filter((n) => n.endsWith('.yml'))
    .sort();
  assert.deepEqual(names, ['jankins-release.yml', 'jankins-semantic-release.yml', 'pywats-publish.yml']);
  for (const n of names) assert.ok(Object.keys(workflow(n).jobs).length > 0, n);
});

test('pyWATS: a tag push builds and publishes, then sync-to-ghe pushes main and tags with GHE_TOKEN', () => {
  const w = workflow('pywats-publish.yml');
  assert.ok('push' in w.on);
  const sync = w.jobs['sync-to-ghe'];
  assert.ok(sync);
  assert.equal(sync.name, 'Sync to GitHub Enterprise');
  assert.deepEqual([sync.needs].flat(), ['build-and-publish']);
  assert.match(JSON.stringify(sync.steps), /GHE_TOKEN/);
  assert.match(JSON.stringify(sync.steps), /--tags/);
});

test('jankins: release.yml runs on tags and by hand (workflow_dispatch without inputs)', () => {
  const w = workflow('jankins-release.yml');
  assert.ok('workflow_dispatch' in w.on);
  assert.ok('push' in w.on);
});
