import { describe } from 'node:test';
import type { ConditionalRead } from '../../src/core/ports.js';
import { planJobs, planRuns, planTags, PollState } from '../../src/core/events/poll.js';
import { field, goldenCases } from './golden.js';

/**
 * events-poll/<case>.input.json: `{ about, repo, state, runReads, jobReads, tagsRead }`, one look of the
 * events poller (reads as the poll port returns them, state as the job keeps it);
 * <case>.expected.json: the deliveries it hands the intake, whose jobs it reads, and the state after.
 */
describe('golden: events poller plans', () => {
  goldenCases(new URL('./events-poll/', import.meta.url), (input) => {
    const repo = field(input, 'repo') as string;
    const state = PollState.parse(field(input, 'state'));
    const runs = planRuns(repo, state.runs, field(input, 'runReads') as Array<{ workflow: string; read: ConditionalRead }>);
    const jobReads = field(input, 'jobReads') as Record<string, ConditionalRead>;
    const jobs = runs.jobsOf.flatMap((id) => (jobReads[String(id)] ? planJobs(repo, jobReads[String(id)] as ConditionalRead) : []));
    const tags = planTags(repo, state.tags, field(input, 'tagsRead') as ConditionalRead);
    return { runs, jobs, tags };
  });
});
