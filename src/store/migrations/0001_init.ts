import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../connect.js';

/**
 * The predicate of the partial unique index on jobs.dedupe_key. `jobs.enqueue` names
 * the very same text in its ON CONFLICT target: PostgreSQL and SQLite only match a
 * partial index when the conflict target's WHERE implies the index's, which needs
 * literals (a bound parameter would not do).
 */
export const UNFINISHED_JOB = sql<boolean>`status in ('pending', 'running')`;

/** Initial schema: audit log, saved reports, leased jobs. */
export function init(dialect: StoreDialect): Migration {
  // The one dialect difference in the DDL: how an autoincrement key is spelled.
  const idType = dialect === 'postgres' ? 'bigserial' : 'integer';
  const autoIncrement = dialect === 'sqlite';

  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('repo', 'text')
        .addColumn('detail', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();

      await db.schema
        .createTable('reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('owner_user', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('reports_expires_at').on('reports').column('expires_at').execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', idType, (c) => (autoIncrement ? c.primaryKey().autoIncrement() : c.primaryKey()))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
        .addColumn('run_at', 'bigint', (c) => c.notNull())
        .addColumn('dedupe_key', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('lease_owner', 'text')
        .addColumn('lease_until', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('jobs_status', sql`status in ('pending', 'running', 'done', 'failed')`)
        .execute();
      // claim() looks for due pending jobs and expired running ones.
      await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();
      await db.schema.createIndex('jobs_lease').on('jobs').columns(['status', 'lease_until']).execute();
      await db.schema.createIndex('jobs_dedupe_unfinished').on('jobs').column('dedupe_key').unique().where(UNFINISHED_JOB).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('jobs').execute();
      await db.schema.dropTable('reports').execute();
      await db.schema.dropTable('audit_log').execute();
    },
  };
}
