import type { Kysely, Migration } from 'kysely';

/**
 * The tag-without-release alert of each release tag (issue 19): one row per repository and
 * tag, written when the tag is first seen (the check is scheduled), then the message the
 * bot posted (its ts, so it is posted once and edited later, across restarts and
 * redeliveries) and whether it was resolved by the release run arriving.
 */
export function tagAlerts(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tag_alerts')
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        /** scheduled → posting → posted → resolved; scheduled → settled when a run came first. */
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('due_at', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'text')
        /** Null until Slack gave the message's ts. */
        .addColumn('message_ts', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('tag_alerts_pk', ['repo', 'tag'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('tag_alerts').execute();
    },
  };
}
