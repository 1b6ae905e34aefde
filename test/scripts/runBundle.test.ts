import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * scripts/runBundle.mjs, as scripts/start.mjs uses it, on a bundle built here the way build.mjs builds dist/main.cjs
 * (esbuild, CommonJS, a source map beside it): with `--enable-source-maps` a stack trace names the TypeScript
 * source, and without it the bundle runs with a V8 code cache that the first run writes and a later run keeps.
 */
const runBundle = fileURLToPath(new URL('../../scripts/runBundle.mjs', import.meta.url));

async function bundle(dir: string, body: string): Promise<{ file: string; stamp: string }> {
  await writeFile(join(dir, 'entry.ts'), body);
  const file = join(dir, 'main.cjs');
  await build({ entryPoints: [join(dir, 'entry.ts')], outfile: file, bundle: true, platform: 'node', format: 'cjs', sourcemap: true, logLevel: 'error' });
  const stamp = join(dir, '.built');
  await writeFile(stamp, '2026-12-07T00:00:00.000Z\n');
  return { file, stamp };
}

function run(file: string, stamp: string, flags: string[] = []) {
  const code = `import(${JSON.stringify(runBundle)}).then((m) => m.runBundle(${JSON.stringify(file)}, ${JSON.stringify(stamp)}))`;
  return spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
}

test('with --enable-source-maps, a stack trace from the bundle names the TypeScript file and line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-runbundle-'));
  try {
    const { file, stamp } = await bundle(dir, "export function explode(): never {\n  throw new Error('from the bundle');\n}\nexplode();\n");
    const mapped = run(file, stamp, ['--enable-source-maps']);
    assert.notEqual(mapped.status, 0);
    assert.match(mapped.stderr, /from the bundle/);
    assert.match(mapped.stderr, /entry\.ts:2:9/, mapped.stderr);
    const plain = run(file, stamp);
    assert.notEqual(plain.status, 0);
    assert.match(plain.stderr, /main\.cjs:\d+/, 'without source maps the bundle itself is named');
    assert.doesNotMatch(plain.stderr, /entry\.ts/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('without source maps: the first run writes the code cache 3 s after start, a later run uses it and writes none', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-runbundle-'));
  try {
    const { file, stamp } = await bundle(dir, "export const kept = setTimeout(() => console.log('ran'), 3_500);\n");
    const caches = async () => (await readdir(dir)).filter((f) => f.endsWith('.v8cache'));
    const first = run(file, stamp);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout.trim(), 'ran');
    const [cache, ...more] = await caches();
    assert.ok(cache, 'the first run wrote a cache');
    assert.deepEqual(more, []);
    assert.match(cache, new RegExp(`^main\\.20261207T000000000Z\\.${process.version.replace(/\./g, '\\.')}\\.[0-9a-f]{8}\\.v8cache$`));
    const before = (await stat(join(dir, cache))).mtimeMs;
    const second = run(file, stamp);
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'ran');
    assert.deepEqual(await caches(), [cache]);
    assert.equal((await stat(join(dir, cache))).mtimeMs, before, 'an accepted cache is not written again');
    const mapped = run(file, stamp, ['--enable-source-maps']);
    assert.equal(mapped.status, 0, mapped.stderr);
    // Other node flags (npm start's --max-semi-space-size) keep a cache of their own: V8 would refuse the other one,
    // and runs with and without them would rewrite each other's cache every time.
    const flagged = run(file, stamp, ['--max-semi-space-size=1']);
    assert.equal(flagged.status, 0, flagged.stderr);
    const both = await caches();
    assert.equal(both.length, 2, `one cache per set of flags: ${both.join(', ')}`);
    const again = run(file, stamp);
    assert.equal(again.status, 0, again.stderr);
    assert.equal((await stat(join(dir, cache))).mtimeMs, before, 'the flagged run did not make the plain run rewrite its cache');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
