import { sql, type Kysely, type Migration } from 'kysely';

/** Predicate of the partial unique index that allows one active rotation per secret (see 0004 for why literals). */
export const ACTIVE_ROTATION = sql<boolean>`status = 'active'`;

/**
 * Guided rotations (`/rotate`): one row per rotation, its progress as a JSON state that
 * the pure core computes; `version` makes every write a compare-and-set, so replicas
 * and retries cannot both apply the same step.
 */
export function rotations(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rotations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('repo_name', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('secret_kind', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('message_ts', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .addColumn('finished_by', 'text')
        .addCheckConstraint('rotations_status', sql`status in ('active', 'done', 'cancelled')`)
        .execute();
      await db.schema.createIndex('rotations_one_active').on('rotations').columns(['repo', 'secret']).unique().where(ACTIVE_ROTATION).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('rotations').execute();
    },
  };
}
