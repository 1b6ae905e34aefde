import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import { openStore } from '../../src/store/index.js';
import { Worker, type JobHandler } from '../../src/worker/runner.js';

const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });

test('jobs poll until done, carry their payload, and survive a replica that dies holding one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chatops-worker-'));
  const store = await openStore({ databaseUrl: join(dir, 'db.sqlite') });
  try {
    let clock = new Date('2026-11-23T12:00:00Z');
    const seen: number[] = [];
    const counter: JobHandler = {
      kind: 'count',
      leaseSeconds: 30,
      async run(job) {
        const n = (job.payload as { n: number }).n;
        seen.push(n);
        return n < 3 ? { kind: 'again', at: new Date(clock.getTime() + 5000), payload: { n: n + 1 } } : { kind: 'done' };
      },
    };
    const a = new Worker({ store, handlers: [counter], logger, now: () => clock });
    await store.jobs.enqueue({ kind: 'count', payload: { n: 1 } }, clock);
    assert.equal(await a.drain(), 1, 'the first run; the next is due in 5 s');
    clock = new Date(clock.getTime() + 5000);
    assert.equal(await a.drain(), 1);
    clock = new Date(clock.getTime() + 5000);
    assert.equal(await a.drain(), 1);
    assert.deepEqual(seen, [1, 2, 3]);
    clock = new Date(clock.getTime() + 60_000);
    assert.equal(await a.drain(), 0, 'done: never runs again');

    // A replica claims a job and dies (never completes it): after the lease, another takes it once.
    // It hangs until it is told its lease is gone (the heartbeat finds it taken over), as a stuck handler would.
    const hangs: JobHandler = {
      kind: 'once',
      leaseSeconds: 30,
      run: (_job, { signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'done' }))),
    };
    const dying = new Worker({ store, handlers: [hangs], logger, now: () => clock });
    await store.jobs.enqueue({ kind: 'once', payload: {} }, clock);
    // Its heartbeat later finds the lease gone (or the store closed) and stops it; whatever it then reports is moot.
    void dying.runOne().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    let ran = 0;
    const b = new Worker({ store, handlers: [{ kind: 'once', leaseSeconds: 30, run: async () => (ran++, { kind: 'done' }) }], logger, now: () => clock });
    assert.equal(await b.drain(), 0, 'still leased');
    clock = new Date(clock.getTime() + 31_000);
    assert.equal(await b.drain(), 1);
    assert.equal(ran, 1);

    // A handler that throws is retried later, not lost.
    const flaky: JobHandler = {
      kind: 'flaky',
      leaseSeconds: 30,
      run: async () => {
        throw new Error('boom');
      },
    };
    const c = new Worker({ store, handlers: [flaky], logger, now: () => clock });
    const id = await store.jobs.enqueue({ kind: 'flaky', payload: {} }, clock);
    assert.equal(await c.drain(), 1);
    const job = await store.jobs.get(id);
    assert.equal(job?.status, 'pending');
    assert.equal(job?.attempts, 1);
    assert.match(job?.lastError ?? '', /boom/);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
