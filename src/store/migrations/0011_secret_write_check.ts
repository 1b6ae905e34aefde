import type { Kysely, Migration } from 'kysely';

/**
 * `secret_changes.write_check`: set just before the bot first sends an approved write
 * to GitHub (JSON: the secret's `updated_at` seen before it, when, and who approved).
 * A write that got no answer may still have landed; with this, any later look at
 * GitHub (a retry, a replica taking over, the expiry job) can tell whether it did
 * instead of saying "nothing changed".
 */
export function secretWriteCheck(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('secret_changes').addColumn('write_check', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('secret_changes').dropColumn('write_check').execute();
    },
  };
}
