import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const input = { repo: 'thecturner/jankins', repoName: 'jankins', tag: 'v1.3.0', sha: 'a'.repeat(40), workflow: 'release.yml', inputs: {}, requestedBy: 'U0ALICE001', channel: 'C0RELEASES1', ttlSeconds: 600 };

for (const backend of storeBackends('rel')) {
  describe(`releases on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('create, get, and one decision only', async (t) => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      const r = await a.releases.create(input);
      assert.equal(r.status, 'pending');
      assert.deepEqual((await b.releases.get(r.id))?.tag, 'v1.3.0');
      // Someone else cannot confirm it; after expiry nobody can.
      assert.equal(await a.releases.claimForDispatch(r.id, 'U0CAROL003'), false);
      assert.equal(await a.releases.claimForDispatch(r.id, 'U0ALICE001', new Date(Date.now() + 601_000)), false);
      // 100 concurrent clicks spread over the replicas: exactly one wins.
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => stores[i % stores.length]!.releases.claimForDispatch(r.id, 'U0ALICE001')));
      const wins = results.filter(Boolean).length;
      t.diagnostic(`${backend.name}: ${wins} of 100 concurrent confirmations won`);
      assert.equal(wins, 1);
      assert.equal(await a.releases.cancel(r.id, 'U0ALICE001'), false, 'too late to cancel');
      assert.equal(await a.releases.markDispatched(r.id, { runId: 42, runUrl: 'https://github.com/x/y/actions/runs/42' }), true);
      assert.equal(await b.releases.markDispatched(r.id, { runId: 43, runUrl: 'x' }), false);
      const done = await a.releases.get(r.id);
      assert.equal(done?.status, 'dispatched');
      assert.equal(done?.runId, 42);
    });

    test('cancel, active releases of a tag, unknown ids', async () => {
      const [a] = stores as [Store];
      const r = await a.releases.create({ ...input, tag: 'v2.0.0' });
      assert.equal((await a.releases.active(input.repo, 'v2.0.0')).length, 1);
      assert.equal(await a.releases.cancel(r.id, 'U0CAROL003'), false);
      assert.equal(await a.releases.cancel(r.id, 'U0ALICE001'), true);
      assert.equal(await a.releases.claimForDispatch(r.id, 'U0ALICE001'), false);
      assert.equal((await a.releases.active(input.repo, 'v2.0.0')).length, 0);
      assert.equal(await a.releases.get('not-an-id'), null);
      assert.equal(await a.releases.get('A'.repeat(24)), null);
    });
  });
}
