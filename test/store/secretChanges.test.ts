import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';
import { ALICE, BOB, CAROL, T0, at, applyJob, secretRequest } from '../helpers/secretRequest.js';

for (const backend of storeBackends('sec')) {
  describe(`secret changes on ${backend.name}`, () => {
    let stores: Store[] = [];
    const store = () => stores[0] as Store;
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('opens', async () => {
      stores = await backend.open();
      assert.ok(stores.length >= 1);
    });

    test('one open request per secret; expired ones are voided and make room', async () => {
      const first = await store().secretChanges.create(secretRequest(), T0);
      assert.equal(first.kind, 'created');
      const second = await store().secretChanges.create(secretRequest({ requestedBy: CAROL }), at(5));
      assert.equal(second.kind, 'busy');
      assert.equal(second.kind === 'busy' && second.open?.id, first.kind === 'created' && first.change.id);
      // Another secret is independent.
      assert.equal((await store().secretChanges.create(secretRequest({ secret: 'PAT_TOKEN' }), at(5))).kind, 'created');
      // After expiry the old one is void (ciphertext gone) and a new one may start.
      const third = await store().secretChanges.create(secretRequest(), at(61));
      assert.equal(third.kind, 'created');
      const old = first.kind === 'created' ? await store().secretChanges.get(first.change.id) : null;
      assert.equal(old?.status, 'expired');
      assert.equal(old?.ciphertext, null);
    });

    test('approve: never the requester, never after expiry, exactly once; the apply job comes with it', async () => {
      const created = await store().secretChanges.create(secretRequest({ secret: 'S_APPROVE' }), T0);
      assert.equal(created.kind, 'created');
      if (created.kind !== 'created') return;
      const id = created.change.id;
      assert.equal(await store().secretChanges.approve(id, ALICE, applyJob(id), at(1)), false, 'self-approval');
      assert.equal(await store().secretChanges.approve(id, BOB, applyJob(id), at(61)), false, 'after expiry');
      const clicks = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (stores[i % stores.length] as Store).secretChanges.approve(id, i % 2 ? BOB : CAROL, applyJob(id), at(2))),
      );
      assert.equal(clicks.filter(Boolean).length, 1);
      const row = await store().secretChanges.get(id);
      assert.equal(row?.status, 'approved');
      assert.ok(row?.decidedBy === BOB || row?.decidedBy === CAROL);
      const job = await store().jobs.claim({ owner: 't', kinds: ['secret.apply'], leaseSeconds: 30, now: at(3) });
      assert.deepEqual(job?.payload, { changeId: id });
      assert.equal(await store().jobs.complete(job?.id ?? '', 't'), true);
    });

    test('apply lifecycle: applying, done drops the ciphertext; reopen makes it decidable again', async () => {
      const created = await store().secretChanges.create(secretRequest({ secret: 'S_APPLY' }), T0);
      if (created.kind !== 'created') return assert.fail('not created');
      const id = created.change.id;
      assert.equal(await store().secretChanges.startApplying(id, at(1)), false, 'not approved yet');
      assert.ok(await store().secretChanges.approve(id, BOB, applyJob(id), at(1)));
      assert.ok(await store().secretChanges.startApplying(id, at(2)));
      assert.equal(await store().secretChanges.startApplying(id, at(2)), false);
      assert.ok(await store().secretChanges.reopen(id, 'GitHub answered 503'));
      let row = await store().secretChanges.get(id);
      assert.equal(row?.status, 'pending');
      assert.equal(row?.ciphertext, 'c2VhbGVk', 'kept so that it can be approved again');
      assert.equal(row?.error, 'GitHub answered 503');
      assert.ok(await store().secretChanges.approve(id, BOB, applyJob(id), at(3)));
      assert.ok(await store().secretChanges.startApplying(id, at(3)));
      assert.ok(await store().secretChanges.finish(id, { status: 'done', outcome: { updatedAt: '2026-11-23T10:03:00Z' } }, at(3)));
      row = await store().secretChanges.get(id);
      assert.equal(row?.status, 'done');
      assert.equal(row?.ciphertext, null);
      assert.equal(row?.keyId, null);
      assert.deepEqual(row?.outcome, { updatedAt: '2026-11-23T10:03:00Z' });
      assert.equal((await store().secretChanges.lastDone('olreppe/pyWATS', 'S_APPLY', 'replace'))?.id, id);
      assert.equal(await store().secretChanges.finish(id, { status: 'failed', error: 'x' }), false, 'decided once');
    });

    test('deny and cancel: only the right person, only while pending, and they void the ciphertext', async () => {
      const a = await store().secretChanges.create(secretRequest({ secret: 'S_DENY' }), T0);
      const b = await store().secretChanges.create(secretRequest({ secret: 'S_CANCEL' }), T0);
      if (a.kind !== 'created' || b.kind !== 'created') return assert.fail('not created');
      assert.equal(await store().secretChanges.deny(a.change.id, ALICE, at(1)), false, 'the requester cannot deny (she cancels)');
      assert.ok(await store().secretChanges.deny(a.change.id, BOB, at(1)));
      assert.equal(await store().secretChanges.approve(a.change.id, BOB, applyJob(a.change.id), at(2)), false, 'denied is final');
      assert.equal(await store().secretChanges.cancel(b.change.id, BOB, at(1)), false, 'only the requester cancels');
      assert.ok(await store().secretChanges.cancel(b.change.id, ALICE, at(1)));
      for (const id of [a.change.id, b.change.id]) assert.equal((await store().secretChanges.get(id))?.ciphertext, null);
    });

    test('expire applies only once past expiry and only to pending requests', async () => {
      const c = await store().secretChanges.create(secretRequest({ secret: 'S_EXPIRE' }), T0);
      if (c.kind !== 'created') return assert.fail('not created');
      assert.equal(await store().secretChanges.expire(c.change.id, at(59)), false);
      assert.ok(await store().secretChanges.expire(c.change.id, at(60)));
      assert.equal(await store().secretChanges.cancel(c.change.id, ALICE, at(61)), false);
    });

    test('ids that are not ours match nothing', async () => {
      for (const id of ['', 'x', "'; drop table secret_changes; --", 'A'.repeat(25)]) {
        assert.equal(await store().secretChanges.get(id), null);
        assert.equal(await store().secretChanges.approve(id, BOB, applyJob(id)), false);
      }
    });
  });
}
