import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkToken, effectiveScopes, type TokenCheckInput } from '../../src/core/secrets/tokenChecks.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const TOKEN = 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB';

function input(o: Partial<TokenCheckInput> = {}): TokenCheckInput {
  return {
    kind: 'classic-pat',
    host: 'wats.ghe.com',
    value: TOKEN,
    requiredScopes: ['repo'],
    maxAgeDays: 365,
    now: NOW,
    identity: { ok: true, value: { login: 'svc', scopes: ['repo'], expiresAt: days(180) } },
    target: { repo: 'WATS/pyWATS', access: { ok: true, value: { push: true, admin: false } } },
    ...o,
  };
}
const levels = (i: TokenCheckInput) => Object.fromEntries(checkToken(i).map((c) => [c.id, c.level]));

describe('checkToken', () => {
  test('a good classic token passes every check', () => {
    assert.deepEqual(levels(input()), { user: 'ok', scopes: 'ok', expiry: 'ok', push: 'ok' });
  });
  test('scopes: missing fails, the hierarchy counts, extra ones warn', () => {
    assert.equal(levels(input({ identity: { ok: true, value: { login: 's', scopes: ['read:org'], expiresAt: days(100) } } })).scopes, 'fail');
    assert.equal(levels(input({ requiredScopes: ['public_repo'] })).scopes, 'ok', 'repo implies public_repo');
    assert.equal(
      levels(input({ identity: { ok: true, value: { login: 's', scopes: ['repo', 'admin:org'], expiresAt: days(100) } } }))['least-privilege'],
      'warn',
    );
    assert.equal(
      levels(input({ identity: { ok: true, value: { login: 's', scopes: null, expiresAt: days(100) } } })).scopes,
      'fail',
      'no scopes header: not classic',
    );
    assert.ok(effectiveScopes(['admin:org']).has('read:org'));
  });
  test('expiry: none warns; under 7 days or past maxAgeDays fails; the edges', () => {
    const at = (d: Date | null) => levels(input({ identity: { ok: true, value: { login: 's', scopes: ['repo'], expiresAt: d } } })).expiry;
    assert.equal(at(null), 'warn');
    assert.equal(at(days(6.9)), 'fail');
    assert.equal(at(days(7)), 'ok');
    assert.equal(at(days(365)), 'ok');
    assert.equal(at(days(367)), 'fail');
  });
  test('push: refused, invisible, unknown target', () => {
    assert.equal(levels(input({ target: { repo: 'WATS/pyWATS', access: { ok: true, value: { push: false, admin: false } } } })).push, 'fail');
    assert.equal(levels(input({ target: { repo: 'WATS/pyWATS', access: { ok: false, reason: 'not_visible', status: 404 } } })).push, 'fail');
    assert.equal(levels(input({ target: null })).push, 'warn');
  });
  test('a token the host refuses, or an empty or spaced value, fails without more questions', () => {
    assert.deepEqual(levels(input({ identity: { ok: false, reason: 'bad_credentials', status: 401 } })), { user: 'fail' });
    assert.deepEqual(levels(input({ value: '' })), { value: 'fail' });
    assert.deepEqual(levels(input({ value: 'ghp_abc def' })), { value: 'fail' });
  });
  test('a token its host refuses but another known host accepts is named as made on the wrong host', () => {
    const refused = { ok: false as const, reason: 'bad_credentials' as const, status: 401 };
    const wrong = checkToken(input({ identity: refused, acceptedBy: 'github.com' }));
    assert.deepEqual(
      wrong.map((c) => [c.id, c.level, c.text]),
      [['user', 'fail', 'It is a token of github.com, not of wats.ghe.com: create it on wats.ghe.com.']],
    );
    // Only for a refused token: a host that could not be reached says so, whatever another host thinks.
    const down = checkToken(input({ identity: { ok: false, reason: 'unreachable' }, acceptedBy: 'github.com' }));
    assert.match(down[0]?.text ?? '', /could not be reached/);
  });
  test('fine-grained: no scope check; a classic-looking value warns', () => {
    const fg = levels(
      input({
        kind: 'fine-grained-pat',
        value: `github_pat_${'a'.repeat(40)}`,
        identity: { ok: true, value: { login: 's', scopes: null, expiresAt: days(30) } },
      }),
    );
    assert.equal(fg.scopes, undefined);
    assert.equal(fg.shape, undefined);
    assert.equal(levels(input({ kind: 'fine-grained-pat' })).shape, 'warn');
  });
  test('no text ever contains the value', () => {
    for (const i of [input(), input({ identity: { ok: false, reason: 'refused', status: 403 } }), input({ value: `${TOKEN} x` })]) {
      for (const c of checkToken(i)) assert.equal(c.text.includes(TOKEN), false);
    }
  });
});
