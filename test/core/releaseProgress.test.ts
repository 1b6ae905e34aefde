import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { JobInfo, WorkflowRunInfo } from '../../src/core/ports.js';
import {
  applyAction,
  emptyProgressMemory,
  MAX_REPLIES_PER_POLL,
  nextPollSeconds,
  planProgress,
  POLL,
  ProgressMemory,
  startProgress,
  type FollowedRelease,
  type ProgressAction,
  type ProgressPlan,
} from '../../src/services/releaseProgress.js';
import { job, run, step } from './builders.js';
import { allText, assertWithinLimits } from '../ui/slackLimits.js';

/**
 * /release v1.3.0 of jankins (fixtures/workflows/jankins-release.yml): build, then the SLSA
 * provenance reusable workflow and sign, then release and publish-pypi (environment `pypi`).
 */
const WEB = 'https://github.com/thecturner/jankins';
const RUN_ID = 22_000_000_001;
const RUN_URL = `${WEB}/actions/runs/${RUN_ID}`;
const RELEASE_URL = `${WEB}/releases/tag/v1.3.0`;
const NOW = new Date('2026-03-01T12:00:00.000Z');
const RELEASE: FollowedRelease = { repo: 'thecturner/jankins', repoName: 'jankins', tag: 'v1.3.0', workflow: 'release.yml', startedBy: 'UALICE01' };

const at = (s: number) => new Date(NOW.getTime() + s * 1000).toISOString().replace('.000Z', 'Z');

function releaseRun(over: Partial<WorkflowRunInfo> = {}): WorkflowRunInfo {
  return run({
    id: RUN_ID,
    runNumber: 12,
    name: 'Release',
    event: 'workflow_dispatch',
    status: 'in_progress',
    conclusion: null,
    headBranch: 'v1.3.0',
    displayTitle: 'Release',
    createdAt: at(0),
    runStartedAt: at(2),
    updatedAt: at(30),
    htmlUrl: RUN_URL,
    workflowPath: '.github/workflows/release.yml',
    ...over,
  });
}

type JobKey = 'build' | 'detect' | 'generator' | 'final' | 'sign' | 'release' | 'pypi';
const JOBS: Record<JobKey, { id: number; name: string; steps: string[] }> = {
  build: {
    id: 71_001,
    name: 'Build Distribution',
    steps: [
      'Set up job',
      'Run actions/checkout@v4',
      'Set up Python',
      'Install build dependencies',
      'Build distributions',
      'Generate hashes',
      'Upload distributions',
      'Complete job',
    ],
  },
  detect: { id: 71_002, name: 'Generate SLSA Provenance / detect-env', steps: ['Set up job', 'Detect the generator ref', 'Complete job'] },
  generator: {
    id: 71_003,
    name: 'Generate SLSA Provenance / generator',
    steps: ['Set up job', 'Generate builder', 'Create and sign provenance', 'Complete job'],
  },
  final: { id: 71_004, name: 'Generate SLSA Provenance / final', steps: ['Set up job', 'Upload assets', 'Complete job'] },
  sign: {
    id: 71_005,
    name: 'Sign Release',
    steps: ['Set up job', 'Download distributions', 'Install Sigstore', 'Sign distributions', 'Upload signatures', 'Complete job'],
  },
  release: {
    id: 71_006,
    name: 'Create GitHub Release',
    steps: ['Set up job', 'Run actions/checkout@v4', 'Generate release notes', 'Create GitHub Release', 'Complete job'],
  },
  pypi: { id: 71_007, name: 'Publish to PyPI', steps: ['Set up job', 'Download distributions', 'Publish to PyPI', 'Complete job'] },
};

/** A jankins job in a given state; `failAt` names the failing step; times in seconds after NOW. */
function jj(
  key: JobKey,
  state: 'queued' | 'in_progress' | 'waiting' | 'success' | 'failure' | 'cancelled' | 'skipped' | 'timed_out',
  o: { start?: number; end?: number; failAt?: string; over?: Partial<JobInfo> } = {},
): JobInfo {
  const d = JOBS[key];
  const completed = !['queued', 'in_progress', 'waiting'].includes(state);
  const started = state !== 'queued' && state !== 'waiting';
  return job({
    id: d.id,
    runId: RUN_ID,
    name: d.name,
    status: completed ? 'completed' : (state as JobInfo['status']),
    conclusion: completed ? (state as JobInfo['conclusion']) : null,
    startedAt: started ? at(o.start ?? 5) : null,
    completedAt: completed ? at(o.end ?? 65) : null,
    htmlUrl: `${RUN_URL}/job/${d.id}`,
    steps:
      state === 'success'
        ? d.steps.map((s, i) => step(i + 1, s))
        : completed && o.failAt
          ? d.steps.map((s, i) =>
              step(i + 1, s, s === o.failAt ? (state === 'timed_out' ? 'cancelled' : 'failure') : d.steps.indexOf(o.failAt!) < i ? 'skipped' : 'success'),
            )
          : [],
    ...o.over,
  });
}

/** The whole run on the happy path, at a point in time. */
function jobsAt(point: 'build' | 'middle' | 'last' | 'done'): JobInfo[] {
  const build = point === 'build' ? jj('build', 'in_progress') : jj('build', 'success', { start: 5, end: 65 });
  if (point === 'build') return [build];
  const middle = [
    build,
    jj('detect', 'success', { start: 70, end: 80 }),
    jj('generator', point === 'middle' ? 'in_progress' : 'success', { start: 81, end: 150 }),
    jj('final', point === 'middle' ? 'queued' : 'success', { start: 151, end: 170 }),
    jj('sign', 'success', { start: 70, end: 110 }),
  ];
  if (point === 'middle') return middle;
  return [
    ...middle,
    jj('release', point === 'last' ? 'in_progress' : 'success', { start: 175, end: 200 }),
    jj('pypi', point === 'last' ? 'in_progress' : 'success', { start: 175, end: 300 }),
  ];
}

/** Runs planProgress and checks every message it plans against Slack's limits. */
function plan(o: { run: WorkflowRunInfo | null; jobs?: JobInfo[]; memory: ProgressMemory; release?: FollowedRelease; now?: Date }): ProgressPlan {
  const p = planProgress({ release: o.release ?? RELEASE, run: o.run, jobs: o.jobs ?? [], memory: o.memory, now: o.now ?? NOW });
  for (const a of p.actions) if (a.kind !== 'finish') assertWithinLimits(a.message);
  return p;
}

/** What the caller stores between polls: JSON, parsed back with the schema. */
const stored = (m: ProgressMemory) => ProgressMemory.parse(JSON.parse(JSON.stringify(m)));
const kinds = (actions: ProgressAction[]) => actions.map((a) => a.kind);
const mainText = (p: ProgressPlan) => {
  const a = p.actions.find((x) => x.kind === 'update_main');
  assert.ok(a && a.kind === 'update_main', 'expected an update of the main message');
  return `${a.message.text}\n${allText(a.message)}`;
};
const replies = (p: ProgressPlan) => p.actions.filter((a): a is Extract<ProgressAction, { kind: 'thread_reply' }> => a.kind === 'thread_reply');

describe('planProgress: a release that succeeds', () => {
  test('the first message says who started what, and that GitHub has not started the run yet', () => {
    const start = startProgress(RELEASE, NOW);
    assertWithinLimits(start.message);
    assert.match(start.message.text, /^Release v1\.3\.0 of jankins, started by <@UALICE01>/);
    assert.match(allText(start.message), /Queued:\* waiting for GitHub to start the run of `release\.yml`/);
    assert.equal(start.nextPollSeconds, POLL.shortSeconds);
    // The first poll that still sees no run says nothing new, and backs off.
    const p = plan({ run: null, memory: stored(start.memory) });
    assert.deepEqual(p.actions, []);
    assert.equal(p.nextPollSeconds, 8);
  });

  test('queued, running, each job finishing, then the final message with duration and links, and finish', () => {
    let memory = stored(startProgress(RELEASE, NOW).memory);
    const step1 = plan({ run: releaseRun({ status: 'queued', runStartedAt: null }), memory });
    assert.deepEqual(kinds(step1.actions), ['update_main']);
    assert.match(mainText(step1), /\*Queued:\* the run waits for a runner/);
    assert.match(mainText(step1), new RegExp(`<${RUN_URL}\\|Run #12>`));
    assert.equal(step1.nextPollSeconds, POLL.shortSeconds);
    memory = stored(step1.memory);

    const step2 = plan({ run: releaseRun(), jobs: jobsAt('build'), memory });
    assert.match(mainText(step2), /In progress:\* 0 done of the 1 job so far/);
    assert.match(mainText(step2), /:hourglass_flowing_sand: Build Distribution · running/);
    memory = stored(step2.memory);

    const step3 = plan({ run: releaseRun(), jobs: jobsAt('middle'), memory });
    const t3 = mainText(step3);
    assert.match(t3, /3 done of the 5 jobs so far/);
    assert.match(t3, /:white_check_mark: Build Distribution · 1m/);
    assert.match(t3, /:white_check_mark: Sign Release · 40s/);
    assert.match(t3, /\*Generate SLSA Provenance\* · running/, 'the reusable workflow is grouped under its caller');
    assert.match(t3, /↳ :white_check_mark: detect-env · 10s/);
    memory = stored(step3.memory);

    const step4 = plan({ run: releaseRun(), jobs: jobsAt('last'), memory });
    assert.match(mainText(step4), /5 done of the 7 jobs so far/);
    assert.match(mainText(step4), /:white_check_mark: \*Generate SLSA Provenance\* · 1m 40s/);
    memory = stored(step4.memory);

    const done = releaseRun({ status: 'completed', conclusion: 'success', updatedAt: at(312) });
    const last = plan({ run: done, jobs: jobsAt('done'), memory, release: { ...RELEASE, releaseUrl: RELEASE_URL } });
    assert.deepEqual(kinds(last.actions), ['update_main', 'finish']);
    const t = mainText(last);
    assert.match(t, /:white_check_mark: \*Released\* in 5m 10s\./);
    assert.match(t, new RegExp(`<${RELEASE_URL}\\|GitHub release v1\\.3\\.0>`));
    assert.match(t, new RegExp(`<${RUN_URL}\\|Run #12>`));
    assert.match(t, /:white_check_mark: Publish to PyPI · 2m 5s/);
    assert.match(t, /^Release v1\.3\.0 of jankins, started by <@UALICE01>: released in 5m 10s/);
    assert.equal(last.nextPollSeconds, null);
    assert.equal(last.memory.finished, true);

    // Finished is finished: a late poll (or a restart) does nothing.
    const after = plan({ run: done, jobs: jobsAt('done'), memory: stored(last.memory), release: { ...RELEASE, releaseUrl: RELEASE_URL } });
    assert.deepEqual(after, { actions: [], memory: stored(last.memory), nextPollSeconds: null });
  });

  test('a completed run without a GitHub release links the run only', () => {
    const p = plan({
      run: releaseRun({ status: 'completed', conclusion: 'success', updatedAt: at(312) }),
      jobs: jobsAt('done'),
      memory: emptyProgressMemory(),
      release: { ...RELEASE, releaseUrl: null },
    });
    assert.doesNotMatch(mainText(p), /GitHub release/);
    assert.match(mainText(p), /Run #12/);
  });
});

describe('planProgress: unchanged state and back-off', () => {
  test('an unchanged poll plans no update and polls less often, a change resets to short', () => {
    const jobs = jobsAt('middle');
    let p = plan({ run: releaseRun(), jobs, memory: emptyProgressMemory() });
    assert.deepEqual(kinds(p.actions), ['update_main']);
    const seen: Array<number | null> = [p.nextPollSeconds];
    for (let i = 0; i < 8; i++) {
      p = plan({ run: releaseRun({ updatedAt: at(40 + i) }), jobs, memory: stored(p.memory), now: new Date(NOW.getTime() + i * 60_000) });
      assert.deepEqual(p.actions, [], 'nothing changed: no chat.update');
      seen.push(p.nextPollSeconds);
    }
    assert.deepEqual(seen, [5, 8, 12, 18, 27, 41, 60, 60, 60]);
    assert.equal(p.memory.lastChangeAt, NOW.toISOString(), 'the last change is remembered, not the last poll');
    p = plan({ run: releaseRun(), jobs: jobsAt('last'), memory: stored(p.memory) });
    assert.deepEqual(kinds(p.actions), ['update_main']);
    assert.equal(p.nextPollSeconds, POLL.shortSeconds);
  });

  test('the schedule on its own', () => {
    assert.equal(nextPollSeconds({ phase: 'completed', changed: true, previousSeconds: 5 }), null);
    assert.equal(nextPollSeconds({ phase: 'waiting_approval', changed: true, previousSeconds: undefined }), POLL.approvalSeconds);
    assert.equal(nextPollSeconds({ phase: 'queued', changed: false, previousSeconds: undefined }), POLL.shortSeconds);
    assert.equal(nextPollSeconds({ phase: 'running', changed: false, previousSeconds: 60 }), POLL.maxSeconds);
    assert.equal(nextPollSeconds({ phase: 'running', changed: true, previousSeconds: 60 }), POLL.shortSeconds);
  });
});

describe('planProgress: failed jobs', () => {
  const failingSign = () => [
    jj('build', 'success', { start: 5, end: 65 }),
    jj('detect', 'success', { start: 70, end: 80 }),
    jj('generator', 'in_progress'),
    jj('sign', 'failure', { start: 70, end: 95, failAt: 'Sign distributions' }),
  ];

  test('one reply in the thread with the failing step and the link, never twice', () => {
    const first = plan({ run: releaseRun(), jobs: failingSign(), memory: emptyProgressMemory() });
    assert.deepEqual(kinds(first.actions), ['update_main', 'thread_reply']);
    assert.match(mainText(first), new RegExp(`:x: <${RUN_URL}/job/71005\\|Sign Release> · failed after 25s`));
    const [reply] = replies(first);
    assert.ok(reply);
    assert.equal(reply.jobId, JOBS.sign.id);
    const text = allText(reply.message);
    assert.match(text, /<@UALICE01> the job \*Sign Release\* failed at step `Sign distributions`/);
    assert.match(text, new RegExp(`<${RUN_URL}/job/71005\\|Open the job log>`));
    assert.match(reply.message.text, /Sign Release failed at step "Sign distributions"/);

    // Next poll, same state: nothing. After a restart (memory through JSON): still nothing.
    const again = plan({ run: releaseRun(), jobs: failingSign(), memory: first.memory });
    assert.deepEqual(again.actions, []);
    const restarted = plan({ run: releaseRun(), jobs: failingSign(), memory: stored(again.memory) });
    assert.deepEqual(restarted.actions, []);

    // The run ends in failure: the final update and finish, but no second reply.
    const jobs = [
      ...failingSign().filter((j) => j.id !== JOBS.generator.id),
      jj('generator', 'success', { start: 81, end: 150 }),
      jj('release', 'skipped'),
      jj('pypi', 'skipped'),
    ];
    const end = plan({ run: releaseRun({ status: 'completed', conclusion: 'failure', updatedAt: at(160) }), jobs, memory: stored(restarted.memory) });
    assert.deepEqual(kinds(end.actions), ['update_main', 'finish']);
    assert.match(mainText(end), /:x: \*Failed\* after 2m 38s\. 1 job failed: details in the thread\./);
    assert.match(mainText(end), /:fast_forward: Publish to PyPI · skipped/);
    assert.deepEqual(end.memory.postedFailureJobIds, [JOBS.sign.id]);
  });

  test('a reply that could not be posted is planned again, the update that was done is not', () => {
    const first = plan({ run: releaseRun(), jobs: failingSign(), memory: emptyProgressMemory() });
    const [update] = first.actions;
    assert.ok(update);
    // The caller did the update, then chat.postMessage failed: it stores only what was done.
    const partial = stored(applyAction(emptyProgressMemory(), update));
    const retry = plan({ run: releaseRun(), jobs: failingSign(), memory: partial });
    assert.deepEqual(kinds(retry.actions), ['thread_reply']);
    assert.equal(replies(retry)[0]?.jobId, JOBS.sign.id);
  });

  test('a job that timed out names the step it was cut in; a failed job with no failed step says so', () => {
    const jobs = [
      jj('build', 'success'),
      jj('generator', 'timed_out', { failAt: 'Create and sign provenance' }),
      jj('sign', 'failure', { over: { steps: [] } }),
    ];
    const p = plan({ run: releaseRun(), jobs, memory: emptyProgressMemory() });
    const texts = replies(p).map((r) => allText(r.message));
    assert.equal(texts.length, 2);
    assert.match(texts[0] ?? '', /\*Generate SLSA Provenance \/ generator\* timed out at step `Create and sign provenance`/);
    assert.match(texts[1] ?? '', /\*Sign Release\* failed\. /);
    assert.match(texts[1] ?? '', /No step is marked as failed/);
  });

  test('a re-run (attempt 2) has new job ids: its failures are replied too', () => {
    const first = plan({ run: releaseRun(), jobs: failingSign(), memory: emptyProgressMemory() });
    const rerunJobs = failingSign().map((j) => ({ ...j, id: j.id + 1000, htmlUrl: `${RUN_URL}/job/${j.id + 1000}` }));
    const p = plan({ run: releaseRun({ runAttempt: 2 }), jobs: rerunJobs, memory: stored(first.memory) });
    assert.deepEqual(
      replies(p).map((r) => r.jobId),
      [JOBS.sign.id + 1000],
    );
    assert.match(mainText(p), /Run #12 \(attempt 2\)/);
  });

  test('many failures arrive a few per poll, and finish waits for the last reply', () => {
    const jobs = Array.from({ length: 25 }, (_, i) =>
      job({ id: 80_000 + i, runId: RUN_ID, name: `test (py3.${i})`, conclusion: 'failure', steps: [step(1, 'Set up job'), step(2, 'Run tests', 'failure')] }),
    );
    const done = releaseRun({ status: 'completed', conclusion: 'failure', updatedAt: at(100) });
    let memory = emptyProgressMemory();
    const posted: number[] = [];
    const rounds: string[][] = [];
    for (let i = 0; i < 5 && !memory.finished; i++) {
      const p = plan({ run: done, jobs, memory });
      rounds.push(kinds(p.actions));
      posted.push(...replies(p).map((r) => r.jobId));
      assert.ok(replies(p).length <= MAX_REPLIES_PER_POLL);
      if (!p.memory.finished) assert.equal(p.nextPollSeconds, POLL.shortSeconds);
      memory = stored(p.memory);
    }
    assert.equal(rounds.length, 3);
    assert.equal(rounds[0]?.[0], 'update_main');
    assert.deepEqual(rounds[2]?.at(-1), 'finish');
    assert.deepEqual([...posted].sort(), jobs.map((j) => j.id).sort(), 'every failure once');
  });
});

describe('planProgress: approvals, cancellation, limits', () => {
  test('a job waiting on its environment is shown with the review link, and polled slowly', () => {
    const jobs = [
      ...jobsAt('last').filter((j) => j.id !== JOBS.pypi.id && j.id !== JOBS.release.id),
      jj('release', 'success', { start: 175, end: 200 }),
      jj('pypi', 'waiting'),
    ];
    const p = plan({ run: releaseRun({ status: 'waiting' }), jobs, memory: emptyProgressMemory() });
    const t = mainText(p);
    assert.match(t, /:raised_hand: \*Waiting for approval:\* \*Publish to PyPI\* waits for a required reviewer of its environment\./);
    assert.match(t, new RegExp(`<${RUN_URL}\\|Review the deployment>`));
    assert.match(t, new RegExp(`:raised_hand: <${RUN_URL}/job/71007\\|Publish to PyPI> · waiting for approval`));
    assert.match(p.actions[0]?.kind === 'update_main' ? p.actions[0].message.text : '', /: waiting for approval$/);
    assert.equal(p.nextPollSeconds, POLL.approvalSeconds);
    const still = plan({ run: releaseRun({ status: 'waiting' }), jobs, memory: stored(p.memory) });
    assert.deepEqual(still.actions, []);
    assert.equal(still.nextPollSeconds, POLL.approvalSeconds);
  });

  test('a cancelled run ends with "Cancelled", its cancelled jobs get no reply', () => {
    const jobs = [
      jj('build', 'success', { start: 5, end: 65 }),
      jj('sign', 'cancelled', { start: 70, end: 80 }),
      jj('generator', 'cancelled', { start: 70, end: 79 }),
    ];
    const p = plan({ run: releaseRun({ status: 'completed', conclusion: 'cancelled', updatedAt: at(82) }), jobs, memory: emptyProgressMemory() });
    assert.deepEqual(kinds(p.actions), ['update_main', 'finish']);
    assert.match(mainText(p), /:no_entry_sign: \*Cancelled\* after 1m 20s\./);
    assert.match(mainText(p), /:no_entry_sign: Sign Release · cancelled after 10s/);
    assert.equal(p.nextPollSeconds, null);
  });

  test('with the workflow file read, the count is of the jobs it declares from the first poll (a reusable workflow counts once)', () => {
    // jankins' release.yml declares build, provenance (a reusable workflow), sign, release and pypi.
    const release: FollowedRelease = { ...RELEASE, declaredJobs: 5 };
    const memory = emptyProgressMemory();
    assert.match(mainText(plan({ release, run: releaseRun(), jobs: jobsAt('build'), memory })), /In progress:\* 0 of 5 jobs done/);
    assert.match(mainText(plan({ release, run: releaseRun(), jobs: jobsAt('middle'), memory })), /In progress:\* 2 of 5 jobs done/);
    assert.match(mainText(plan({ release, run: releaseRun(), jobs: jobsAt('last'), memory })), /In progress:\* 3 of 5 jobs done/);
    // A file that declares fewer than GitHub shows (edited since) never yields "6 of 5".
    assert.match(mainText(plan({ release: { ...RELEASE, declaredJobs: 2 }, run: releaseRun(), jobs: jobsAt('last'), memory })), /3 of 5 jobs done/);
    // Unreadable file: no total is claimed.
    const unknown = mainText(plan({ release: { ...RELEASE, declaredJobs: null }, run: releaseRun(), jobs: jobsAt('build'), memory }));
    assert.match(unknown, /0 done of the 1 job so far/);
    assert.doesNotMatch(unknown, /0 of 1 job/);
  });

  test('the workflow is named by its file, not its numeric id', () => {
    const release: FollowedRelease = { ...RELEASE, workflow: '150000002', workflowFile: 'release.yml' };
    const t = allText(startProgress(release, NOW).message);
    assert.match(t, /start the run of `release\.yml`/);
    assert.doesNotMatch(t, /150000002/);
    const done = mainText(plan({ release, run: releaseRun(), jobs: jobsAt('build'), memory: emptyProgressMemory() }));
    assert.match(done, /workflow `release\.yml` on `v1\.3\.0`/);
    assert.doesNotMatch(done, /150000002/);
  });

  test('a run with 200 jobs stays within Slack limits', () => {
    const jobs = Array.from({ length: 200 }, (_, i) =>
      job({
        id: 90_000 + i,
        runId: RUN_ID,
        name: `${i % 2 ? 'Matrix <caller> & co' : 'Integration'} / test ${'x'.repeat(i % 7 === 0 ? 300 : 20)} (${i})`,
        status: i % 3 === 0 ? 'in_progress' : 'completed',
        conclusion: i % 3 === 0 ? null : 'success',
        completedAt: i % 3 === 0 ? null : '2026-02-01T11:44:00Z',
      }),
    );
    const p = plan({ run: releaseRun(), jobs, memory: emptyProgressMemory() });
    assert.equal(p.actions.length, 1);
    const t = mainText(p);
    assert.match(t, /133 done of the 200 jobs so far/);
    assert.match(t, /Matrix &lt;caller&gt; &amp; co/);
  });

  test('memory round-trips through its schema, defaults fill what an older version did not write', () => {
    const first = plan({ run: releaseRun(), jobs: [jj('sign', 'failure', { failAt: 'Sign distributions' })], memory: emptyProgressMemory() });
    assert.deepEqual(stored(first.memory), first.memory);
    assert.deepEqual(ProgressMemory.parse({}), { postedFailureJobIds: [], finished: false });
    assert.equal(ProgressMemory.safeParse({ postedFailureJobIds: ['71005'] }).success, false);
    assert.equal(ProgressMemory.safeParse({ lastPollSeconds: -1 }).success, false);
  });
});
