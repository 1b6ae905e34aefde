import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordedRequest } from '@chatops/fake-github';
import { eventually, startHarness, type Harness } from '../helpers/harness.js';
import { channelUpdates, confirmRelease, followJob } from '../helpers/release.js';

/**
 * Following a release by polling alone (no webhook secret): every GitHub request after the
 * dispatch asks with an ETag, except the first read of what has none yet (the new run's
 * jobs and, once per file and commit, the workflow file). The run is read from the page of
 * runs the events poller asks for, the workflow file's job names are stored, and the
 * release link comes from the releases page the poller asks for (issue 19).
 */

const RELEASE_YML = '.github/workflows/release.yml';

const updates = channelUpdates;
const unconditional = (requests: RecordedRequest[]) =>
  requests
    .filter((r) => r.method === 'GET' && !r.conditional)
    .map((r) => `${r.path.replace(/\/repos\/[^/]+\/[^/]+/, '').replace(/\d{6,}/g, ':id')} ${r.status}`);

/** Confirms a release of `tag` once the events poller's start-up look is done. */
async function release(h: Harness, tag: string): Promise<{ runId: number; releaseId: string; afterDispatch: number }> {
  await eventually(
    async () => {
      const poll = await h.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'github.events.poll').executeTakeFirst();
      return poll?.status === 'pending' && JSON.stringify(poll.payload).includes('runs:');
    },
    'the poller to have looked',
    10_000,
  );
  const { run, releaseId, afterDispatch } = await confirmRelease(h, tag);
  return { runId: run.id, releaseId, afterDispatch };
}

/** Moves the bot's clock a minute at a time (the follower's and the poller's looks) until the release is concluded. */
async function followToTheEnd(h: Harness, releaseId: string): Promise<void> {
  for (let i = 0; i < 30 && (await h.store.releases.get(releaseId))?.status === 'dispatched'; i++) {
    await eventually(async () => (await followJob(h)).status !== 'running', 'the follower to be between looks', 10_000);
    h.bot.advance(61_000);
    await new Promise((r) => setTimeout(r, 200));
  }
  await eventually(async () => (await h.store.releases.get(releaseId))?.status === 'succeeded', 'the release to be concluded', 10_000);
}

/**
 * Releases `tag` and plays its run by polling: the first look, a job in progress (seen a minute later), then the
 * run completed (with a GitHub release for the tag, or none) and followed to the end.
 */
async function releaseToTheEnd(h: Harness, tag: string, o: { githubRelease: boolean }): Promise<{ runId: number; afterDispatch: number }> {
  const { runId, releaseId, afterDispatch } = await release(h, tag);
  h.bot.advance(5_001);
  await eventually(async () => (await followJob(h)).status === 'pending' && updates(h).length > 0, 'the first look', 10_000);
  h.github.setJob(runId, 'build', { status: 'in_progress' });
  h.bot.advance(61_000);
  await eventually(() => /In progress/.test(JSON.stringify(updates(h).at(-1)?.args ?? '')), 'an edit saying the run is in progress', 10_000);
  if (o.githubRelease) h.github.createRelease(h.seed.github.repo, tag);
  h.github.completeRun(runId, {});
  await followToTheEnd(h, releaseId);
  return { runId, afterDispatch };
}

describe('following a release by polling alone', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ env: { GITHUB_WEBHOOK_SECRET: undefined } });
  });
  afterEach(() => h.close());

  test('every request after the dispatch is conditional but the first read of the new run jobs and of the workflow file at its commit; the message still links the run and the GitHub release', async () => {
    const { runId, afterDispatch } = await releaseToTheEnd(h, 'v0.1.0b39', { githubRelease: true });

    const after = h.github.requests.slice(afterDispatch);
    assert.deepEqual(
      unconditional(after).sort(),
      [`/actions/runs/:id/jobs 200`, `/contents/${encodeURIComponent(RELEASE_YML)} 200`],
      'only what had no ETag yet was asked without one',
    );
    assert.ok(
      after.some((r) => r.path.endsWith('/actions/workflows/release.yml/runs') && r.conditional),
      'the run was read from the poller’s page of runs, conditionally',
    );
    assert.ok(!after.some((r) => r.path.endsWith(`/actions/runs/${runId}`)), 'the run by its id was not needed');
    assert.ok(!after.some((r) => r.path.includes('/releases/tags/')), 'the release by its tag was not needed');
    const last = JSON.stringify(updates(h).at(-1)?.args);
    assert.match(last, /Released/);
    assert.match(last, /releases\/tag\/v0\.1\.0b39\|GitHub release/, 'the GitHub release link is shown');
    assert.match(last, new RegExp(`actions/runs/${runId}`), 'the run is linked');
    const stored = await h.store.syncProjection.workflowJobNames(h.seed.github.repo, RELEASE_YML, h.seed.github.tags['v0.1.0b39'] ?? '');
    assert.ok(stored && Object.keys(stored).length > 0, 'the workflow file’s job names are stored for its commit');
  });

  test('the job names of the workflow file at the run’s commit, once stored, are not read again; no release means no link', async () => {
    const sha = h.seed.github.tags['v0.1.0b39'] ?? '';
    // As /sync-status or an earlier follow of a run at this commit would have left them; nine, more than the
    // fake's file declares, so a total of nine can only have come from the store.
    const names = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`job${i}`, `Job ${i}`]));
    await h.store.syncProjection.setWorkflowJobNames(h.seed.github.repo, RELEASE_YML, sha, names);
    const { afterDispatch } = await releaseToTheEnd(h, 'v0.1.0b39', { githubRelease: false });

    const after = h.github.requests.slice(afterDispatch);
    assert.deepEqual(unconditional(after), [`/actions/runs/:id/jobs 200`], 'only the new run’s jobs were asked without an ETag');
    assert.ok(!after.some((r) => r.path.includes('/contents/')), 'the workflow file was not read');
    const texts = updates(h).map((c) => JSON.stringify(c.args));
    assert.ok(
      texts.some((t) => /of 9 jobs done/.test(t)),
      `the stored count (9) is the total shown: ${texts.join('\n')}`,
    );
    assert.doesNotMatch(texts.at(-1) ?? '', /GitHub release/, 'no release on GitHub, no link');
  });
});
