import { describe } from 'node:test';
import type { JobInfo, WorkflowRunInfo } from '../../src/core/ports.js';
import { planProgress, ProgressMemory, type FollowedRelease } from '../../src/services/releaseProgress.js';
import { dateField, field, goldenCases } from './golden.js';

/**
 * release-progress/<case>.input.json: `{ about, now, release, run, jobs, memory }`, one poll of
 * a followed release (run and jobs as the GitHub port returns them, memory as stored);
 * <case>.expected.json: the ProgressPlan (actions in order, memory after, next poll).
 */
describe('golden: release planProgress()', () => {
  goldenCases(new URL('./release-progress/', import.meta.url), (input) =>
    planProgress({
      release: field(input, 'release') as FollowedRelease,
      run: field(input, 'run') as WorkflowRunInfo | null,
      jobs: field(input, 'jobs') as JobInfo[],
      memory: ProgressMemory.parse(field(input, 'memory')),
      now: dateField(input, 'now'),
    }),
  );
});
