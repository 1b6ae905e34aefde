import type { Kysely, Migration } from 'kysely';

/** Releases asked for with /release: the confirmation, its single decision, and the dispatched run. */
export function releases(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('releases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('repo_name', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('sha', 'text', (c) => c.notNull())
        .addColumn('workflow', 'text', (c) => c.notNull())
        .addColumn('inputs', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('run_id', 'bigint')
        .addColumn('run_url', 'text')
        .addColumn('message_ts', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('releases_repo_tag').on('releases').columns(['repo', 'tag', 'status']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('releases').execute();
    },
  };
}
