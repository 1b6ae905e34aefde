import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeGitHub, FaultStorm } from '../src/index.js';
import { seedPywats } from '../src/scenario.js';

describe('fake GitHub fault storm', () => {
  test('seeded: the same seed gives the same faults; about `rate` of requests fail; only matching requests', () => {
    const draws = (seed: number) => {
      const s = new FaultStorm({ rate: 0.2, seed });
      return Array.from({ length: 2000 }, () => s.draw('GET', '/repos/o/r', '/repos/o/r')?.status ?? 0);
    };
    assert.deepEqual(draws(5), draws(5));
    assert.notDeepEqual(draws(5), draws(6));
    const failed = draws(5).filter((s) => s !== 0).length / 2000;
    assert.ok(failed > 0.17 && failed < 0.23, `share ${failed}`);
    const only = new FaultStorm({ rate: 1, seed: 1, match: { method: 'POST', path: /dispatches$/ } });
    assert.equal(only.draw('GET', '/repos/o/r/actions/workflows/1/dispatches', '/repos/o/r/actions/workflows/1/dispatches'), undefined);
    assert.ok(only.draw('POST', '/repos/o/r/actions/workflows/1/dispatches', '/repos/o/r/actions/workflows/1/dispatches'));
  });

  test('each kind looks like GitHub: 429 and 403 with retry-after, 403 with x-ratelimit-reset, 5xx', () => {
    const one = (kind: '5xx' | '429' | 'secondary-403' | 'secondary-403-reset') =>
      new FaultStorm({ rate: 1, seed: 3, kinds: [kind], retryAfterSeconds: 2 }).draw('GET', '/x', '/x');
    assert.deepEqual([one('429')?.status, one('429')?.headers], [429, { 'retry-after': '2' }]);
    assert.equal(one('secondary-403')?.headers?.['retry-after'], '2');
    assert.match(JSON.stringify(one('secondary-403')?.body), /secondary rate limit/);
    const reset = one('secondary-403-reset');
    assert.equal(reset?.headers?.['x-ratelimit-remaining'], '0');
    assert.ok(Number(reset?.headers?.['x-ratelimit-reset']) >= Math.floor(Date.now() / 1000) + 1);
    assert.ok([500, 502, 503, 504].includes(one('5xx')?.status ?? 0));
    assert.equal(one('5xx')?.afterHandling, false, 'a read is never "applied"');
  });

  test('a 5xx on a write may come after GitHub acted on it (appliedShare), or before', async () => {
    const github = new FakeGitHub({ flavor: 'dotcom' });
    const ghe = new FakeGitHub({ flavor: 'ghes', webHost: 'wats.ghe.com' });
    await Promise.all([github.start(), ghe.start()]);
    try {
      const seed = seedPywats(github, ghe);
      const sha = seed.github.tags['v0.1.0b39'];
      const dispatch = () =>
        fetch(`${github.url}/repos/${seed.github.repo}/actions/workflows/release.yml/dispatches`, {
          method: 'POST',
          headers: { authorization: `token ${seed.github.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ref: 'v0.1.0b39' }),
        });
      const runs = () =>
        github.runs(seed.github.repo, '.github/workflows/release.yml').filter((r) => r.event === 'workflow_dispatch' && r.headSha === sha).length;
      github.setFaultStorm({ rate: 1, seed: 1, kinds: ['5xx'], appliedShare: 0 });
      assert.ok((await dispatch()).status >= 500);
      assert.equal(runs(), 0, 'refused before acting');
      github.setFaultStorm({ rate: 1, seed: 1, kinds: ['5xx'], appliedShare: 1 });
      assert.ok((await dispatch()).status >= 500);
      assert.equal(runs(), 1, 'acted on, then the error');
      assert.deepEqual(
        github.requests.filter((r) => r.method === 'POST').map((r) => r.injected?.applied),
        [false, true],
      );
      github.setFaultStorm(null);
      assert.equal((await dispatch()).status, 204);
    } finally {
      await Promise.all([github.stop(), ghe.stop()]);
    }
  });
});
