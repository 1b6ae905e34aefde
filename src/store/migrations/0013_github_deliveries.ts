import type { Kysely, Migration } from 'kysely';
import type { StoreDialect } from '../connect.js';

/**
 * GitHub deliveries (webhooks, and facts the poller found), stored before GitHub gets
 * its 2xx: `delivery_id` is X-GitHub-Delivery (or the poller's own id for a fact), so a
 * redelivery or a replay is one row. `seq` orders a repository's deliveries; the
 * repository's apply job takes them in that order and marks each `applied_at`.
 */
export function githubDeliveries(dialect: StoreDialect): Migration {
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const autoIncrement = dialect !== 'postgres';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('github_deliveries')
        .addColumn('seq', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('delivery_id', 'text', (c) => c.notNull().unique())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('applied_at', 'bigint')
        .execute();
      await db.schema.createIndex('github_deliveries_pending').on('github_deliveries').columns(['repo', 'applied_at', 'seq']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('github_deliveries').execute();
    },
  };
}
