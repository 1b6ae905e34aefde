import type { Kysely, Migration } from 'kysely';

/**
 * Rotation reminders already sent: one row per (secret, deadline, threshold), keyed by
 * `core/reminders/due.ts reminderKey`. The primary key is what makes a reminder go out
 * once, whatever the number of replicas and restarts: whoever inserts the row posts.
 */
export function reminders(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('reminders_sent')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('message_ts', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('reminders_sent').execute();
    },
  };
}
