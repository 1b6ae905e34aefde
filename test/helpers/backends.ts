import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** One store on SQLite (the single-process backend); two on PostgreSQL (two replicas, two pools). */
  open(): Promise<Store[]>;
  cleanup(): Promise<void>;
}

function sqlite(label: string): StoreBackend {
  let dir = '';
  return {
    name: 'sqlite',
    async open() {
      dir = await mkdtemp(join(tmpdir(), `chatops-${label}-`));
      return [await openStore({ databaseUrl: join(dir, 'db.sqlite') })];
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function postgres(label: string): StoreBackend {
  const schema = `chatops_${label}_${Math.random().toString(36).slice(2, 10)}`;
  return {
    name: 'postgres',
    async open() {
      const first = await openStore({ databaseUrl: PG_URL, schema });
      return [first, await openStore({ databaseUrl: PG_URL, schema })];
    },
    async cleanup() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

/** The store's backends a test runs against: SQLite, and the local PostgreSQL (in a schema of its own) unless CHATOPS_SKIP_PG=1. */
export function storeBackends(label: string): StoreBackend[] {
  return [sqlite(label), ...(process.env.CHATOPS_SKIP_PG === '1' ? [] : [postgres(label)])];
}
