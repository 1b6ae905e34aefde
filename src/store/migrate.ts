import { setTimeout as sleep } from 'node:timers/promises';
import type BetterSqlite3 from 'better-sqlite3';
import { Migrator } from 'kysely';
import { StoreError } from '../errors.js';
import type { Connection } from './connect.js';
import { migrationProvider } from './migrations/index.js';

/**
 * Brings the schema up to date. Safe when several processes start at once:
 *
 * - PostgreSQL: we hold a session-level `pg_advisory_lock` keyed on the schema name, on
 *   a side connection, around everything (creating the schema, Kysely's own
 *   bookkeeping tables, the migrations). Kysely alone is not quite enough: it creates
 *   its bookkeeping tables (and our schema would need creating) *before* taking its
 *   own advisory lock, and `CREATE … IF NOT EXISTS` can still fail with a unique
 *   violation when two sessions race. Inside our lock Kysely also takes its lock and
 *   runs each migration in a transaction, re-reading which ones ran after locking.
 * - SQLite: Kysely's migration lock is a no-op (it assumes one connection). We take
 *   the database file's write lock (`BEGIN IMMEDIATE`) and run the migrations inside
 *   that transaction, so another process waits, then finds nothing left to do.
 */
export async function migrate(conn: Connection): Promise<void> {
  if (conn.sqlite) {
    await withSqliteWriteLock(conn.sqlite, () => runMigrator(conn, undefined));
    return;
  }
  if (!conn.postgres) throw new StoreError('The store has no connection.');
  const { connectionString, schema } = conn.postgres;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString, application_name: 'release-chatops-migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [`release-chatops:migrate:${schema ?? ''}`]);
    // The schema name was checked against [a-z_][a-z0-9_]* in connect().
    if (schema) await client.query(`create schema if not exists "${schema}"`);
    const current = schema ?? (await client.query<{ s: string | null }>('select current_schema() as s')).rows[0]?.s;
    if (!current) throw new StoreError('PostgreSQL has no current schema to migrate (check search_path).');
    await runMigrator(conn, current);
  } finally {
    // Ending the session releases the advisory lock even if unlock is never reached.
    await client.end().catch(() => undefined);
  }
}

async function runMigrator(conn: Connection, migrationTableSchema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db: conn.db,
    provider: migrationProvider(conn.dialect),
    // On PostgreSQL Kysely must look for its bookkeeping tables in *our* schema:
    // without this it would take another schema's kysely_migration for ours.
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreError('The database could not be migrated.', { cause: error, detail: failed ?? 'migrator' });
  }
}

/**
 * BEGIN IMMEDIATE, retried asynchronously: better-sqlite3's busy handler sleeps the
 * whole thread, which would also stall another connection of this same process that
 * holds the lock while awaiting. So the busy timeout is off while we ask.
 */
async function withSqliteWriteLock<T>(sqlite: BetterSqlite3.Database, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    sqlite.pragma('busy_timeout = 0');
    try {
      sqlite.exec('BEGIN IMMEDIATE');
      break;
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
    } finally {
      sqlite.pragma('busy_timeout = 5000');
    }
    await sleep(25);
  }
  try {
    const result = await fn();
    sqlite.exec('COMMIT');
    return result;
  } catch (e) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw e;
  }
}
