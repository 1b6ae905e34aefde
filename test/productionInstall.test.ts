import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fakes and the sandbox are development tools in packages/: the bot's production install (`npm ci --omit=dev`)
 * holds none of them, nor what only they need. npm links a folder listed in `workspaces` even with --omit=dev, so
 * they are local packages (`file:` devDependencies of the root) instead; `npm ls --omit=dev` computes the same tree
 * `npm ci --omit=dev` installs, from the lockfile and package.json files, without installing anything.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packages = readdirSync(resolve(root, 'packages'));
const manifest = (dir: string) =>
  JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

function productionTree(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out
    .split('\n')
    .filter(Boolean)
    .map((p) => p.slice(root.length + 1))
    .filter(Boolean);
}

/** Files under `dir` whose text matches `pattern` (git grep exits 1 when none does). */
function gitGrep(pattern: string, dir: string): string[] {
  try {
    return execFileSync('git', ['grep', '-l', '-E', pattern, '--', dir], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch (e) {
    if ((e as { status?: number }).status === 1) return [];
    throw e;
  }
}

test('the production install holds none of the packages/ folders, nor what only they and the tests need', () => {
  const names = packages.map((p) => manifest(resolve(root, 'packages', p)).name);
  assert.deepEqual(names.sort(), ['@chatops/fake-github', '@chatops/fake-slack', '@chatops/sandbox']);
  const tree = productionTree();
  assert.ok(tree.length > 50, `the production tree was read (${tree.length} entries)`);
  assert.ok(tree.includes('node_modules/@slack/bolt'), 'it holds what the bot runs on');
  const devOnly = ['ws', 'playwright-core', '@octokit/graphql-schema', 'fast-check', 'tsx', ...names];
  const found = tree.filter((p) => p.startsWith('packages/') || devOnly.some((d) => p === `node_modules/${d}` || p.endsWith(`/node_modules/${d}`)));
  assert.deepEqual(found, []);
});

test('the root lists each package as a local development dependency, and the bot does not import them', () => {
  const rootManifest = manifest(root);
  for (const p of packages) {
    const { name } = manifest(resolve(root, 'packages', p));
    assert.equal(rootManifest.devDependencies?.[name], `file:packages/${p}`, name);
    assert.equal(rootManifest.dependencies?.[name], undefined, name);
  }
  const importers = gitGrep("from '@chatops/|/packages/", 'src');
  assert.deepEqual(importers, [], 'no file in src/ imports a package from packages/');
  assert.ok(gitGrep("from '@chatops/", 'test').length > 10, 'the same search finds the tests that do (it can fail)');
});
