import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENTRY_LINK_MAX_ATTEMPTS, type Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const T0 = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const TTL = 10 * 60_000;

for (const backend of storeBackends('links')) {
  describe(`entry links on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('single use under concurrency, tries, expiry, a newer link voids the older, only a hash is kept', async (t) => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      const secret = await a.entryLinks.mint({ rotationId: 'rot1', userId: 'U0ALICE001', ttlMs: TTL }, T0);
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      const rows = await sql<Record<string, unknown>>`select * from entry_links`.execute(a.db);
      assert.equal(JSON.stringify(rows.rows).includes(secret), false, 'the table holds no working link');

      const peek = await b.entryLinks.peek(secret, at(1000));
      assert.equal(peek.kind, 'open');
      assert.equal(peek.kind === 'open' && peek.link.rotationId, 'rot1');
      assert.equal((await b.entryLinks.peek(`${secret.slice(0, -1)}x`, at(1000))).kind, 'gone', 'another secret');
      assert.equal((await b.entryLinks.peek('../../etc/passwd', at(1000))).kind, 'gone', 'junk');

      // 50 submissions at once over the replicas: one takes the link, the others see it busy.
      const claims = await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % stores.length]!.entryLinks.claim(secret, at(2000))));
      const won = claims.filter((c) => c !== null);
      t.diagnostic(`${backend.name}: ${won.length} of 50 concurrent claims won`);
      assert.equal(won.length, 1);
      assert.equal((await a.entryLinks.peek(secret, at(2000))).kind, 'gone', 'busy while one submission is checked');

      // Refused values give it back with one try fewer, until none are left.
      let link = won[0]!;
      for (let i = 1; i < ENTRY_LINK_MAX_ATTEMPTS; i++) {
        await a.entryLinks.release(link);
        const again = await b.entryLinks.claim(secret, at(3000 + i));
        assert.ok(again, `try ${i + 1} may claim`);
        assert.equal(again.attempts, i);
        link = again;
      }
      await a.entryLinks.release(link);
      assert.equal(await a.entryLinks.claim(secret, at(9000)), null, `void after ${ENTRY_LINK_MAX_ATTEMPTS} refusals`);

      // Expiry, and a newer link for the same rotation and person voiding the older one.
      const s2 = await a.entryLinks.mint({ rotationId: 'rot1', userId: 'U0ALICE001', ttlMs: TTL }, T0);
      assert.equal((await a.entryLinks.peek(s2, at(TTL - 1))).kind, 'open');
      assert.equal((await a.entryLinks.peek(s2, at(TTL))).kind, 'gone', 'expired at its deadline');
      assert.equal(await a.entryLinks.claim(s2, at(TTL + 1)), null);
      const s3 = await a.entryLinks.mint({ rotationId: 'rot1', userId: 'U0ALICE001', ttlMs: TTL }, at(1000));
      const other = await a.entryLinks.mint({ rotationId: 'rot2', userId: 'U0ALICE001', ttlMs: TTL }, at(1000));
      const s4 = await b.entryLinks.mint({ rotationId: 'rot1', userId: 'U0ALICE001', ttlMs: TTL }, at(2000));
      assert.equal((await a.entryLinks.peek(s3, at(3000))).kind, 'gone', 'voided by the newer link');
      assert.equal((await a.entryLinks.peek(other, at(3000))).kind, 'open', 'another rotation keeps its link');

      // Finished: spent for good, even if something tried to give it back.
      const c4 = await a.entryLinks.claim(s4, at(3000));
      assert.ok(c4);
      await a.entryLinks.finish(c4, at(3500));
      await b.entryLinks.release(c4);
      assert.equal(await b.entryLinks.claim(s4, at(4000)), null);
      assert.equal((await b.entryLinks.peek(s4, at(4000))).kind, 'gone');

      // GitHub did not answer: given back without spending a try, however often.
      const s5 = await a.entryLinks.mint({ rotationId: 'rot3', userId: 'U0ALICE001', ttlMs: TTL }, T0);
      for (let i = 0; i < ENTRY_LINK_MAX_ATTEMPTS * 2; i++) {
        const c = await stores[i % stores.length]!.entryLinks.claim(s5, at(5000 + i));
        assert.ok(c, `outage submission ${i + 1} may claim`);
        assert.equal(c.attempts, 0, 'no try spent');
        await b.entryLinks.release(c, { spendTry: false });
      }
      const spent = await a.entryLinks.claim(s5, at(6000));
      assert.ok(spent);
      await a.entryLinks.release(spent);
      assert.equal((await b.entryLinks.claim(s5, at(6001)))?.attempts, 1, 'a judged value still costs one');
    });
  });
}
