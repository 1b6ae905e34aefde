import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const REPO = 'olreppe/pyWATS';
const now = new Date('2026-03-01T10:00:00Z');

for (const backend of storeBackends('relann')) {
  describe(`release announcements on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('a run is claimed once across replicas; an edit is claimed once; a refused post gives the claim back', async () => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      const claim = (s: Store) => s.releaseAnnouncements.claim({ repo: REPO, runId: 7, channel: 'C0PYWATS01', shown: '1:running' }, now);
      const won = await Promise.all([claim(a), claim(b), claim(a), claim(b)]);
      assert.deepEqual(won.filter(Boolean).length, 1);
      // Slack refused: the claim goes, and a retry may claim again.
      await a.releaseAnnouncements.unclaim(REPO, 7);
      assert.equal(await a.releaseAnnouncements.get(REPO, 7), null);
      assert.equal(await claim(b), true);
      await b.releaseAnnouncements.setMessage(REPO, 7, '1700000000.000100');
      // Once it has a ts the message exists: unclaim leaves it.
      await a.releaseAnnouncements.unclaim(REPO, 7);
      assert.equal((await a.releaseAnnouncements.get(REPO, 7))?.messageTs, '1700000000.000100');
      assert.equal(await claim(a), false);

      const edits = await Promise.all([a, b, a, b].map((s) => s.releaseAnnouncements.advance(REPO, 7, '1:running', '1:completed:success', now)));
      assert.equal(edits.filter(Boolean).length, 1);
      assert.equal((await b.releaseAnnouncements.get(REPO, 7))?.shown, '1:completed:success');
    });

    test("forRuns: releases knowing one of the runs, and a tag's dispatch sent whose run is not known yet", async () => {
      const [s] = stores as [Store];
      const make = async (tag: string) => {
        const c = await s.releases.create({
          repo: REPO,
          repoName: 'pywats',
          tag,
          sha: 'a'.repeat(40),
          workflow: '1',
          inputs: {},
          requestedBy: 'U0ALICE001',
          channel: 'C0PYWATS01',
          ttlSeconds: 600,
        });
        assert.equal(c.kind, 'created');
        return c.kind === 'created' ? c.release : assert.fail();
      };
      const known = await make('v1.0.0');
      assert.ok(await s.releases.claimForDispatch(known.id, 'U0ALICE001'));
      assert.ok(await s.releases.markDispatchSent(known.id));
      assert.ok(await s.releases.markDispatched(known.id, { runId: 900, runUrl: 'https://github.com/x/runs/900' }));
      const unknown = await make('v1.1.0');
      assert.ok(await s.releases.claimForDispatch(unknown.id, 'U0ALICE001'));
      assert.ok(await s.releases.markDispatchSent(unknown.id));
      const unsent = await make('v1.2.0');

      const ids = async (runIds: number[], tags: string[]) => (await s.releases.forRuns(REPO, runIds, tags)).map((r) => r.id).sort();
      assert.deepEqual(await ids([900], []), [known.id]);
      assert.deepEqual(await ids([901], ['v1.1.0']), [unknown.id]);
      // The release of v1.0.0 knows its run: another run of that tag is not its.
      assert.deepEqual(await ids([901], ['v1.0.0']), []);
      assert.deepEqual(await ids([], ['v1.2.0']), [], `nothing was sent for ${unsent.tag}`);
      assert.deepEqual(await ids([], []), []);
    });
  });
}
