import type { Kysely, Migration } from 'kysely';

/**
 * One-time pages where a rotation's requester types the new token into a masked field
 * (Slack has no masked input). Only the SHA-256 of the link's secret part is kept, so
 * the table cannot be turned back into working links. `used_at` is set while a
 * submission is being checked and stays set once one went through: single use.
 */
export function entryLinks(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('entry_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('rotation_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('done_at', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('entry_links_rotation').on('entry_links').column('rotation_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('entry_links').execute();
    },
  };
}
