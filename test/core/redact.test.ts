import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { REDACTED, redactSecrets } from '../../src/core/redact.js';

describe('redactSecrets', () => {
  for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_']) {
    test(`${prefix} tokens`, () => {
      const token = `${prefix}${'Ab1'.repeat(12)}`;
      assert.equal(redactSecrets(`token=${token} done`), `token=${REDACTED} done`);
    });
  }

  test('fine-grained PATs, underscores included', () => {
    const token = 'github_pat_11AAAAAAA0abcdefghij_KLMNOPQRSTUVWXYZabcdefghij0123456789';
    assert.equal(redactSecrets(`GH=${token}`), `GH=${REDACTED}`);
  });

  test('userinfo in URLs, whatever the scheme', () => {
    assert.equal(
      redactSecrets("fatal: unable to access 'https://oauth2:s3cret@wats.ghe.com/WATS/pyWATS.git/'"),
      `fatal: unable to access 'https://${REDACTED}@wats.ghe.com/WATS/pyWATS.git/'`,
    );
    assert.equal(redactSecrets('http://u:p@h/x and https://a:b@c/'), `http://${REDACTED}@h/x and https://${REDACTED}@c/`);
  });

  test('Authorization headers and Slack tokens', () => {
    assert.equal(redactSecrets('> Authorization: Bearer abc.def'), `> Authorization: Bearer ${REDACTED}`);
    assert.equal(redactSecrets('xoxb-1234567890-abcdefghij'), REDACTED);
  });

  test('leaves ordinary text, SHAs, short gh_ words and host:port URLs alone', () => {
    const text = 'commit a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 ghp_short https://wats.ghe.com:8443/x user@example.com ***';
    assert.equal(redactSecrets(text), text);
  });

  test('property: no generated token survives, wherever it is embedded', () => {
    const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    const token = fc.oneof(
      fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), fc.string({ unit: alnum, minLength: 20, maxLength: 60 })).map(([p, s]) => p + s),
      fc.string({ unit: alnum, minLength: 20, maxLength: 80 }).map((s) => `github_pat_${s}`),
    );
    fc.assert(
      fc.property(fc.string(), token, fc.string(), (before, t, after) => {
        assert.ok(!redactSecrets(`${before} ${t} ${after}`).includes(t));
      }),
    );
  });
});
