import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { StoreError } from '../errors.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statementCache.js';

export type StoreDialect = 'sqlite' | 'postgres';

export const DEFAULT_DATABASE_URL = './data/chatops.sqlite';

/** Where `DATABASE_URL` points: a SQLite file (or memory) or a PostgreSQL server. */
export type DatabaseTarget = { dialect: 'sqlite'; filename: string /* ':memory:' or an absolute path */ } | { dialect: 'postgres'; connectionString: string };

/**
 * Unset → ./data/chatops.sqlite; `postgres://…`/`postgresql://…` → PostgreSQL;
 * `file:…`, `:memory:` or any other string → a SQLite file path (relative to cwd).
 */
export function parseDatabaseUrl(databaseUrl: string | undefined): DatabaseTarget {
  const url = databaseUrl?.trim() || DEFAULT_DATABASE_URL;
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: 'postgres', connectionString: url };
  if (url === ':memory:' || url === 'file::memory:') return { dialect: 'sqlite', filename: ':memory:' };
  if (/^file:\/\//i.test(url)) return { dialect: 'sqlite', filename: fileURLToPath(url.replace(/\?.*$/, '')) };
  if (/^file:/i.test(url)) return { dialect: 'sqlite', filename: resolve(url.slice('file:'.length).replace(/\?.*$/, '')) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // Never echo the URL: it may carry a password.
    throw new StoreError('DATABASE_URL must be a postgres:// URL or a SQLite file path.');
  }
  return { dialect: 'sqlite', filename: resolve(url) };
}

/** PostgreSQL schema names we accept (they end up in `search_path` and DDL). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface Connection {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** SQLite only: the one connection Kysely uses (for the migration lock, see migrate.ts). */
  sqlite?: BetterSqlite3.Database;
  /** PostgreSQL only: how to open a side connection (advisory lock) and which schema we use. */
  postgres?: { connectionString: string; schema: string | undefined };
}

export interface Logger {
  warn(obj: object, msg: string): void;
}

export async function connect(target: DatabaseTarget, o: { schema?: string; logger?: Logger }): Promise<Connection> {
  if (target.dialect === 'sqlite') {
    if (target.filename !== ':memory:') mkdirSync(dirname(target.filename), { recursive: true });
    const sqlite = new BetterSqlite3(target.filename);
    // WAL: readers never block the writer; busy_timeout: another process holding the
    // write lock is waited for (up to 5 s) instead of failing at once.
    sqlite.pragma('journal_mode = WAL');
    // In WAL mode NORMAL cannot corrupt the database; it only skips an fsync per commit,
    // which better-sqlite3 would otherwise do on the event loop (a stall for every listener).
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, dialect: 'sqlite', sqlite };
  }

  if (o.schema !== undefined && !SCHEMA_NAME.test(o.schema)) {
    throw new StoreError('The PostgreSQL schema name is invalid.', { detail: 'expected [a-z_][a-z0-9_]*' });
  }
  // Loaded only for PostgreSQL: a SQLite bot never pays for the driver at start-up.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: 10,
    application_name: 'release-chatops',
    // Every pooled connection resolves unqualified table names in our schema only.
    ...(o.schema ? { options: `-c search_path=${o.schema}` } : {}),
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, it would
  // crash the process. The next query gets a fresh connection.
  pool.on('error', (err) => o.logger?.warn({ err: { message: err.message } }, 'PostgreSQL idle connection failed'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', postgres: { connectionString: target.connectionString, schema: o.schema } };
}
