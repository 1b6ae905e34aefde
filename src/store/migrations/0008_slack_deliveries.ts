import type { Kysely, Migration } from 'kysely';

/**
 * Slack deliveries already taken by a replica: the Events API `event_id` of an event,
 * the `trigger_id` of a command or an interaction. Slack redelivers an event it thinks
 * went unanswered, and a signed request can be replayed as is within Slack's 5 minutes;
 * the first replica to insert the key acts, every later copy is acked and dropped.
 * Rows are only needed for as long as a copy can arrive, then purged (`seen_at`).
 */
export function slackDeliveries(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('slack_deliveries')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('slack_deliveries_seen_at').on('slack_deliveries').column('seen_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('slack_deliveries').execute();
    },
  };
}
