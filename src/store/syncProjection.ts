import type { Kysely } from 'kysely';
import { guard, ms } from './guard.js';
import { toRun, type GitHubEventTables, type RunRow, type StepRow } from './githubEvents.js';
import type { Database, Ms } from './schema.js';

/** The tables and columns of migrations 0015 and 0018 (only this module and githubEvents.ts read them). */
type SyncProjectionTables = GitHubEventTables & {
  gh_jobs: GitHubEventTables['gh_jobs'] & { log_findings: string | null };
  sync_checks: { repo: string; checked_at: Ms; github_refs: string; mirror_refs: string; secrets: string | null };
  projection_confirmations: { repo: string; confirmed_at: Ms };
  gh_workflow_job_names: { repo: string; path: string; sha: string; names: string };
  github_deliveries: GitHubEventTables['github_deliveries'];
};

/** A mirror check as stored: each part is JSON the caller parses with its schema (a trust boundary of its own). */
export interface StoredSyncCheck {
  repo: string;
  checkedAt: Date;
  githubRefs: unknown;
  mirrorRefs: unknown;
  secrets: unknown;
}

export interface SyncProjection {
  /** What the failed sync job's log said (core/sync/diagnoseLog.ts), or null when it was not read. */
  logFindings(repo: string, jobId: number): Promise<unknown>;
  setLogFindings(repo: string, jobId: number, findings: unknown): Promise<void>;
  /** Fills in a job's steps read from the API when its delivery carried none. */
  setJobSteps(repo: string, jobId: number, steps: StepRow[]): Promise<void>;
  /** The last mirror check (both hosts' refs, the secrets' dates) of a repository. */
  lastCheck(repo: string): Promise<StoredSyncCheck | null>;
  saveCheck(c: StoredSyncCheck): Promise<void>;
  /** The poller saw nothing missing from the projection of `repo` (a 304, or facts it fed in). */
  confirm(repo: string, now: Date): Promise<void>;
  /** Runs of any workflow not completed and updated since `since` (older ones lost their last delivery), newest first. */
  runsInProgress(repo: string, since: Date, limit: number): Promise<RunRow[]>;
  /** The latest of: a delivery for `repo` arrived, the poller confirmed it. Null: never. */
  confirmedAt(repo: string): Promise<Date | null>;
  /** A workflow file's job ids → display names at a commit, as read once (JSON the caller checks), or null. */
  workflowJobNames(repo: string, path: string, sha: string): Promise<unknown>;
  setWorkflowJobNames(repo: string, path: string, sha: string, names: Record<string, string>): Promise<void>;
}

const json = (v: unknown) => JSON.stringify(v);
const parsed = (v: string | null | undefined): unknown => (typeof v === 'string' ? (JSON.parse(v) as unknown) : null);
const msOf = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function syncProjection(base: Kysely<Database>): SyncProjection {
  const db = base.withTables<SyncProjectionTables>();
  return {
    logFindings: (repo, jobId) =>
      guard('syncProjection.logFindings', async () => {
        const r = await db.selectFrom('gh_jobs').select('log_findings').where('repo', '=', repo).where('job_id', '=', jobId).executeTakeFirst();
        return parsed(r?.log_findings);
      }),
    setLogFindings: (repo, jobId, findings) =>
      guard('syncProjection.setLogFindings', async () => {
        await db
          .updateTable('gh_jobs')
          .set({ log_findings: json(findings) })
          .where('repo', '=', repo)
          .where('job_id', '=', jobId)
          .execute();
      }),
    setJobSteps: (repo, jobId, steps) =>
      guard('syncProjection.setJobSteps', async () => {
        await db
          .updateTable('gh_jobs')
          .set({ steps: json(steps) })
          .where('repo', '=', repo)
          .where('job_id', '=', jobId)
          .where('steps', 'is', null)
          .execute();
      }),
    lastCheck: (repo) =>
      guard('syncProjection.lastCheck', async () => {
        const r = await db.selectFrom('sync_checks').selectAll().where('repo', '=', repo).executeTakeFirst();
        if (!r) return null;
        return {
          repo: r.repo,
          checkedAt: new Date(Number(r.checked_at)),
          githubRefs: parsed(r.github_refs),
          mirrorRefs: parsed(r.mirror_refs),
          secrets: parsed(r.secrets),
        };
      }),
    saveCheck: (c) =>
      guard('syncProjection.saveCheck', async () => {
        const values = {
          repo: c.repo,
          checked_at: ms(c.checkedAt),
          github_refs: json(c.githubRefs),
          mirror_refs: json(c.mirrorRefs),
          secrets: c.secrets === null ? null : json(c.secrets),
        };
        const { repo: _r, ...changes } = values;
        await db
          .insertInto('sync_checks')
          .values(values)
          // Two replicas checking at once: the later check stays.
          .onConflict((oc) => oc.column('repo').doUpdateSet(changes).where('sync_checks.checked_at', '<=', values.checked_at))
          .execute();
      }),
    confirm: (repo, now) =>
      guard('syncProjection.confirm', async () => {
        await db
          .insertInto('projection_confirmations')
          .values({ repo, confirmed_at: ms(now) })
          .onConflict((oc) => oc.column('repo').doUpdateSet({ confirmed_at: ms(now) }))
          .execute();
      }),
    runsInProgress: (repo, since, limit) =>
      guard('syncProjection.runsInProgress', async () => {
        const rows = await db
          .selectFrom('gh_runs')
          .selectAll()
          .where('repo', '=', repo)
          .where('status', '!=', 'completed')
          .where('updated_at', '>=', ms(since))
          .orderBy('updated_at', 'desc')
          .limit(limit)
          .execute();
        return rows.map((r) => toRun(r));
      }),
    confirmedAt: (repo) =>
      guard('syncProjection.confirmedAt', async () => {
        const [delivered, confirmed] = await Promise.all([
          db
            .selectFrom('github_deliveries')
            .select((eb) => eb.fn.max('received_at').as('t'))
            .where('repo', '=', repo)
            .executeTakeFirst(),
          db.selectFrom('projection_confirmations').select('confirmed_at').where('repo', '=', repo).executeTakeFirst(),
        ]);
        const times = [msOf(delivered?.t), msOf(confirmed?.confirmed_at)].filter((t): t is number => t !== null);
        return times.length > 0 ? new Date(Math.max(...times)) : null;
      }),
    workflowJobNames: (repo, path, sha) =>
      guard('syncProjection.workflowJobNames', async () => {
        const r = await db
          .selectFrom('gh_workflow_job_names')
          .select('names')
          .where('repo', '=', repo)
          .where('path', '=', path)
          .where('sha', '=', sha)
          .executeTakeFirst();
        return parsed(r?.names);
      }),
    setWorkflowJobNames: (repo, path, sha, names) =>
      guard('syncProjection.setWorkflowJobNames', async () => {
        // The file at a commit never changes: the first write stands.
        await db
          .insertInto('gh_workflow_job_names')
          .values({ repo, path, sha, names: json(names) })
          .onConflict((oc) => oc.columns(['repo', 'path', 'sha']).doNothing())
          .execute();
      }),
  };
}
