import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { initialState } from '../../src/core/rotation/state.js';
import { storeBackends } from '../helpers/backends.js';
import { ALICE, BOB, T0, at, applyJob, secretRequest } from '../helpers/secretRequest.js';

/**
 * A state change and the job that follows it up are one write: an approval request that
 * belongs to a rotation queues the rotation's tick with each status change, and a rotation
 * step queues its watch, whoever makes the change.
 */

for (const backend of storeBackends('fup')) {
  describe(`follow-up jobs on ${backend.name}`, () => {
    let stores: Store[] = [];
    const store = () => stores[0] as Store;
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    /** Claims every due job of `kind` (and completes it), returning their payloads. */
    async function drain(kind: string, now: Date): Promise<unknown[]> {
      const seen: unknown[] = [];
      for (
        let job = await store().jobs.claim({ owner: 't', kinds: [kind], leaseSeconds: 30, now });
        job;
        job = await store().jobs.claim({ owner: 't', kinds: [kind], leaseSeconds: 30, now })
      ) {
        seen.push(job.payload);
        assert.equal(await store().jobs.complete(job.id, 't', now), true);
      }
      return seen;
    }

    test('opens', async () => {
      stores = await backend.open();
      assert.ok(stores.length >= 1);
    });

    test("each status change of a rotation's request queues the rotation's tick; a lost race queues nothing", async () => {
      const created = await store().secretChanges.create(secretRequest({ secret: 'S_TICK', origin: 'rotation:rot-1' }), T0);
      if (created.kind !== 'created') return assert.fail('not created');
      const id = created.change.id;
      assert.deepEqual(await drain('rotation.tick', at(1)), [], 'creating it is not a status change');
      assert.ok(await store().secretChanges.approve(id, BOB, applyJob(id), at(1)));
      assert.deepEqual(await drain('rotation.tick', at(1)), [{ rotationId: 'rot-1' }]);
      assert.equal(await store().secretChanges.approve(id, BOB, applyJob(id), at(1)), false);
      assert.ok(await store().secretChanges.startApplying(id, at(2)));
      assert.equal(await store().secretChanges.startApplying(id, at(2)), false);
      assert.deepEqual(await drain('rotation.tick', at(2)), [{ rotationId: 'rot-1' }], 'one tick for applying, none for the lost race');
      assert.ok(await store().secretChanges.finish(id, { status: 'done', outcome: { updatedAt: at(3).toISOString() } }, at(3)));
      assert.deepEqual(await drain('rotation.tick', at(3)), [{ rotationId: 'rot-1' }]);
    });

    test('a request voided to make room (create/open) also queues its tick', async () => {
      const first = await store().secretChanges.create(secretRequest({ secret: 'S_VOID', origin: 'rotation:rot-2' }), T0);
      assert.equal(first.kind, 'created');
      assert.equal(await store().secretChanges.open('olreppe/pyWATS', 'S_VOID', at(61)), null);
      assert.deepEqual(await drain('rotation.tick', at(61)), [{ rotationId: 'rot-2' }]);
    });

    test('a request of no rotation queues no tick', async () => {
      const created = await store().secretChanges.create(secretRequest({ secret: 'S_PLAIN' }), T0);
      if (created.kind !== 'created') return assert.fail('not created');
      assert.ok(await store().secretChanges.deny(created.change.id, BOB, at(1)));
      assert.deepEqual(await drain('rotation.tick', at(1)), []);
    });

    test('a rotation step is written with its follow-up job, and only a step that wins the compare-and-set queues it', async () => {
      const state = initialState({ verifyMethod: null, verifyWorkflow: null, isDeployKey: false });
      const made = await store().rotations.create(
        { repo: 'olreppe/pyWATS', repoName: 'pywats', secret: 'S_ROT', secretKind: 'classic-pat', requestedBy: ALICE, channel: 'C0RELEASES1', state },
        T0,
      );
      if (made.kind !== 'created') return assert.fail('not created');
      const r = made.rotation;
      const watch = { kind: 'rotation.watch', payload: { rotationId: r.id }, dedupeKey: `rotation-watch:${r.id}`, runAt: at(1) };
      assert.ok(await store().rotations.write(r.id, r.version, { status: 'active', state }, at(1), watch));
      assert.equal(
        await store().rotations.write(r.id, r.version, { status: 'active', state }, at(1), { ...watch, dedupeKey: 'other' }),
        false,
        'stale version',
      );
      assert.deepEqual(await drain('rotation.watch', at(2)), [{ rotationId: r.id }]);
    });
  });
}
