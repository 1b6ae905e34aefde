import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/index.js';
import { storeBackends } from '../helpers/backends.js';

const REPO = 'olreppe/pyWATS';
const PATH = '.github/workflows/publish.yml';
const SHA = 'a'.repeat(40);

for (const backend of storeBackends('jobnames')) {
  describe(`workflow job names on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('kept per repository, file and commit; the first write stands (a file at a commit never changes), whichever replica wrote it', async () => {
      stores = await backend.open();
      const [a, b = a] = stores as [Store, Store?];
      assert.equal(await a.syncProjection.workflowJobNames(REPO, PATH, SHA), null);
      await Promise.all([
        a.syncProjection.setWorkflowJobNames(REPO, PATH, SHA, { 'sync-to-ghe': 'Sync to GitHub Enterprise' }),
        b.syncProjection.setWorkflowJobNames(REPO, PATH, SHA, { 'sync-to-ghe': 'Sync to GitHub Enterprise' }),
      ]);
      await b.syncProjection.setWorkflowJobNames(REPO, PATH, SHA, { 'sync-to-ghe': 'another name' });
      assert.deepEqual(await b.syncProjection.workflowJobNames(REPO, PATH, SHA), { 'sync-to-ghe': 'Sync to GitHub Enterprise' });
      assert.equal(await a.syncProjection.workflowJobNames(REPO, PATH, 'b'.repeat(40)), null, 'another commit');
      assert.equal(await a.syncProjection.workflowJobNames('other/repo', PATH, SHA), null, 'another repository');
    });
  });
}
