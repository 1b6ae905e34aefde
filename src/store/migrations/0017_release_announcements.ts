import type { Kysely, Migration } from 'kysely';

/**
 * Release runs not started from the bot, announced in the repository's channel per
 * `alerts.release` (issue 19): who started a run (GitHub's `actor` and `triggering_actor`,
 * kept with the projection's run so the App Home tab can say it too), and one row per
 * announced run. The row is the claim: it is inserted before the message is posted (two
 * replicas, a redelivery: exactly one insert wins), and `message_ts` follows Slack's answer,
 * so the same message is edited as the run goes on and never posted twice.
 *
 * Depends on 0016 (another branch's migration) being there before it.
 */
export function releaseAnnouncements(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // SQLite adds one column per ALTER TABLE.
      await db.schema.alterTable('gh_runs').addColumn('actor', 'text').execute();
      await db.schema.alterTable('gh_runs').addColumn('triggering_actor', 'text').execute();
      await db.schema
        .createTable('release_announcements')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('run_id', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        /** Null from the claim until Slack gave the message's ts (and for good if the bot stopped between the two). */
        .addColumn('message_ts', 'text')
        /** What the message shows (core/events/releaseAnnouncement.ts shownKey): an edit happens only for something newer. */
        .addColumn('shown', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('release_announcements_pk', ['repo', 'run_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('release_announcements').execute();
      for (const c of ['triggering_actor', 'actor']) await db.schema.alterTable('gh_runs').dropColumn(c).execute();
    },
  };
}
