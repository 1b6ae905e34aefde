import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const T0 = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

for (const backend of storeBackends('deliveries')) {
  describe(`Slack delivery keys on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('a key is taken once across replicas, however many race; purged keys can be taken again', async (t) => {
      stores = await backend.open();
      const claims = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % stores.length]!.slackDeliveries.claim('event:Ev0RACE', at(i))));
      t.diagnostic(`${backend.name}: ${claims.filter(Boolean).length} of 40 concurrent claims won`);
      assert.equal(claims.filter(Boolean).length, 1);
      const [a, b = a] = stores as [Store, Store?];
      assert.equal(await b.slackDeliveries.claim('trigger:1.2.3', at(1000)), true, 'another key is independent');
      assert.equal(await a.slackDeliveries.claim('trigger:1.2.3', at(2000)), false);

      assert.equal(await a.slackDeliveries.purgeBefore(at(500)), 1, 'only keys first seen before the cutoff go');
      assert.equal(await b.slackDeliveries.claim('trigger:1.2.3', at(3000)), false, 'a newer key stays');
      assert.equal(await a.slackDeliveries.claim('event:Ev0RACE', at(3000)), true, 'a purged key is new again');
    });
  });
}
