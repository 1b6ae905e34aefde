import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compareVersions, sortTagsNewestFirst } from '../../src/core/sync/versionOrder.js';

describe('sortTagsNewestFirst', () => {
  test('PEP 440 pre-releases as pyWATS tags them', () => {
    assert.deepEqual(sortTagsNewestFirst(['v0.1.0b9', 'v0.1.0b39', 'v0.1.0', 'v0.1.0rc1', 'v0.1.0a1', 'v0.0.9', 'v0.1.0.post1', 'v0.1.0.dev2']), [
      'v0.1.0.post1',
      'v0.1.0',
      'v0.1.0rc1',
      'v0.1.0b39',
      'v0.1.0b9',
      'v0.1.0a1',
      'v0.1.0.dev2',
      'v0.0.9',
    ]);
  });
  test('SemVer, numeric components, non-versions last', () => {
    assert.deepEqual(sortTagsNewestFirst(['latest', 'v1.9.0', 'v1.10.0', 'v1.10.0-rc.2', 'v1.10.0-rc.10', 'v2', 'v1.10.0-beta', 'v1.10.0+build.5']), [
      'v2',
      'v1.10.0+build.5',
      'v1.10.0',
      'v1.10.0-rc.10',
      'v1.10.0-rc.2',
      'v1.10.0-beta',
      'v1.9.0',
      'latest',
    ]);
  });
  test('compareVersions is a consistent total order', () => {
    const tag = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.tuple(fc.nat(20), fc.nat(20), fc.constantFrom('', 'a1', 'b2', 'rc3', '-rc.1', '.post1', '.dev1', '-x')).map(([a, b, s]) => `v${a}.${b}${s}`),
    );
    fc.assert(
      fc.property(tag, tag, tag, (a, b, c) => {
        assert.equal(Math.sign(compareVersions(a, b)) + Math.sign(compareVersions(b, a)), 0);
        if (a !== b) assert.notEqual(compareVersions(a, b), 0);
        if (compareVersions(a, b) < 0 && compareVersions(b, c) < 0) assert.ok(compareVersions(a, c) < 0);
      }),
      { numRuns: 2000 },
    );
  });
});
