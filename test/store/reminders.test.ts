import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storedReminder } from '../../src/core/reminders/offer.js';
import { storeBackends } from '../helpers/backends.js';

const T0 = new Date('2026-12-04T09:00:00Z');
const REPO = 'olreppe/pyWATS';

for (const backend of storeBackends('reminders')) {
  describe(`posted reminders on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('what a reminder said and its offer are kept; it is found by message and by secret; settled ones leave the catch-up list', async () => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      const key = `${REPO}:GHE_TOKEN:age:2026-12-30:30`;
      assert.equal(await a.reminders.claim({ key, repo: REPO, secret: 'GHE_TOKEN' }, T0), true);
      assert.equal(await b.reminders.claim({ key, repo: REPO, secret: 'GHE_TOKEN' }, T0), false, 'claimed once');
      assert.deepEqual(await a.reminders.ofSecret(REPO, 'GHE_TOKEN'), [], 'not posted yet: nothing to edit');
      await a.reminders.sent(key, 'C0RELEASES1', '1796000000.000100', {
        basis: 'age',
        deadline: new Date('2026-12-30T10:00:00Z'),
        threshold: 30,
        daysLeft: 27,
        offer: 'open',
      });

      const [row] = await b.reminders.ofSecret(REPO, 'GHE_TOKEN');
      assert.ok(row);
      assert.deepEqual(
        { ...row },
        {
          key,
          repo: REPO,
          secret: 'GHE_TOKEN',
          claimedAt: T0,
          channel: 'C0RELEASES1',
          messageTs: '1796000000.000100',
          basis: 'age',
          deadline: new Date('2026-12-30T10:00:00Z'),
          threshold: 30,
          daysLeft: 27,
          offer: 'open',
        },
      );
      assert.equal((await b.reminders.byMessage('C0RELEASES1', '1796000000.000100'))?.key, key);
      assert.equal(await b.reminders.byMessage('C0RELEASES1', '1796000000.000101'), null);
      assert.deepEqual(await a.reminders.unsettled(), [{ repo: REPO, secret: 'GHE_TOKEN' }]);

      await b.reminders.setOffer(key, 'started:U0ALICE001:1796000100000');
      assert.deepEqual(await a.reminders.unsettled(), [{ repo: REPO, secret: 'GHE_TOKEN' }], 'a rotation under way may still end either way');
      await b.reminders.setOffer(key, 'rotated:U0ALICE001:1796000900000');
      assert.deepEqual(await a.reminders.unsettled(), [], 'rotated: settled for good');
    });

    test('a row from before migration 0008 still renders: its facts come from the key', async () => {
      const [a] = stores as [Store];
      const key = `${REPO}:PAT_TOKEN:expiry:2026-12-10:7`;
      await a.reminders.claim({ key, repo: REPO, secret: 'PAT_TOKEN' }, T0);
      await a.reminders.sent(key, 'C0RELEASES1', '1796000000.000200');
      const [row] = await a.reminders.ofSecret(REPO, 'PAT_TOKEN');
      assert.ok(row);
      assert.equal(row.basis, null);
      assert.equal(row.offer, null);
      const r = storedReminder(row);
      assert.ok(r);
      assert.equal(r.basis, 'expiry');
      assert.equal(r.threshold, 7);
      assert.equal(r.deadline.toISOString(), '2026-12-10T00:00:00.000Z');
      assert.equal(r.daysLeft, 6, 'counted from when it was claimed');
      assert.equal(storedReminder({ ...row, key: 'garbage' }), null, 'a key that says nothing renders nothing');
    });
  });
}
