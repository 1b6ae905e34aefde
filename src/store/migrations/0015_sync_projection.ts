import type { Kysely, Migration } from 'kysely';

/**
 * What /sync-status and the App Home tab read instead of walking GitHub (issue 19):
 * the run and job fields the report shows that 0014 did not keep (run number, title,
 * start; the steps of a job), the findings of a failed sync job's log (read once, when
 * the failure arrived), the last mirror check of each repository (both hosts' refs and
 * the Actions secrets' dates, with when they were read), and when the poller last
 * confirmed that the projection misses nothing.
 */
export function syncProjection(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // SQLite adds one column per ALTER TABLE.
      await db.schema.alterTable('gh_runs').addColumn('run_number', 'bigint').execute();
      await db.schema.alterTable('gh_runs').addColumn('display_title', 'text').execute();
      await db.schema.alterTable('gh_runs').addColumn('run_started_at', 'bigint').execute();
      /** JSON: [{ number, name, status, conclusion, startedAt, completedAt }]. */
      await db.schema.alterTable('gh_jobs').addColumn('steps', 'text').execute();
      /** JSON: what core/sync/diagnoseLog.ts found in the job's log ({ ok, value } or { ok: false, reason }). */
      await db.schema.alterTable('gh_jobs').addColumn('log_findings', 'text').execute();
      await db.schema
        .createTable('sync_checks')
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('checked_at', 'bigint', (c) => c.notNull())
        /** JSON Fetched<RepoRefsState> of each host. */
        .addColumn('github_refs', 'text', (c) => c.notNull())
        .addColumn('mirror_refs', 'text', (c) => c.notNull())
        /** JSON Fetched<SecretMeta[]>: names and dates only, never a value. */
        .addColumn('secrets', 'text')
        .execute();
      await db.schema
        .createTable('projection_confirmations')
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('confirmed_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('projection_confirmations').execute();
      await db.schema.dropTable('sync_checks').execute();
      for (const c of ['log_findings', 'steps']) await db.schema.alterTable('gh_jobs').dropColumn(c).execute();
      for (const c of ['run_started_at', 'display_title', 'run_number']) await db.schema.alterTable('gh_runs').dropColumn(c).execute();
    },
  };
}
