import type { Kysely, Migration } from 'kysely';

/**
 * What the bot knows happened on GitHub, per repository (the projection of
 * github_deliveries): workflow runs and their jobs, tags and the release run of each,
 * and the sync alert message it keeps up to date. Every row is keyed by GitHub's own
 * ids, so applying a fact twice writes the same row.
 */
export function githubProjection(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gh_runs')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('run_id', 'bigint', (c) => c.notNull())
        .addColumn('workflow_path', 'text')
        .addColumn('name', 'text')
        .addColumn('event', 'text')
        .addColumn('head_branch', 'text')
        .addColumn('head_sha', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('run_attempt', 'integer', (c) => c.notNull())
        .addColumn('html_url', 'text')
        .addColumn('created_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('gh_runs_pk', ['repo', 'run_id'])
        .execute();
      await db.schema
        .createTable('gh_jobs')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('job_id', 'bigint', (c) => c.notNull())
        .addColumn('run_id', 'bigint', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('conclusion', 'text')
        .addColumn('started_at', 'bigint')
        .addColumn('completed_at', 'bigint')
        .addColumn('failing_step', 'text')
        .addColumn('html_url', 'text')
        /** For the sync job: the diagnosis of its log (JSON), read once when the failure arrived. */
        .addColumn('diagnosis', 'text')
        .addPrimaryKeyConstraint('gh_jobs_pk', ['repo', 'job_id'])
        .execute();
      await db.schema
        .createTable('gh_tags')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('sha', 'text')
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .addColumn('release_run_id', 'bigint')
        .addPrimaryKeyConstraint('gh_tags_pk', ['repo', 'tag'])
        .execute();
      await db.schema
        .createTable('sync_alerts')
        .addColumn('repo', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        /** Null from saving the row (the intent) until Slack gave the message's ts. */
        .addColumn('message_ts', 'text')
        /** 'failing' while the sync fails; 'recovered' once a passing sync edited it. */
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('last_job_id', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['sync_alerts', 'gh_tags', 'gh_jobs', 'gh_runs']) await db.schema.dropTable(t).execute();
    },
  };
}
