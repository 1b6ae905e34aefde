import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository stands alone: no source, test, script or CI file reaches outside it (the `../shared` folder beside
 * it in development and CI is not there for someone who clones the project). Every relative path or URL written in
 * code is resolved against its file and must stay inside the repository.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const skip = new Set(['node_modules', '.git', 'data', 'test-artifacts', 'dist', 'coverage']);
const code = /\.(ts|js|mjs|cjs|sh|json)$|^run$/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (code.test(name) && !name.endsWith('package-lock.json')) yield p;
  }
}

/** Relative paths in string literals: './x', '../x', and the same inside `new URL('…', import.meta.url)`. */
const relativeLiteral = /['"`](\.\.?\/[^'"`\s$]*)['"`]/g;

test('no file in the repository names a path outside it', () => {
  const escapes: string[] = [];
  let scanned = 0;
  for (const file of files(root)) {
    scanned += 1;
    // Comments may say where a copy came from; only code reads files.
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\*|\/\*|#)/.test(line))
      .join('\n');
    for (const m of text.matchAll(relativeLiteral)) {
      const target = resolve(dirname(file), m[1]!);
      if (target !== root && !target.startsWith(root + sep)) escapes.push(`${relative(root, file)}: ${m[1]}`);
    }
    if (/\.\.\/shared\//.test(text)) escapes.push(`${relative(root, file)}: names ../shared`);
  }
  assert.ok(scanned > 100, `scanned ${scanned} files`);
  assert.deepEqual(escapes, []);
});

test('the check above catches a path that leaves the repository', () => {
  const file = join(root, 'test', 'x.test.ts');
  const [m] = `readFileSync(new URL('${'../'.repeat(3)}elsewhere/CONTRACT.md', import.meta.url))`.matchAll(relativeLiteral);
  assert.ok(m);
  assert.ok(!resolve(dirname(file), m[1]!).startsWith(root + sep));
});
