import type { Kysely, Migration } from 'kysely';

/**
 * Leak warnings the bot posted, so it can edit them later: a warning offers *Start
 * rotation* for the token secrets of its channel's repos, and once a rotation of one
 * starts, ends or is cancelled that button no longer applies (or applies again). What
 * the warning said is kept (token kinds, revocation outcomes: never a character of a
 * token) so each edit renders the whole message again; `shown` is the offer states it
 * was last rendered with, so each change is one edit.
 */
export function leakMessages(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('leak_messages')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('message_ts', 'text', (c) => c.notNull())
        .addColumn('posted_at', 'bigint', (c) => c.notNull())
        .addColumn('author', 'text')
        .addColumn('kinds', 'text', (c) => c.notNull())
        .addColumn('unchecked', 'integer', (c) => c.notNull())
        .addColumn('offers', 'text', (c) => c.notNull())
        .addColumn('outcomes', 'text')
        .addColumn('shown', 'text')
        .addPrimaryKeyConstraint('leak_messages_pk', ['channel', 'message_ts'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('leak_messages').execute();
    },
  };
}
