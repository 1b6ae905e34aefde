import type { Kysely, Migration } from 'kysely';

/**
 * The job ids → display names of a workflow file at a commit (core/sync/workflowJobNames.ts),
 * as read once when a completed sync run's job had to be found by its YAML id. A file at a
 * commit never changes, so the Home tab and /sync-status name the sync job of that run from
 * here, without reading the file again.
 */
export function workflowJobNames(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('gh_workflow_job_names')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        /** JSON: { [job id]: display name }. */
        .addColumn('names', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('gh_workflow_job_names_pk', ['repo', 'path', 'sha'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('gh_workflow_job_names').execute();
    },
  };
}
