import type { Kysely, Migration } from 'kysely';

/**
 * What a posted reminder said, so the bot can edit it later: when a rotation of its
 * secret starts, finishes or is cancelled, or the secret is replaced, the reminder's
 * *Start rotation* no longer applies (or applies again). `offer` is the state the
 * message was last rendered in (core/reminders/offer.ts), so each change is one edit.
 * Rows from before this migration have none of it; their facts come from the key.
 */
export function reminderMessages(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('reminders_sent').addColumn('basis', 'text').execute();
      await db.schema.alterTable('reminders_sent').addColumn('deadline', 'bigint').execute();
      await db.schema.alterTable('reminders_sent').addColumn('threshold', 'integer').execute();
      await db.schema.alterTable('reminders_sent').addColumn('days_left', 'integer').execute();
      await db.schema.alterTable('reminders_sent').addColumn('offer', 'text').execute();
      await db.schema.createIndex('reminders_sent_secret').on('reminders_sent').columns(['repo', 'secret']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('reminders_sent_secret').execute();
      for (const c of ['offer', 'days_left', 'threshold', 'deadline', 'basis']) await db.schema.alterTable('reminders_sent').dropColumn(c).execute();
    },
  };
}
