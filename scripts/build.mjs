// `npm run build`: type-checks src/ (without the sandbox) with tsc, then bundles the bot and its JavaScript
// dependencies into one CommonJS file, dist/main.cjs, with esbuild (only native addons and what loads on first use stay in
// node_modules), and stamps dist/ for scripts/start.mjs. One file instead of ~180 of our ES modules and ~300
// CommonJS files of Bolt, express, pino…: no module resolution (stat, realpath, package.json reads), no CommonJS
// export lexing for ESM imports, one compile (bench part 6). Whitespace and syntax are minified (comments dropped,
// smaller source kept in the heap); names are kept for stack traces, and a source map is written beside it
// (node --enable-source-maps to use it).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
rmSync(join(root, 'dist'), { recursive: true, force: true });
const checked = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noEmit'], { stdio: 'inherit' });
if (checked.status !== 0) process.exit(checked.status ?? 1);
/**
 * What stays in node_modules, loaded as node resolves it: better-sqlite3 (a native addon, found by its package
 * path), pg (loaded only for a PostgreSQL store) and libsodium-wrappers (WebAssembly, loaded on the first secret
 * write). Everything else is bundled. pino is bundled too: we log to stdout, never through a worker-thread
 * transport (which would resolve pino's worker files at run time).
 */
const KEPT_EXTERNAL = ['better-sqlite3', 'pg', 'libsodium-wrappers'];
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const d of KEPT_EXTERNAL) if (!pkg.dependencies[d]) throw new Error(`build.mjs: ${d} is no longer a dependency; update KEPT_EXTERNAL`);
const EXTERNAL = KEPT_EXTERNAL.flatMap((d) => [d, `${d}/*`]);
/**
 * zod re-exports every locale (`z.locales`, ~50 languages, a third of zod's bundled size) though only English, its
 * default, is configured. We never switch locale, so the bundle gets an index with English only: the same messages,
 * less source parsed and kept at start.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '..', 'locales', 'en-only.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'src', 'main.ts')],
  // CommonJS, so that scripts/start.mjs can compile it with vm.Script and a V8 code cache (an ES module cannot be
  // given one on Node 20): see start.mjs.
  outfile: join(root, 'dist', 'main.cjs'),
  bundle: true,
  // Measured (bench part 6 harness, 3 runs each beside bare Bolt): with only Kysely, zod and Octokit bundled,
  // start-up 528 ms and idle RSS 103 MiB; with every JavaScript dependency bundled, 397 ms and 99 MiB.
  external: EXTERNAL,
  platform: 'node',
  format: 'cjs',
  // `await import('pg')` becomes require('pg'): code compiled by vm.Script has no loader for import().
  supported: { 'dynamic-import': false },
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  keepNames: true,
  legalComments: 'none',
  // charset stays esbuild's default (ascii: non-ASCII characters written as \u escapes): V8 then keeps the bundle's
  // source as a one-byte string. With charset 'utf8' it becomes two-byte: measured +1.15 MiB heap at load.
  plugins: [zodEnglishOnly],
  sourcemap: true,
  // The bundle's source is one string: `import.meta.url` would be empty in CommonJS, so none of our code may use it.
  logOverride: { 'empty-import-meta': 'error' },
  logLevel: 'warning',
});
writeFileSync(join(root, 'dist', '.built'), `${new Date().toISOString()}\n`);
