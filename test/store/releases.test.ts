import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NewRelease, Release, Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const newRelease = async (s: Store, o: NewRelease, now?: Date): Promise<Release> => {
  const c = await s.releases.create(o, now);
  if (c.kind !== 'created') throw new Error(`expected a new release, got the active ${c.active.id} (${c.active.status})`);
  return c.release;
};

const input = {
  repo: 'thecturner/jankins',
  repoName: 'jankins',
  tag: 'v1.3.0',
  sha: 'a'.repeat(40),
  workflow: 'release.yml',
  inputs: {},
  requestedBy: 'U0ALICE001',
  channel: 'C0RELEASES1',
  ttlSeconds: 600,
};

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
      const created = await a.releases.create(input);
      assert.equal(created.kind, 'created');
      const r = created.kind === 'created' ? created.release : assert.fail('created');
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
      const r = await newRelease(a, { ...input, tag: 'v2.0.0' });
      assert.equal((await a.releases.active(input.repo, 'v2.0.0')).length, 1);
      assert.equal(await a.releases.cancel(r.id, 'U0CAROL003'), false);
      assert.equal(await a.releases.cancel(r.id, 'U0ALICE001'), true);
      assert.equal(await a.releases.claimForDispatch(r.id, 'U0ALICE001'), false);
      assert.equal((await a.releases.active(input.repo, 'v2.0.0')).length, 0);
      assert.equal(await a.releases.get('not-an-id'), null);
      assert.equal(await a.releases.get('A'.repeat(24)), null);
    });

    test('one active release per repo and tag: of 40 concurrent creates over the replicas, one wins', async (t) => {
      const tag = 'v3.0.0';
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => stores[i % stores.length]!.releases.create({ ...input, tag, requestedBy: i % 2 ? 'U0BOB00002' : 'U0ALICE001' })),
      );
      const created = results.filter((r) => r.kind === 'created');
      t.diagnostic(`${backend.name}: ${created.length} of 40 concurrent creates won`);
      assert.equal(created.length, 1);
      const winner = created[0]?.kind === 'created' ? created[0].release : assert.fail('one created');
      assert.ok(
        results.every((r) => r.kind === 'created' || r.active.id === winner.id),
        'every loser is shown the winner',
      );
      // Another repo, or another tag, is independent.
      assert.equal((await stores[0]!.releases.create({ ...input, tag: 'v3.0.1' })).kind, 'created');
      assert.equal((await stores[0]!.releases.create({ ...input, repo: 'thecturner/other', tag })).kind, 'created');
    });

    test('an expired confirmation frees the tag; the new one supersedes it and the old can no longer be confirmed', async () => {
      const [a, b = a] = stores as [Store, Store?];
      const t0 = new Date();
      const old = await newRelease(a, { ...input, tag: 'v4.0.0' }, t0);
      assert.equal((await b.releases.create({ ...input, tag: 'v4.0.0' }, new Date(t0.getTime() + 60_000))).kind, 'busy');
      const later = new Date(t0.getTime() + 601_000);
      const fresh = await newRelease(b, { ...input, tag: 'v4.0.0' }, later);
      assert.equal((await a.releases.get(old.id))?.status, 'expired');
      assert.equal(await a.releases.claimForDispatch(old.id, 'U0ALICE001', later), false);
      assert.equal(await a.releases.claimForDispatch(fresh.id, 'U0ALICE001', later), true);
    });

    test('the confirmation and its dispatch job in one transaction; the dispatch is sent once; a concluded run frees the tag only if it failed', async () => {
      const [a, b = a] = stores as [Store, Store?];
      const r = await newRelease(a, { ...input, tag: 'v5.0.0' });
      const job = { kind: 'release.dispatch', payload: { releaseId: r.id }, dedupeKey: `release-dispatch:${r.id}` };
      const wins = await Promise.all([
        a.releases.claimForDispatch(r.id, 'U0ALICE001', new Date(), job),
        b.releases.claimForDispatch(r.id, 'U0ALICE001', new Date(), job),
      ]);
      assert.deepEqual(wins.filter(Boolean).length, 1);
      const jobs = await a.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `release-dispatch:${r.id}`).execute();
      assert.equal(jobs.length, 1, 'exactly one dispatch job');
      const sent = await Promise.all([a.releases.markDispatchSent(r.id), b.releases.markDispatchSent(r.id)]);
      assert.equal(sent.filter(Boolean).length, 1, 'only one runner may send the dispatch');
      assert.equal(await a.releases.markFailed(r.id, 'x', { onlyUnsent: true }), false, 'a sent dispatch is not failed as unsent');
      assert.equal(await a.releases.markDispatched(r.id, { runId: 7, runUrl: 'u' }), true);
      assert.equal((await a.releases.create({ ...input, tag: 'v5.0.0' })).kind, 'busy', 'under way');
      assert.equal(await a.releases.markConcluded(r.id, 'failure'), true);
      assert.equal((await a.releases.get(r.id))?.status, 'run_failed');
      const again = await newRelease(a, { ...input, tag: 'v5.0.0' });
      assert.equal(await a.releases.claimForDispatch(again.id, 'U0ALICE001'), true);
      assert.equal(await a.releases.markDispatched(again.id, { runId: 8, runUrl: 'u' }), true);
      assert.equal(await a.releases.markConcluded(again.id, 'success'), true);
      assert.equal((await a.releases.get(again.id))?.status, 'succeeded');
    });
  });
}
