import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { BoundedMap } from '../core/boundedMap.js';

/**
 * Kysely prepares every query afresh, and on better-sqlite3 preparing costs as much
 * as running a small statement, on the event loop. The store issues a few dozen
 * distinct statements over and over (audit appends, job leases), so each is prepared
 * once per connection and reused. Safe because Kysely runs a statement to completion
 * synchronously before the next one starts; the store never streams. SQLite
 * re-prepares a cached statement by itself when a migration changes the schema.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, max = 256): SqliteDatabase {
  const statements = new BoundedMap<string, BetterSqlite3.Statement>(max);
  return {
    prepare(sql: string) {
      let stmt = statements.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        statements.set(sql, stmt);
      }
      return stmt;
    },
    close: () => sqlite.close(),
  };
}
