import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { findTokens } from '../../src/core/leaks/findTokens.js';

const b62 = (n: number, c = 'a') => c.repeat(n);
const classic = `ghp_${b62(36, 'A')}`;
const fine = `github_pat_11ABCDEFG0${b62(72, 'x')}`;

test('finds every token shape, inside Slack formatting, once each', () => {
  const text = `here \`${classic}\` and <https://x.test/?t=${fine}|link> and again ${classic}.\n\`\`\`gho_${b62(36)}\`\`\` ghs_${b62(40, 'Z')}, (ghu_${b62(36, '1')}) ghr_${b62(76, 'r')}`;
  const found = findTokens(text);
  assert.deepEqual(
    found.map((f) => f.kind),
    ['classic', 'fine-grained', 'oauth', 'server-to-server', 'user-to-server', 'refresh'],
  );
  assert.equal(found[0]?.value, classic);
  assert.equal(found[1]?.value, fine);
});

test('near misses are not tokens: too short, inside a longer word, a wrong prefix, a fine-grained token of the wrong length', () => {
  assert.deepEqual(findTokens(`ghp_${b62(35)}`), []);
  assert.deepEqual(findTokens(`xghp_${b62(36)}`), []);
  assert.deepEqual(findTokens(`ghp_${b62(36)}_tail`), []);
  assert.deepEqual(findTokens(`ghx_${b62(36)}`), []);
  assert.deepEqual(findTokens(`github_pat_${b62(81)}`), []);
  assert.deepEqual(findTokens('release v0.1.0b39 is out; see ghp_ for the docs'), []);
});

test('any text around a token: it is found exactly', () => {
  const around = fc.string({ maxLength: 40 }).map((s) => s.replace(/[A-Za-z0-9_]/g, ' '));
  fc.assert(
    fc.property(around, around, fc.stringMatching(/^[A-Za-z0-9]{36,60}$/), (a, b, body) => {
      const token = `ghp_${body}`;
      assert.deepEqual(
        findTokens(`${a}${token}${b}`).map((f) => f.value),
        [token],
      );
    }),
  );
});
