import { describe } from 'node:test';
import { followNextSeconds, GitHubLook, planFollowLook, RunVersion } from '../../src/core/events/followLook.js';
import { field, goldenCases } from './golden.js';

/**
 * follow-look/<case>.input.json: `{ about, now, webhooks, fallbackSeconds, followingSince,
 * lastGitHubLook, projected, jobsBehindRun?, progressSeconds }`: where a follower of a run reads it from
 * (projection, GitHub, or wait for a delivery), and, given the progress plan's back-off
 * (`progressSeconds`, null once the run is over), in how many seconds it looks again;
 * <case>.expected.json: `{ look, nextSeconds }`.
 */
describe('golden: planFollowLook()', () => {
  goldenCases(new URL('./follow-look/', import.meta.url), (input) => {
    const now = String(field(input, 'now'));
    const last = field(input, 'lastGitHubLook');
    const projected = field(input, 'projected');
    const look = planFollowLook({
      now,
      webhooks: Boolean(field(input, 'webhooks')),
      fallbackSeconds: Number(field(input, 'fallbackSeconds')),
      followingSince: String(field(input, 'followingSince')),
      lastGitHubLook: last === null ? null : GitHubLook.parse(last),
      projected: projected === null ? null : RunVersion.parse(projected),
      jobsBehindRun: (input as { jobsBehindRun?: boolean }).jobsBehindRun === true,
    });
    const progress = field(input, 'progressSeconds');
    return { look, nextSeconds: followNextSeconds(look, progress === null ? null : Number(progress), now) };
  });
});
