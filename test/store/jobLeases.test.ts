import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { GitHubError, JobLeaseLostError } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { Sanitizer } from '../../src/log/sanitizer.js';
import type { Store } from '../../src/store/index.js';
import { Worker, type JobHandler } from '../../src/worker/runner.js';
import { storeBackends } from '../helpers/backends.js';

/**
 * Leases per job kind, renewed by a heartbeat while a handler runs, and lost leases
 * told to the handler: on SQLite and on PostgreSQL (there, two stores with two pools
 * stand for two replicas).
 */

const logger = createLogger({ level: 'silent', sanitizer: new Sanitizer() });
const T = new Date('2030-01-01T00:00:00.000Z');
const plus = (s: number) => new Date(T.getTime() + s * 1000);
const kind = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of storeBackends('leases')) {
  describe(`job leases on ${backend.name}`, () => {
    let stores: Store[] = [];
    /** The first replica's store, and the second's (the same one on SQLite). */
    const a = () => stores[0] as Store;
    const b = () => (stores[1] ?? stores[0]) as Store;
    before(async () => {
      stores = await backend.open();
    });
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test("each job is leased for its own kind's time, not the longest", async () => {
      const short = kind('short');
      const long = kind('long');
      const other = kind('unlisted');
      const s = await a().jobs.enqueue({ kind: short, payload: null, runAt: T }, T);
      const l = await a().jobs.enqueue({ kind: long, payload: null, runAt: plus(1) }, T);
      await a().jobs.enqueue({ kind: other, payload: null, runAt: T }, T);
      const leases = { [short]: 5, [long]: 25 };
      const first = await a().jobs.claim({ owner: 'r1', leaseSeconds: leases, now: plus(2) });
      const second = await a().jobs.claim({ owner: 'r1', leaseSeconds: leases, now: plus(2) });
      assert.equal(first?.id, s);
      assert.deepEqual(first?.leaseUntil, plus(7), 'the short kind: 5 s');
      assert.equal(second?.id, l);
      assert.deepEqual(second?.leaseUntil, plus(27), 'the long kind: 25 s');
      assert.equal(await a().jobs.claim({ owner: 'r1', leaseSeconds: leases, now: plus(2) }), null, 'a kind not in the map is not claimed');

      // The short job's replica dies: another takes it after 5 s, while the long one stays held.
      assert.equal(await b().jobs.claim({ owner: 'r2', leaseSeconds: leases, now: plus(6.9) }), null);
      const taken = await b().jobs.claim({ owner: 'r2', leaseSeconds: leases, now: plus(7) });
      assert.equal(taken?.id, s);
      assert.equal(taken?.leaseOwner, 'r2');
      assert.equal(await b().jobs.complete(s, 'r2', plus(8)), true);
      assert.equal(await b().jobs.claim({ owner: 'r2', leaseSeconds: leases, now: plus(26) }), null, 'the long job is still leased');
      assert.equal((await b().jobs.claim({ owner: 'r2', leaseSeconds: leases, now: plus(27) }))?.id, l);
    });

    test('a heartbeat renews the lease only while its owner holds the job', async () => {
      const k = kind('beat');
      const id = await a().jobs.enqueue({ kind: k, payload: null }, T);
      await a().jobs.claim({ owner: 'r1', leaseSeconds: { [k]: 15 }, now: T });
      // Renewed every 5 s for a minute: nobody else gets it meanwhile.
      for (let t = 5; t <= 60; t += 5) {
        assert.equal(await a().jobs.extendLease(id, 'r1', 15, plus(t)), true, `renewed at ${t} s`);
        assert.equal(await b().jobs.claim({ owner: 'r2', leaseSeconds: { [k]: 15 }, now: plus(t + 14) }), null, `held at ${t + 14} s`);
      }
      assert.deepEqual((await a().jobs.get(id))?.leaseUntil, plus(75));
      // r1 stops beating (killed): r2 takes over when the last lease ends, and r1's renewals are refused from then on.
      const taken = await b().jobs.claim({ owner: 'r2', leaseSeconds: { [k]: 15 }, now: plus(75) });
      assert.equal(taken?.id, id);
      assert.equal(await a().jobs.extendLease(id, 'r1', 15, plus(76)), false, 'the old owner is told it lost the job');
      assert.deepEqual((await a().jobs.get(id))?.leaseUntil, plus(90), 'the refused renewal changed nothing');
      assert.equal(await b().jobs.extendLease(id, 'r2', 15, plus(80)), true);
      assert.equal(await b().jobs.complete(id, 'r2', plus(81)), true);
      assert.equal(await b().jobs.extendLease(id, 'r2', 15, plus(82)), false, 'a finished job has no lease to renew');
    });

    test('transient failures do not use up attempts; counted ones still do', async () => {
      const k = kind('outage');
      const id = await a().jobs.enqueue({ kind: k, payload: null, maxAttempts: 2 }, T);
      let now = T;
      for (let i = 0; i < 6; i++) {
        const job = await a().jobs.claim({ owner: 'r1', leaseSeconds: { [k]: 10 }, now });
        assert.equal(job?.id, id, `claimed again after transient failure ${i}`);
        assert.equal(await a().jobs.fail(id, 'r1', { error: 'GitHub did not answer', transient: true, retryAt: new Date(now.getTime() + 15_000), now }), true);
        const j = await a().jobs.get(id);
        assert.equal(j?.status, 'pending');
        assert.equal(j?.attempts, 0);
        assert.equal(await a().jobs.claim({ owner: 'r1', leaseSeconds: { [k]: 10 }, now: new Date(now.getTime() + 14_000) }), null, 'not before retryAt');
        now = new Date(now.getTime() + 15_000);
      }
      await a().jobs.claim({ owner: 'r1', leaseSeconds: { [k]: 10 }, now });
      await a().jobs.fail(id, 'r1', { error: 'bad', now });
      now = new Date(now.getTime() + 3_600_000);
      await a().jobs.claim({ owner: 'r1', leaseSeconds: { [k]: 10 }, now });
      await a().jobs.fail(id, 'r1', { error: 'bad again', now });
      assert.equal((await a().jobs.get(id))?.status, 'failed', 'two counted failures of two allowed');
    });

    test('the worker renews a running job, so a handler may outlast its lease; another replica never runs it meanwhile', async () => {
      const k = kind('long-run');
      let runs = 0;
      const slow: JobHandler = {
        kind: k,
        leaseSeconds: 2,
        async run() {
          runs += 1;
          await sleep(5000);
          return { kind: 'done' };
        },
      };
      const id = await a().jobs.enqueue({ kind: k, payload: null });
      const w1 = new Worker({ store: a(), handlers: [slow], logger });
      const w2 = new Worker({ store: b(), handlers: [{ ...slow }], logger });
      const running = w1.runOne();
      await sleep(200);
      const first = await a().jobs.get(id);
      assert.equal(first?.leaseOwner, w1.owner);
      assert.ok(first?.leaseUntil && first.leaseUntil.getTime() - Date.now() <= 2000, "leased for the kind's 2 s");
      let tries = 0;
      while (runs === 1 && (await a().jobs.get(id))?.status === 'running') {
        assert.equal(await w2.runOne(), false, 'the other replica finds nothing to take');
        tries += 1;
        await sleep(250);
      }
      assert.equal(await running, true);
      assert.ok(tries >= 10, `the other replica tried during the whole run (${tries})`);
      assert.equal(runs, 1);
      assert.equal((await a().jobs.get(id))?.status, 'done');
    });

    test('a handler whose lease was taken over is told (AbortSignal) and its result is not recorded', async () => {
      const k = kind('lost');
      let seen: unknown = null;
      const handler: JobHandler = {
        kind: k,
        leaseSeconds: 1,
        async run(_job, { signal }) {
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          seen = signal.reason;
          signal.throwIfAborted();
          return { kind: 'done' };
        },
      };
      const id = await a().jobs.enqueue({ kind: k, payload: null });
      const w1 = new Worker({ store: a(), handlers: [handler], logger });
      const running = w1.runOne();
      await sleep(100);
      // A replica whose clock is past the lease takes the job (what a stalled heartbeat allows).
      const taken = await b().jobs.claim({ owner: 'r2', leaseSeconds: { [k]: 30 }, now: new Date(Date.now() + 60_000) });
      assert.equal(taken?.id, id);
      assert.equal(await running, true);
      assert.ok(seen instanceof JobLeaseLostError, `told why: ${String(seen)}`);
      const j = await a().jobs.get(id);
      assert.equal(j?.status, 'running');
      assert.equal(j?.leaseOwner, 'r2', 'the job stays with the replica that took it');
    });

    test('a handler failing on an unavailable GitHub is retried soon without using up attempts', async () => {
      const k = kind('gh-down');
      let runs = 0;
      const handler: JobHandler = {
        kind: k,
        leaseSeconds: 10,
        async run() {
          runs += 1;
          if (runs <= 3) throw new GitHubError('github_unavailable', 'api.github.com could not be reached while reading the run.', 'api.github.com', undefined);
          return { kind: 'done' };
        },
      };
      let clock = T;
      const id = await a().jobs.enqueue({ kind: k, payload: null, maxAttempts: 2 }, clock);
      const w = new Worker({ store: a(), handlers: [handler], logger, now: () => clock });
      for (let i = 0; i < 3; i++) {
        assert.equal(await w.drain(), 1);
        const j = await a().jobs.get(id);
        assert.equal(j?.status, 'pending');
        assert.equal(j?.attempts, 0);
        assert.match(j?.lastError ?? '', /could not be reached/);
        assert.deepEqual(j?.runAt, new Date(clock.getTime() + 15_000), 'again in 15 s');
        clock = new Date(clock.getTime() + 15_000);
      }
      assert.equal(await w.drain(), 1);
      assert.equal((await a().jobs.get(id))?.status, 'done');
    });
  });
}

test('a job kind may not ask for a lease longer than 30 s', () => {
  const store = {} as Store;
  assert.throws(() => new Worker({ store, handlers: [{ kind: 'k', leaseSeconds: 31, run: async () => ({ kind: 'done' }) }], logger }), /lease 31 s/);
  assert.throws(() => new Worker({ store, handlers: [{ kind: 'k', leaseSeconds: 0, run: async () => ({ kind: 'done' }) }], logger }), /lease 0 s/);
});
