import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clientAddress, OVERFLOW_ADDRESS, RequestWindow } from '../../src/core/requestWindow.js';

describe('RequestWindow', () => {
  test('a limit per address, a summary when the window is over, nothing carried into the next', () => {
    const w = new RequestWindow({ limit: 3, windowMs: 60_000, maxAddresses: 100 });
    const t0 = 1_000_000;
    const answers = Array.from({ length: 5 }, (_, i) => w.hit('192.0.2.1', t0 + i));
    assert.deepEqual(
      answers.map((a) => a.allowed),
      [true, true, true, false, false],
    );
    assert.deepEqual(answers[3], { allowed: false, retryAfterSeconds: 60 });
    assert.equal(w.hit('192.0.2.2', t0 + 10).allowed, true, 'another address has its own budget');
    assert.equal(w.note('refused:gone'), true, 'the first outcome of a window is worth a row');
    assert.equal(w.note('refused:gone'), false);
    assert.equal(w.roll(t0 + 59_999), null, 'not over yet');
    const s = w.roll(t0 + 60_000);
    assert.ok(s);
    assert.equal(s.requests, 6);
    assert.equal(s.limited, 2);
    assert.deepEqual(s.outcomes, { 'refused:gone': 2 });
    assert.equal(s.addresses, 2);
    assert.deepEqual(s.top[0], { address: '192.0.2.1', requests: 5 });
    assert.equal(w.roll(t0 + 200_000), null, 'an empty window has no summary');
    assert.equal(w.hit('192.0.2.1', t0 + 200_000).allowed, true, 'a new window, a new budget');
    assert.equal(w.note('x'), true);
  });

  test('property: no address is allowed more than the limit per window, however many addresses are sprayed; memory stays bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.nat(1000)), { maxLength: 600 }), (hits) => {
        const w = new RequestWindow({ limit: 5, windowMs: 1000, maxAddresses: 20 });
        const allowed = new Map<string, number>();
        let now = 0;
        for (const [addr, dt] of hits) {
          now += dt;
          if (w.roll(now)) allowed.clear();
          if (w.hit(`a${addr}`, now).allowed) allowed.set(`a${addr}`, (allowed.get(`a${addr}`) ?? 0) + 1);
          for (const n of allowed.values()) assert.ok(n <= 5);
        }
        // Addresses past the cap share one bucket: at most 20 buckets can let 5 each through.
        assert.ok([...allowed.values()].reduce((a, b) => a + b, 0) <= 5 * 21);
      }),
    );
    const w = new RequestWindow({ limit: 2, windowMs: 1000, maxAddresses: 2 });
    for (let i = 0; i < 10; i++) w.hit(`a${i}`, 0);
    const s = w.roll(1000);
    assert.equal(s?.addresses, 3, 'two addresses and the overflow bucket');
    assert.ok(s?.top.some((x) => x.address === OVERFLOW_ADDRESS && x.requests === 8));
  });
});

describe('clientAddress', () => {
  test('the peer, unless it is a private-network proxy: then the hop that proxy added', () => {
    assert.equal(clientAddress('203.0.113.5', '10.0.0.1'), '203.0.113.5', 'a public peer is the client, whatever the header says');
    assert.equal(clientAddress('::ffff:127.0.0.1', undefined), '127.0.0.1');
    assert.equal(clientAddress('10.1.2.3', 'forged, 198.51.100.7'), '198.51.100.7', 'the last hop, not what the client prepended');
    assert.equal(clientAddress('172.20.0.2', ['198.51.100.1', '198.51.100.8']), '198.51.100.8');
    assert.equal(clientAddress('192.168.1.1', '<script>'), '192.168.1.1', 'junk in the header is ignored');
    assert.equal(clientAddress(undefined, undefined), 'unknown');
  });
});
