import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

/**
 * Golden files for the pure core's decisions (as DefinitelyTyped's mergebot keeps them):
 * in a folder per decision, `<case>.input.json` holds what the function is given and
 * `<case>.expected.json` what it must return, side by side, so a reviewer reads a
 * behaviour change as a diff of plain JSON.
 *
 * `UPDATE_GOLDEN=1` rewrites the expected files from what the code returns now; read
 * every changed file before committing it (a golden file that encodes a bug is a bug).
 * Without the flag a missing expected file fails, as does an expected file without input.
 */

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const INPUT = '.input.json';
const EXPECTED = '.expected.json';

/** What a decision returns, as it would be stored: JSON in and out (dates as ISO strings, undefined fields gone). */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function read(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** Registers one test per case found in `folder` (a sibling of the calling test file). */
export function goldenCases(folder: URL, decideCase: (input: unknown) => unknown): void {
  const dir = fileURLToPath(folder);
  const files = readdirSync(dir);
  const cases = files
    .filter((f) => f.endsWith(INPUT))
    .map((f) => f.slice(0, -INPUT.length))
    .sort();

  test('the folder has cases, and every expected file has its input', () => {
    assert.ok(cases.length > 0, `no ${INPUT} files in ${dir}`);
    const orphans = files.filter((f) => f.endsWith(EXPECTED) && !cases.includes(f.slice(0, -EXPECTED.length)));
    assert.deepEqual(orphans, [], 'expected files whose input is gone');
  });

  for (const name of cases) {
    test(name, () => {
      const actual = asJson(decideCase(read(join(dir, name + INPUT))));
      const expectedPath = join(dir, name + EXPECTED);
      if (UPDATE) {
        writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
        return;
      }
      assert.ok(existsSync(expectedPath), `${name + EXPECTED} is missing: run with UPDATE_GOLDEN=1, then read what it says`);
      assert.deepEqual(actual, read(expectedPath));
    });
  }
}

/** A JSON object's field, for the runners' small input parsers. */
export function field(input: unknown, key: string): unknown {
  assert.ok(input !== null && typeof input === 'object' && key in input, `input has no "${key}"`);
  return (input as Record<string, unknown>)[key];
}

/** An ISO date field. */
export function dateField(input: unknown, key: string): Date {
  const value = field(input, key);
  assert.ok(typeof value === 'string' && !Number.isNaN(Date.parse(value)), `"${key}" is not an ISO date`);
  return new Date(value);
}
