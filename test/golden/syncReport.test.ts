import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { SyncFacts } from '../../src/core/sync/facts.js';
import { buildSyncReport, SyncReport } from '../../src/core/sync/report.js';
import { dateField, field, goldenCases } from './golden.js';

/**
 * sync-report/<case>.input.json: `{ about, now, facts }`, what /sync-status fetched;
 * <case>.expected.json: the SyncReport.
 */
describe('golden: sync buildSyncReport()', () => {
  goldenCases(new URL('./sync-report/', import.meta.url), (input) => {
    const report = buildSyncReport(field(input, 'facts') as SyncFacts, dateField(input, 'now'));
    // Reports are stored as JSON and read back with their schema: the golden one must survive that too.
    const stored = JSON.parse(JSON.stringify(report)) as unknown;
    assert.deepEqual(SyncReport.parse(stored), stored);
    return report;
  });
});
