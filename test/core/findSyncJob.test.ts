import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findSyncJob, jobSlug } from '../../src/core/sync/findSyncJob.js';
import { buildJob, job, syncJob } from './builders.js';

describe('findSyncJob', () => {
  const jobs = [buildJob(), syncJob()];
  test('by display name, case-insensitively', () => {
    assert.equal(findSyncJob(jobs, 'Sync to GitHub Enterprise')?.id, syncJob().id);
    assert.equal(findSyncJob(jobs, 'sync to github enterprise')?.id, syncJob().id);
  });
  test('by the slug of the display name', () => {
    assert.equal(findSyncJob(jobs, 'sync-to-github-enterprise')?.id, syncJob().id);
  });
  test('by YAML id only when the job has no name:, or through workflowJobNames', () => {
    assert.equal(findSyncJob(jobs, 'sync-to-ghe'), null);
    assert.equal(findSyncJob([buildJob(), job({ id: 7, name: 'sync-to-ghe' })], 'sync-to-ghe')?.id, 7);
    assert.equal(findSyncJob(jobs, 'sync-to-ghe', { 'sync-to-ghe': 'Sync to GitHub Enterprise' })?.id, syncJob().id);
  });
  test('jobs of a reusable workflow and matrix jobs, the failed one first; exact wins over prefix', () => {
    const reusable = [job({ id: 1, name: 'sync / checkout', conclusion: 'success' }), job({ id: 2, name: 'sync / push', conclusion: 'failure' })];
    assert.equal(findSyncJob(reusable, 'sync')?.id, 2);
    assert.equal(findSyncJob([job({ id: 3, name: 'sync (ghe)' })], 'sync')?.id, 3);
    assert.equal(findSyncJob([...reusable, job({ id: 4, name: 'Sync' })], 'sync')?.id, 4);
  });
  test('no partial-word matches', () => {
    assert.equal(findSyncJob([job({ id: 1, name: 'sync-to-ghe-later' })], 'sync-to-ghe'), null);
    assert.equal(findSyncJob(jobs, ''), null);
  });
  test('jobSlug', () => {
    assert.equal(jobSlug('  Sync to GitHub Enterprise! '), 'sync-to-github-enterprise');
  });
});
