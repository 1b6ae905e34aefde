// `npm start`: runs the compiled bot (dist/main.cjs) with plain node. When dist/ is missing or older than src/
// (a fresh clone after `npm ci`, or a source edit), it is built first (tsc checks types, esbuild bundles); a production
// install without dev dependencies must ship a built dist/ (`npm run build` where they are installed).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBundle } from './runBundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.cjs');
const stamp = join(root, 'dist', '.built');

/** Newest modification time under a folder. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      t = Math.max(t, newest(p));
    } else t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

const inputs = () => Math.max(newest(join(root, 'src')), statSync(join(root, 'tsconfig.build.json')).mtimeMs, statSync(join(root, 'tsconfig.json')).mtimeMs);
if (!existsSync(entry) || !existsSync(stamp) || statSync(stamp).mtimeMs < inputs()) {
  try {
    for (const tool of ['typescript/bin/tsc', 'esbuild']) createRequire(import.meta.url).resolve(tool);
  } catch {
    process.stderr.write(
      'release-chatops: dist/ is missing or older than src/, and TypeScript and esbuild (dev dependencies) are not installed to build it.\nRun `npm run build` where the dev dependencies are installed, and ship dist/ with the bot.\n',
    );
    process.exit(2);
  }
  process.stderr.write('release-chatops: building dist/ (it is missing or older than src/)…\n');
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
runBundle(entry, stamp);
