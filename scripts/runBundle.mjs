// How scripts/start.mjs runs the compiled bundle (dist/main.cjs): with a V8 code cache, or, when source maps are
// on (`node --enable-source-maps`), by node's own loader so stack traces name src/ files and lines.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout } from 'node:timers';
import vm from 'node:vm';

/**
 * Runs a CommonJS bundle. `stamp` is a file whose text names the build (dist/.built), so a rebuilt bundle never
 * meets an old cache. Node 20 applies source maps only to what its loaders compile, not to a vm.Script, so with
 * source maps on the bundle is required plainly (no code cache: start-up as without one, and the maps work).
 */
export function runBundle(file, stamp) {
  if (process.sourceMapsEnabled) {
    createRequire(file)(file);
    return;
  }
  runWithCodeCache(file, stamp);
}

/**
 * Runs the CommonJS bundle as node's own loader would (the same wrapper, require, module, __filename), but compiled
 * with a V8 code cache: V8 then neither parses the 3.7 MB bundle nor compiles the functions that start-up runs, it
 * deserialises their bytecode. Measured beside bare Bolt (bench part 6 harness, 3 runs): start-up 432 -> 288 ms.
 * The cache is written once, by the first run, 3 s after start (by then start-up has compiled what it needs; a
 * write of ~3 MB, once per build and node version; bench part 6 measures the pause it causes); a later run uses it.
 * V8 refuses a cache made by another V8 version or with other flags (it is then rewritten), and the file's name
 * carries the build's stamp (build.mjs also empties dist/). A cache that cannot be written (read-only install) only
 * means no cache.
 */
function runWithCodeCache(file, stamp) {
  const id = readFileSync(stamp, 'utf8')
    .trim()
    .replace(/[^0-9A-Za-z]/g, '');
  // V8 also refuses a cache made under other flags (npm start's --max-semi-space-size, say): each set of node
  // flags keeps its own cache, so runs with and without them do not rewrite each other's.
  const flags = createHash('sha256').update(process.execArgv.join('\0')).digest('hex').slice(0, 8);
  const cacheFile = join(
    dirname(file),
    `${file
      .split('/')
      .pop()
      ?.replace(/\.cjs$/, '')}.${id}.${process.version}.${flags}.v8cache`,
  );
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  const script = new vm.Script(wrapper, { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    setTimeout(() => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // Read-only dist/: start-up stays as fast as without a cache.
      }
    }, 3_000).unref();
  }
  const module = { exports: {}, filename: file };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
}
