import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { guard, ms } from './guard.js';
import type { AutoId, Database, Ms, NullableMs } from './schema.js';
import type { JobFact, RunFact, StepFact } from '../core/events/facts.js';

/** The tables of migrations 0013/0014 (kept here: only this module reads them). */
export type GitHubEventTables = {
  github_deliveries: { seq: AutoId; delivery_id: string; repo: string; event: string; payload: string; received_at: Ms; applied_at: NullableMs };
  gh_runs: {
    repo: string;
    run_id: number;
    workflow_path: string | null;
    name: string | null;
    event: string | null;
    head_branch: string | null;
    head_sha: string | null;
    status: string;
    conclusion: string | null;
    run_attempt: number;
    html_url: string | null;
    created_at: NullableMs;
    updated_at: Ms;
    /** 0015: shown by /sync-status; null for rows written before it. */
    run_number: number | null;
    display_title: string | null;
    run_started_at: NullableMs;
    /** 0017: who started the run and this attempt; null for rows written before it. */
    actor: string | null;
    triggering_actor: string | null;
  };
  gh_jobs: {
    repo: string;
    job_id: number;
    run_id: number;
    name: string;
    status: string;
    conclusion: string | null;
    started_at: NullableMs;
    completed_at: NullableMs;
    failing_step: string | null;
    html_url: string | null;
    diagnosis: string | null;
    /** 0015: JSON of the job's steps; 0015's log findings are read by syncProjection.ts. */
    steps: string | null;
  };
  gh_tags: { repo: string; tag: string; sha: string | null; seen_at: Ms; release_run_id: number | null };
  sync_alerts: { repo: string; channel: string; message_ts: string | null; state: string; failures: number; last_job_id: number; updated_at: Ms };
};

export interface StoredDelivery {
  seq: number;
  deliveryId: string;
  repo: string;
  event: string;
  payload: unknown;
}

/** A run, a step and a job as the projection keeps them: the facts a delivery gave (workflow id aside), per repository. */
export type RunRow = Omit<RunFact, 'workflowId'> & { repo: string };
export type StepRow = StepFact;
export type JobRow = JobFact & { repo: string };

export interface TagRow {
  repo: string;
  tag: string;
  sha: string | null;
  seenAt: Date;
  releaseRunId: number | null;
}

export interface SyncAlertRow {
  repo: string;
  channel: string;
  /** Null between saving the row and Slack's answer (services/events/syncAlerts.ts says what a crash there leaves). */
  messageTs: string | null;
  state: 'failing' | 'recovered';
  failures: number;
  lastJobId: number;
  updatedAt: Date;
}

export interface GitHubEvents {
  /** Stores a delivery; false when its id was stored before (a redelivery or a replay). */
  store(d: { deliveryId: string; repo: string; event: string; payload: unknown }, now: Date): Promise<boolean>;
  /** A repository's deliveries not applied yet, oldest first. */
  pending(repo: string, limit: number): Promise<StoredDelivery[]>;
  markApplied(seq: number, now: Date): Promise<void>;
  /** Repositories with a delivery not applied yet (for the sweep that restarts their jobs). */
  reposWithPending(): Promise<string[]>;
  deliveryCount(): Promise<number>;
  /** Deletes deliveries applied before `before` (never one not applied yet); returns how many. */
  purgeApplied(before: Date): Promise<number>;

  /** Writes a run unless the stored one is newer (a later attempt or update); true when it wrote. */
  upsertRun(r: RunRow): Promise<boolean>;
  /** Writes a job unless the stored one is further along (completed stays completed). */
  upsertJob(j: JobRow): Promise<boolean>;
  setJobDiagnosis(repo: string, jobId: number, diagnosis: unknown): Promise<void>;
  jobDiagnosis(repo: string, jobId: number): Promise<unknown>;
  run(repo: string, runId: number): Promise<RunRow | null>;
  /** The newest runs of one workflow file (by creation), at most `limit`. */
  latestRuns(repo: string, workflowPath: string, limit: number): Promise<RunRow[]>;
  /** The runs of `ref` (a run's head branch is the tag it ran on), newest first, at most `limit`. */
  runsOnRef(repo: string, ref: string, limit: number): Promise<RunRow[]>;
  jobsOf(repo: string, runId: number): Promise<JobRow[]>;

  /** Records a tag the first time it is seen; true then, false after. */
  tagSeen(t: { repo: string; tag: string; sha: string | null }, now: Date): Promise<boolean>;
  tag(repo: string, tag: string): Promise<TagRow | null>;
  /** Links a release run to a tag (the first run seen for it stays). */
  setTagReleaseRun(repo: string, tag: string, runId: number): Promise<void>;

  syncAlert(repo: string): Promise<SyncAlertRow | null>;
  saveSyncAlert(a: SyncAlertRow): Promise<void>;
  clearSyncAlert(repo: string): Promise<void>;
}

const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const d = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));
const msOrNull = (v: Date | null) => (v === null ? null : ms(v));

const STATUS_RANK: Record<string, number> = { requested: 0, waiting: 1, pending: 1, queued: 2, in_progress: 3, completed: 4 };
const rank = (s: string) => STATUS_RANK[s] ?? 0;

/** A gh_runs row as the projection's run (every module reading gh_runs maps it here). */
export const toRun = (r: Record<string, unknown>): RunRow => ({
  repo: String(r.repo),
  runId: Number(r.run_id),
  workflowPath: (r.workflow_path as string | null) ?? null,
  name: (r.name as string | null) ?? null,
  event: (r.event as string | null) ?? null,
  headBranch: (r.head_branch as string | null) ?? null,
  headSha: (r.head_sha as string | null) ?? null,
  status: String(r.status),
  conclusion: (r.conclusion as string | null) ?? null,
  runAttempt: Number(r.run_attempt),
  htmlUrl: (r.html_url as string | null) ?? null,
  createdAt: d(r.created_at),
  updatedAt: new Date(Number(r.updated_at)),
  runNumber: n(r.run_number),
  displayTitle: (r.display_title as string | null) ?? null,
  runStartedAt: d(r.run_started_at),
  actor: (r.actor as string | null) ?? null,
  triggeringActor: (r.triggering_actor as string | null) ?? null,
});

export function githubEvents(base: Kysely<Database>): GitHubEvents {
  const db = base.withTables<GitHubEventTables>();

  const toJob = (r: Record<string, unknown>): JobRow => ({
    repo: String(r.repo),
    jobId: Number(r.job_id),
    runId: Number(r.run_id),
    name: String(r.name),
    status: String(r.status),
    conclusion: (r.conclusion as string | null) ?? null,
    startedAt: d(r.started_at),
    completedAt: d(r.completed_at),
    failingStep: (r.failing_step as string | null) ?? null,
    htmlUrl: (r.html_url as string | null) ?? null,
    steps: typeof r.steps === 'string' ? (JSON.parse(r.steps) as StepRow[]) : null,
  });

  /** A repository's newest runs (by creation) with `column` = `value`. */
  const newestRuns = async (repo: string, column: 'workflow_path' | 'head_branch', value: string, limit: number) => {
    const rows = await db
      .selectFrom('gh_runs')
      .selectAll()
      .where('repo', '=', repo)
      .where(column, '=', value)
      .orderBy('created_at', 'desc')
      .orderBy('run_id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toRun(r as unknown as Record<string, unknown>));
  };

  return {
    store: (x, now) =>
      guard('githubEvents.store', async () => {
        const r = await db
          .insertInto('github_deliveries')
          .values({ delivery_id: x.deliveryId, repo: x.repo, event: x.event, payload: JSON.stringify(x.payload), received_at: ms(now), applied_at: null })
          .onConflict((oc) => oc.column('delivery_id').doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    pending: (repo, limit) =>
      guard('githubEvents.pending', async () => {
        const rows = await db
          .selectFrom('github_deliveries')
          .select(['seq', 'delivery_id', 'repo', 'event', 'payload'])
          .where('repo', '=', repo)
          .where('applied_at', 'is', null)
          .orderBy('seq')
          .limit(limit)
          .execute();
        return rows.map((r) => ({ seq: Number(r.seq), deliveryId: r.delivery_id, repo: r.repo, event: r.event, payload: JSON.parse(r.payload) as unknown }));
      }),
    markApplied: (seq, now) =>
      guard('githubEvents.markApplied', async () => {
        await db
          .updateTable('github_deliveries')
          .set({ applied_at: ms(now) })
          .where('seq', '=', seq)
          .execute();
      }),
    reposWithPending: () =>
      guard('githubEvents.reposWithPending', async () => {
        const rows = await db.selectFrom('github_deliveries').select('repo').distinct().where('applied_at', 'is', null).execute();
        return rows.map((r) => r.repo);
      }),
    deliveryCount: () =>
      guard('githubEvents.deliveryCount', async () => {
        const r = await db
          .selectFrom('github_deliveries')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        return Number(r.n);
      }),
    purgeApplied: (before) =>
      guard('githubEvents.purgeApplied', async () => {
        const r = await db.deleteFrom('github_deliveries').where('applied_at', 'is not', null).where('applied_at', '<', ms(before)).executeTakeFirst();
        return Number(r.numDeletedRows);
      }),

    upsertRun: (r) =>
      guard('githubEvents.upsertRun', async () => {
        const values = {
          repo: r.repo,
          run_id: r.runId,
          workflow_path: r.workflowPath,
          name: r.name,
          event: r.event,
          head_branch: r.headBranch,
          head_sha: r.headSha,
          status: r.status,
          conclusion: r.conclusion,
          run_attempt: r.runAttempt,
          html_url: r.htmlUrl,
          created_at: msOrNull(r.createdAt),
          updated_at: ms(r.updatedAt),
          run_number: r.runNumber ?? null,
          display_title: r.displayTitle ?? null,
          run_started_at: msOrNull(r.runStartedAt ?? null),
          actor: r.actor ?? null,
          triggering_actor: r.triggeringActor ?? null,
        };
        const { repo: _repo, run_id: _id, ...changes } = values;
        const res = await db
          .insertInto('gh_runs')
          .values(values)
          .onConflict((oc) =>
            oc
              .columns(['repo', 'run_id'])
              .doUpdateSet(changes)
              // A fact older than what is stored (out of order, or applied again) changes nothing.
              .where((eb) =>
                eb.or([
                  eb('gh_runs.run_attempt', '<', r.runAttempt),
                  eb.and([eb('gh_runs.run_attempt', '=', r.runAttempt), eb('gh_runs.updated_at', '<', ms(r.updatedAt))]),
                  eb.and([
                    eb('gh_runs.run_attempt', '=', r.runAttempt),
                    eb('gh_runs.updated_at', '=', ms(r.updatedAt)),
                    eb('gh_runs.status', '!=', r.status),
                    sql<boolean>`${r.status} = 'completed'`,
                  ]),
                ]),
              ),
          )
          .executeTakeFirst();
        return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
      }),
    upsertJob: (j) =>
      guard('githubEvents.upsertJob', async () => {
        const values = {
          repo: j.repo,
          job_id: j.jobId,
          run_id: j.runId,
          name: j.name,
          status: j.status,
          conclusion: j.conclusion,
          started_at: msOrNull(j.startedAt),
          completed_at: msOrNull(j.completedAt),
          failing_step: j.failingStep,
          html_url: j.htmlUrl,
          diagnosis: null,
          steps: j.steps ? JSON.stringify(j.steps) : null,
        };
        const { repo: _repo, job_id: _id, diagnosis: _d, ...changes } = values;
        const lowerRanks = Object.entries(STATUS_RANK)
          .filter(([, v]) => v < rank(j.status))
          .map(([k]) => k);
        const res = await db
          .insertInto('gh_jobs')
          .values(values)
          .onConflict((oc) =>
            oc
              .columns(['repo', 'job_id'])
              .doUpdateSet(changes)
              .where('gh_jobs.status', 'in', lowerRanks.length > 0 ? lowerRanks : ['-']),
          )
          .executeTakeFirst();
        return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
      }),
    setJobDiagnosis: (repo, jobId, diagnosis) =>
      guard('githubEvents.setJobDiagnosis', async () => {
        await db
          .updateTable('gh_jobs')
          .set({ diagnosis: JSON.stringify(diagnosis) })
          .where('repo', '=', repo)
          .where('job_id', '=', jobId)
          .execute();
      }),
    jobDiagnosis: (repo, jobId) =>
      guard('githubEvents.jobDiagnosis', async () => {
        const r = await db.selectFrom('gh_jobs').select('diagnosis').where('repo', '=', repo).where('job_id', '=', jobId).executeTakeFirst();
        return r?.diagnosis ? (JSON.parse(r.diagnosis) as unknown) : null;
      }),
    run: (repo, runId) =>
      guard('githubEvents.run', async () => {
        const r = await db.selectFrom('gh_runs').selectAll().where('repo', '=', repo).where('run_id', '=', runId).executeTakeFirst();
        return r ? toRun(r as unknown as Record<string, unknown>) : null;
      }),
    latestRuns: (repo, workflowPath, limit) => guard('githubEvents.latestRuns', () => newestRuns(repo, 'workflow_path', workflowPath, limit)),
    runsOnRef: (repo, ref, limit) => guard('githubEvents.runsOnRef', () => newestRuns(repo, 'head_branch', ref, limit)),
    jobsOf: (repo, runId) =>
      guard('githubEvents.jobsOf', async () => {
        const rows = await db.selectFrom('gh_jobs').selectAll().where('repo', '=', repo).where('run_id', '=', runId).orderBy('job_id').execute();
        return rows.map((r) => toJob(r as unknown as Record<string, unknown>));
      }),

    tagSeen: (t, now) =>
      guard('githubEvents.tagSeen', async () => {
        const r = await db
          .insertInto('gh_tags')
          .values({ repo: t.repo, tag: t.tag, sha: t.sha, seen_at: ms(now), release_run_id: null })
          .onConflict((oc) => oc.columns(['repo', 'tag']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      }),
    tag: (repo, tag) =>
      guard('githubEvents.tag', async () => {
        const r = await db.selectFrom('gh_tags').selectAll().where('repo', '=', repo).where('tag', '=', tag).executeTakeFirst();
        return r ? { repo: r.repo, tag: r.tag, sha: r.sha, seenAt: new Date(Number(r.seen_at)), releaseRunId: n(r.release_run_id) } : null;
      }),
    setTagReleaseRun: (repo, tag, runId) =>
      guard('githubEvents.setTagReleaseRun', async () => {
        await db
          .updateTable('gh_tags')
          .set({ release_run_id: runId })
          .where('repo', '=', repo)
          .where('tag', '=', tag)
          .where('release_run_id', 'is', null)
          .execute();
      }),

    syncAlert: (repo) =>
      guard('githubEvents.syncAlert', async () => {
        const r = await db.selectFrom('sync_alerts').selectAll().where('repo', '=', repo).executeTakeFirst();
        if (!r) return null;
        return {
          repo: r.repo,
          channel: r.channel,
          messageTs: r.message_ts,
          state: z.enum(['failing', 'recovered']).parse(r.state),
          failures: Number(r.failures),
          lastJobId: Number(r.last_job_id),
          updatedAt: new Date(Number(r.updated_at)),
        };
      }),
    saveSyncAlert: (a) =>
      guard('githubEvents.saveSyncAlert', async () => {
        const values = {
          repo: a.repo,
          channel: a.channel,
          message_ts: a.messageTs,
          state: a.state,
          failures: a.failures,
          last_job_id: a.lastJobId,
          updated_at: ms(a.updatedAt),
        };
        const { repo: _r, ...changes } = values;
        await db
          .insertInto('sync_alerts')
          .values(values)
          .onConflict((oc) => oc.column('repo').doUpdateSet(changes))
          .execute();
      }),
    clearSyncAlert: (repo) =>
      guard('githubEvents.clearSyncAlert', async () => {
        await db.deleteFrom('sync_alerts').where('repo', '=', repo).execute();
      }),
  };
}
