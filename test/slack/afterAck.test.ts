import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { letWaitingAcksGoFirst, waitingForTurn } from '../../src/slack/afterAck.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* CPU work standing in for rendering and store writes */
  }
};

test('waiters are released in order', async () => {
  const order: number[] = [];
  await Promise.all(
    [1, 2, 3, 4].map(async (n) => {
      await letWaitingAcksGoFirst();
      order.push(n);
    }),
  );
  assert.deepEqual(order, [1, 2, 3, 4]);
  assert.equal(waitingForTurn(), 0);
});

test('an HTTP request that arrives while 200 pieces of post-ack work wait is answered long before they are all done', async () => {
  const events: string[] = [];
  const server = createServer((_req, res) => {
    events.push('request');
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const answered = fetch(url).then((r) => r.text());
    const work = Array.from({ length: 200 }, async () => {
      await letWaitingAcksGoFirst();
      busy(2);
      events.push('work');
    });
    await Promise.all([answered, ...work]);
    const at = events.indexOf('request');
    assert.ok(at >= 0, 'the request was served');
    // Released all at once (one microtask run), the 200 pieces would all come first.
    assert.ok(at < 100, `the request was served after ${at} of 200 pieces of work`);
  } finally {
    server.close();
  }
});
