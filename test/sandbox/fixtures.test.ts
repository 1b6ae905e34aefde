import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

// The sandbox ships copies of the real workflows so it runs without ../shared; they must not drift from them.
const shared = new URL('../../../shared/fixtures/workflows/', import.meta.url);
const ours = new URL('../../src/sandbox/fixtures/workflows/', import.meta.url);

test('the vendored workflow fixtures are byte-identical to ../shared/fixtures/workflows', () => {
  assert.ok(existsSync(shared), `../shared/fixtures/workflows is present in development and CI (${shared.pathname})`);
  const names = readdirSync(shared).filter((n) => n.endsWith('.yml')).sort();
  assert.deepEqual(readdirSync(ours).filter((n) => n.endsWith('.yml')).sort(), names);
  for (const n of names) assert.equal(readFileSync(new URL(n, ours), 'utf8'), readFileSync(new URL(n, shared), 'utf8'), n);
});
