import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const T0 = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const REPO = 'olreppe/pyWATS';

for (const backend of storeBackends('ghevents')) {
  describe(`the projection's runs on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('runs on a ref (the tag a run ran on), newest first, of that repository only', async () => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      const run = (runId: number, created: number, headBranch: string, workflowPath: string) => ({
        repo: REPO,
        runId,
        workflowPath,
        name: null,
        event: 'push',
        headBranch,
        headSha: 'abc',
        status: 'queued',
        conclusion: null,
        runAttempt: 1,
        htmlUrl: `https://github.com/${REPO}/actions/runs/${runId}`,
        createdAt: at(created),
        updatedAt: at(created),
      });
      await a.githubEvents.upsertRun(run(11, 1000, 'v2.0.0', '.github/workflows/release.yml'));
      await a.githubEvents.upsertRun(run(12, 2000, 'v2.0.0', '.github/workflows/publish.yml'));
      await a.githubEvents.upsertRun(run(13, 3000, 'main', '.github/workflows/release.yml'));
      const runs = await b.githubEvents.runsOnRef(REPO, 'v2.0.0', 5);
      assert.deepEqual(
        runs.map((r) => [r.runId, r.workflowPath]),
        [
          [12, '.github/workflows/publish.yml'],
          [11, '.github/workflows/release.yml'],
        ],
      );
      assert.equal(runs[1]?.htmlUrl, `https://github.com/${REPO}/actions/runs/11`);
      assert.deepEqual(await a.githubEvents.runsOnRef('someone/else', 'v2.0.0', 5), []);
    });
  });
}
