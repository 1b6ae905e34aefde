import { sql, type Kysely } from 'kysely';
import { ms } from './guard.js';
import type { GitHubEventTables } from './githubEvents.js';
import type { Database, Ms } from './schema.js';

/** The columns retention reads of tables other modules own (0016, 0017, 0018). */
type Tables = GitHubEventTables & {
  tag_alerts: { repo: string; tag: string; state: string; updated_at: Ms };
  release_announcements: { repo: string; run_id: number; updated_at: Ms };
  gh_workflow_job_names: { repo: string; path: string; sha: string };
};

export interface ProjectionPurgeCounts {
  tagAlerts: number;
  releaseAnnouncements: number;
  /** gh_runs and gh_jobs rows (not background jobs). */
  ghRuns: number;
  ghJobs: number;
  workflowJobNames: number;
}

/** The states of a tag alert that is over: edited to say the run came, or never posted. */
const OVER = ['resolved', 'settled'];
/** Deleting by id list: well under either backend's bound-parameter limit. */
const CHUNK = 500;

/**
 * Deletes the projection's rows that no longer serve anything, older than `before`:
 * tag alerts that are over, announcements of runs no longer in progress, completed runs
 * (with their jobs) except those a reader still needs, and job names no run refers to.
 *
 * Kept whatever their age: the newest `keptPerWorkflow` runs of each workflow file of a
 * repository (the App Home reads the newest release runs, the sync projection the newest
 * sync run, services/home.ts and services/syncProjection.ts), any run not completed, and
 * the runs of a tag whose alert is still open (its linked release run and the runs on the
 * tag, which services/events/tagAlerts.ts releaseRunOf looks up).
 */
export async function purgeProjection(base: Kysely<Database>, before: Date, keptPerWorkflow: number): Promise<ProjectionPurgeCounts> {
  const db = base.withTables<Tables>();
  const cutoff = ms(before);

  const alerts = await db.deleteFrom('tag_alerts').where('state', 'in', OVER).where('updated_at', '<', cutoff).executeTakeFirst();

  const announcements = await db
    .deleteFrom('release_announcements')
    .where('updated_at', '<', cutoff)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('gh_runs')
            .select('gh_runs.run_id')
            .whereRef('gh_runs.repo', '=', 'release_announcements.repo')
            .whereRef('gh_runs.run_id', '=', 'release_announcements.run_id')
            .where('gh_runs.status', '!=', 'completed'),
        ),
      ),
    )
    .executeTakeFirst();

  // The same order as githubEvents latestRuns, so "newest" is what its readers get on either backend.
  const { rows: gone } = await sql<{ repo: string; run_id: number | string }>`
    select r.repo, r.run_id from (
      select repo, run_id, status, updated_at, head_branch,
        row_number() over (partition by repo, workflow_path order by created_at desc, run_id desc) as newest
      from gh_runs
    ) r
    where r.status = 'completed' and r.updated_at < ${cutoff} and r.newest > ${keptPerWorkflow}
      and not exists (
        select 1 from tag_alerts a
        where a.repo = r.repo and a.state not in (${sql.join(OVER)}) and a.tag = r.head_branch
      )
      and not exists (
        select 1 from tag_alerts a join gh_tags t on t.repo = a.repo and t.tag = a.tag
        where a.repo = r.repo and a.state not in (${sql.join(OVER)}) and t.release_run_id = r.run_id
      )
  `.execute(db);

  let runs = 0;
  let jobs = 0;
  const byRepo = new Map<string, number[]>();
  for (const r of gone) byRepo.set(r.repo, [...(byRepo.get(r.repo) ?? []), Number(r.run_id)]);
  for (const [repo, ids] of byRepo) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      // Jobs first: a stop in between leaves an old run without jobs, which the next purge takes.
      jobs += Number((await db.deleteFrom('gh_jobs').where('repo', '=', repo).where('run_id', 'in', chunk).executeTakeFirst()).numDeletedRows);
      runs += Number((await db.deleteFrom('gh_runs').where('repo', '=', repo).where('run_id', 'in', chunk).executeTakeFirst()).numDeletedRows);
    }
  }

  const names = await db
    .deleteFrom('gh_workflow_job_names')
    .where(
      sql<boolean>`not exists (select 1 from gh_runs r where r.repo = gh_workflow_job_names.repo and r.workflow_path = gh_workflow_job_names.path and r.head_sha = gh_workflow_job_names.sha)`,
    )
    .executeTakeFirst();

  return {
    tagAlerts: Number(alerts.numDeletedRows),
    releaseAnnouncements: Number(announcements.numDeletedRows),
    ghRuns: runs,
    ghJobs: jobs,
    workflowJobNames: Number(names.numDeletedRows),
  };
}
