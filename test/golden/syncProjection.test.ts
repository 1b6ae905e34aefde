import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import type { SyncFacts } from '../../src/core/sync/facts.js';
import { projectedRunFacts, projectionFreshness, type ProjectionView } from '../../src/core/sync/projection.js';
import { buildSyncReport } from '../../src/core/sync/report.js';
import { dateField, field, goldenCases } from './golden.js';

/**
 * sync-projection/<case>.input.json: `{ about, now, windowMs, view, namesAtHead, facts, sameAs? }`:
 * what the projection holds of the sync workflow (`view`, times as ISO strings), the workflow
 * file's job names that came with the mirror check, and the rest of what /sync-status read
 * (`facts`: the mirror check and the secrets). <case>.expected.json: whether the projection is
 * fresh, what it gives, and the report. `sameAs` names the sync-report case of the walk that
 * read the same state from GitHub: the report must be that case's, to the byte.
 */

const toDate = (v: unknown) => (typeof v === 'string' ? new Date(v) : null);

function viewOf(raw: Record<string, unknown>): ProjectionView {
  const run = raw.run as Record<string, unknown> | null;
  return {
    run:
      run && ({ ...run, createdAt: toDate(run.createdAt), updatedAt: toDate(run.updatedAt), runStartedAt: toDate(run.runStartedAt) } as ProjectionView['run']),
    jobs: (raw.jobs as Array<Record<string, unknown>>).map(
      (j) => ({ ...j, startedAt: toDate(j.startedAt), completedAt: toDate(j.completedAt) }) as ProjectionView['jobs'][number],
    ),
    findings: raw.findings as Record<string, unknown>,
    confirmedAt: toDate(raw.confirmedAt),
    pendingDeliveries: Number(raw.pendingDeliveries),
  };
}

describe('golden: sync report from the projection', () => {
  goldenCases(new URL('./sync-projection/', import.meta.url), (input) => {
    const now = dateField(input, 'now');
    const view = viewOf(field(input, 'view') as Record<string, unknown>);
    const base = field(input, 'facts') as Omit<SyncFacts, 'run' | 'jobs' | 'syncJobLog'>;
    const freshness = projectionFreshness(view, now, Number(field(input, 'windowMs')));
    if (!freshness.fresh) return { freshness };
    const given = projectedRunFacts(view, base.job, { atHead: field(input, 'namesAtHead') as Record<string, string> | null });
    if (given.kind !== 'facts')
      return { freshness, given: { kind: given.kind, run: given.run.id, ...(given.kind === 'needs_log' ? { job: given.job.id } : {}) } };
    const report = buildSyncReport({ ...base, ...given.facts } as SyncFacts, now);
    const sameAs = (input as { sameAs?: string }).sameAs;
    if (sameAs) {
      const walked = JSON.parse(readFileSync(new URL(`./sync-report/${sameAs}.expected.json`, import.meta.url), 'utf8')) as unknown;
      assert.deepEqual(JSON.parse(JSON.stringify(report)), walked, `the report of the walk (sync-report/${sameAs})`);
    }
    return { freshness, given: { kind: given.kind }, report };
  });
});
