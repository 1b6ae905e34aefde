import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RETENTION, type Store } from '../../src/store/index.js';
import { RELEASE_RUNS_READ } from '../../src/services/home.js';
import { storeBackends } from '../helpers/backends.js';

const DAY = 86_400_000;
const T0 = new Date('2026-12-04T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const OLD = -(RETENTION.projectionDays + 1) * DAY;
const REPO = 'olreppe/pyWATS';
const SYNC = '.github/workflows/sync.yml';
const PUBLISH = '.github/workflows/publish.yml';
const RELEASE = '.github/workflows/release.yml';

/** A run created `created` ms from T0 (ids grow with it), last changed at `updated`. */
const run = (runId: number, workflowPath: string, o: { created: number; updated?: number; status?: string; headBranch?: string }) => ({
  repo: REPO,
  runId,
  workflowPath,
  name: null,
  event: 'push',
  headBranch: o.headBranch ?? 'main',
  headSha: `sha-${runId}`,
  status: o.status ?? 'completed',
  conclusion: (o.status ?? 'completed') === 'completed' ? 'success' : null,
  runAttempt: 1,
  htmlUrl: null,
  createdAt: at(o.created),
  updatedAt: at(o.updated ?? o.created),
});

const job = (jobId: number, runId: number) => ({
  repo: REPO,
  jobId,
  runId,
  name: 'sync',
  status: 'completed',
  conclusion: 'success',
  startedAt: at(OLD),
  completedAt: at(OLD),
  failingStep: null,
  htmlUrl: null,
});

const runIds = async (s: Store) =>
  (await s.db.withTables<{ gh_runs: { run_id: number } }>().selectFrom('gh_runs').select('run_id').orderBy('run_id').execute()).map((r) => Number(r.run_id));

test('the runs kept per workflow cover the most any reader takes', () => {
  assert.ok(RETENTION.runsKeptPerWorkflow >= RELEASE_RUNS_READ, 'the App Home reads this many release runs');
});

for (const backend of storeBackends('projretention')) {
  describe(`projection retention on ${backend.name}`, () => {
    let stores: Store[] = [];
    after(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await backend.cleanup();
    });

    test('old runs, their jobs and names, spent alerts and announcements go; what the projection reads stays', async () => {
      stores = await backend.open();
      const [s, other = s] = stores as [Store, Store?];
      const gh = s.githubEvents;
      const base = OLD - 30 * DAY;

      // Sync: eight old completed runs. The newest five stay; of the three before, 102 changed lately (a re-run) and stays.
      for (let i = 1; i <= 8; i += 1) {
        const id = 100 + i;
        assert.ok(await gh.upsertRun(run(id, SYNC, { created: base + i * DAY, ...(id === 102 ? { updated: -DAY } : {}) })));
      }
      // Publish: one run, long ago: the latest of its workflow, so the projection still shows it.
      await gh.upsertRun(run(150, PUBLISH, { created: base }));
      // A sync run never completed (its last delivery lost), the oldest of all, stays: only completed runs are purged.
      await gh.upsertRun(run(160, SYNC, { created: base - DAY, status: 'in_progress' }));
      // Release: 200 on v1.0.0 (alert resolved), 201 on v3.0.0 (alert posted, open), 202 linked to v2.9.0 (alert scheduled),
      // then five newer runs: the first three are past the newest five.
      await gh.upsertRun(run(200, RELEASE, { created: base, headBranch: 'v1.0.0' }));
      await gh.upsertRun(run(201, RELEASE, { created: base + DAY, headBranch: 'v3.0.0' }));
      await gh.upsertRun(run(202, RELEASE, { created: base + 2 * DAY, headBranch: 'release-branch' }));
      for (let i = 3; i <= 7; i += 1) await gh.upsertRun(run(200 + i, RELEASE, { created: base + i * DAY, headBranch: `v0.${i}.0` }));
      await gh.tagSeen({ repo: REPO, tag: 'v2.9.0', sha: 'sha-202' }, at(OLD));
      await gh.setTagReleaseRun(REPO, 'v2.9.0', 202);

      for (const [jobId, runId] of [
        [1101, 101],
        [1103, 103],
        [1104, 104],
        [1200, 200],
        [1201, 201],
      ] as const) {
        assert.ok(await gh.upsertJob(job(jobId, runId)));
      }
      // A job whose run has not arrived yet (deliveries come in any order) is not an orphan to purge.
      assert.ok(await gh.upsertJob(job(1999, 999)));

      const names = s.syncProjection;
      await names.setWorkflowJobNames(REPO, SYNC, 'sha-101', { sync: 'Sync' });
      await names.setWorkflowJobNames(REPO, SYNC, 'sha-108', { sync: 'Sync' });
      await names.setWorkflowJobNames(REPO, SYNC, 'sha-gone', { sync: 'Sync' });

      const alerts = s.tagAlerts;
      const alert = async (tag: string, state: 'resolved' | 'settled' | 'posted' | 'scheduled', when: number) => {
        assert.ok(await alerts.schedule({ repo: REPO, tag, dueAt: at(when) }, at(when)));
        if (state !== 'scheduled') assert.ok(await alerts.move(REPO, tag, ['scheduled'], { state }, at(when)));
      };
      await alert('v1.0.0', 'resolved', OLD);
      await alert('v1.0.1', 'settled', OLD);
      await alert('v1.1.0', 'settled', -DAY);
      await alert('v3.0.0', 'posted', OLD);
      await alert('v2.9.0', 'scheduled', OLD);

      const ann = s.releaseAnnouncements;
      assert.ok(await ann.claim({ repo: REPO, runId: 200, channel: 'C1', shown: 'done' }, at(OLD)));
      assert.ok(await ann.claim({ repo: REPO, runId: 160, channel: 'C1', shown: 'running' }, at(OLD)));
      assert.ok(await ann.claim({ repo: REPO, runId: 207, channel: 'C1', shown: 'done' }, at(-DAY)));

      const counts = await other.retention.purge(T0);
      assert.deepEqual(
        {
          tagAlerts: counts.tagAlerts,
          releaseAnnouncements: counts.releaseAnnouncements,
          ghRuns: counts.ghRuns,
          ghJobs: counts.ghJobs,
          workflowJobNames: counts.workflowJobNames,
        },
        { tagAlerts: 2, releaseAnnouncements: 1, ghRuns: 3, ghJobs: 3, workflowJobNames: 2 },
      );
      assert.deepEqual(await runIds(s), [102, 104, 105, 106, 107, 108, 150, 160, 201, 202, 203, 204, 205, 206, 207]);

      // What the readers get is what they got before the purge.
      assert.equal((await gh.latestRuns(REPO, SYNC, 1))[0]?.runId, 108, 'the sync projection: the latest sync run');
      assert.deepEqual(
        (await gh.latestRuns(REPO, PUBLISH, 1)).map((r) => r.runId),
        [150],
        'the latest run of a workflow stays however old',
      );
      assert.deepEqual(
        (await gh.latestRuns(REPO, RELEASE, RELEASE_RUNS_READ)).map((r) => r.runId),
        [207, 206, 205, 204, 203],
        'the App Home: the newest release runs',
      );
      assert.deepEqual(
        (await gh.runsOnRef(REPO, 'v3.0.0', 5)).map((r) => r.runId),
        [201],
        'the run on a tag whose alert is open',
      );
      assert.equal((await gh.run(REPO, 202))?.runId, 202, 'the release run linked to a tag whose alert is open');
      assert.equal(await gh.runsOnRef(REPO, 'v1.0.0', 5).then((r) => r.length), 0, 'the run of a resolved alert went');

      assert.deepEqual(
        (await gh.jobsOf(REPO, 101)).map((j) => j.jobId),
        [],
        'a purged run takes its jobs',
      );
      assert.deepEqual(
        (await gh.jobsOf(REPO, 104)).map((j) => j.jobId),
        [1104],
      );
      assert.deepEqual(
        (await gh.jobsOf(REPO, 201)).map((j) => j.jobId),
        [1201],
      );
      assert.deepEqual(
        (await gh.jobsOf(REPO, 999)).map((j) => j.jobId),
        [1999],
        'a job ahead of its run stays',
      );

      assert.equal(await names.workflowJobNames(REPO, SYNC, 'sha-101'), null, 'the names of a purged run go');
      assert.equal(await names.workflowJobNames(REPO, SYNC, 'sha-gone'), null, 'names no run refers to go');
      assert.deepEqual(await names.workflowJobNames(REPO, SYNC, 'sha-108'), { sync: 'Sync' }, 'the names of the latest sync run stay');

      assert.equal(await alerts.get(REPO, 'v1.0.0'), null, 'an old resolved alert goes');
      assert.equal(await alerts.get(REPO, 'v1.0.1'), null, 'an old settled one too');
      assert.equal((await alerts.get(REPO, 'v1.1.0'))?.state, 'settled', 'a recent one stays');
      assert.equal((await alerts.get(REPO, 'v3.0.0'))?.state, 'posted', 'an open alert stays however old');
      assert.equal((await alerts.get(REPO, 'v2.9.0'))?.state, 'scheduled');

      assert.equal(await ann.get(REPO, 200), null, 'an old announcement of a completed run goes');
      assert.equal((await ann.get(REPO, 160))?.shown, 'running', 'the announcement of a run in progress stays');
      assert.equal((await ann.get(REPO, 207))?.shown, 'done', 'a recent announcement stays');

      const again = await s.retention.purge(T0);
      assert.deepEqual(
        [again.tagAlerts, again.releaseAnnouncements, again.ghRuns, again.ghJobs, again.workflowJobNames],
        [0, 0, 0, 0, 0],
        'nothing left to purge',
      );
    });
  });
}
