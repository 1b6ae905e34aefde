import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const T0 = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const REPO = 'olreppe/pyWATS';

for (const backend of storeBackends('tagalerts')) {
  describe(`tag alerts on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('a tag is scheduled once, however many replicas race; each move happens once, only from the states named', async () => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      const wins = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % stores.length]!.tagAlerts.schedule({ repo: REPO, tag: 'v1.3.0', dueAt: at(900_000) }, at(i))),
      );
      assert.equal(wins.filter(Boolean).length, 1);
      const row = await a.tagAlerts.get(REPO, 'v1.3.0');
      assert.equal(row?.state, 'scheduled');
      assert.equal(row.dueAt.getTime(), at(900_000).getTime());
      assert.equal(row.messageTs, null);

      const moves = await Promise.all(
        stores.flatMap((s) => [0, 1].map(() => s.tagAlerts.move(REPO, 'v1.3.0', ['scheduled'], { state: 'posting', channel: 'C1' }, at(1000)))),
      );
      assert.equal(moves.filter(Boolean).length, 1, 'one of the check and the apply job acts');
      assert.equal(await b.tagAlerts.move(REPO, 'v1.3.0', ['scheduled'], { state: 'settled' }, at(1100)), false, 'not from a state not named');
      assert.equal(await b.tagAlerts.move(REPO, 'v1.3.0', ['posting'], { state: 'posted', messageTs: '1700000000.000100' }, at(1200)), true);
      const posted = await a.tagAlerts.get(REPO, 'v1.3.0');
      assert.deepEqual([posted?.state, posted?.channel, posted?.messageTs], ['posted', 'C1', '1700000000.000100']);
      assert.equal(await a.tagAlerts.get(REPO, 'v1.3.1'), null);
    });
  });
}
