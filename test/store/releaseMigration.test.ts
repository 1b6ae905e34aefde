import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, type Migration } from 'kysely';
import pg from 'pg';
import { connect, parseDatabaseUrl } from '../../src/store/connect.js';
import { migrationProvider } from '../../src/store/migrations/index.js';
import { openStore } from '../../src/store/index.js';
import { PG_URL } from '../helpers/backends.js';

/** Rows written before 0009 may hold several active releases of one tag: the migration settles them, then enforces one. */
async function scenario(databaseUrl: string, schema: string | undefined) {
  const conn = await connect(parseDatabaseUrl(databaseUrl), { schema });
  const all = await migrationProvider(conn.dialect).getMigrations();
  const before: Record<string, Migration> = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0009'));
  const migrator = new Migrator({ db: conn.db, provider: { getMigrations: async () => before }, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error } = await migrator.migrateToLatest();
  assert.ifError(error);
  const now = Date.now();
  const row = (id: string, tag: string, status: string, createdAt: number, expiresAt = now + 600_000) => ({
    id: id.padEnd(24, 'x'),
    repo: 'o/r',
    repo_name: 'r',
    tag,
    sha: 'a'.repeat(40),
    workflow: '1',
    inputs: '{}',
    requested_by: 'U1',
    channel: 'C1',
    status: status as 'pending',
    created_at: createdAt,
    expires_at: expiresAt,
  });
  await conn.db
    .insertInto('releases')
    .values([
      row('a1', 'v1', 'pending', now - 5000),
      row('a2', 'v1', 'pending', now - 1000),
      row('b1', 'v2', 'dispatched', now - 90_000),
      row('b2', 'v2', 'pending', now - 1000),
      row('c1', 'v3', 'pending', now - 900_000, now - 300_000),
      row('d1', 'v4', 'dispatching', now - 2000),
      row('d2', 'v4', 'dispatched', now - 9000),
    ] as never)
    .execute();
  await conn.db.destroy();

  const store = await openStore({ databaseUrl, ...(schema ? { schema } : {}) });
  try {
    const statuses = Object.fromEntries(
      (await store.db.selectFrom('releases').select(['id', 'status']).execute()).map((r) => [r.id.replace(/x+$/, ''), r.status]),
    );
    assert.deepEqual(statuses, { a1: 'expired', a2: 'pending', b1: 'dispatched', b2: 'expired', c1: 'expired', d1: 'failed', d2: 'dispatched' });
    // From now on the store enforces it.
    const again = await store.releases.create({
      repo: 'o/r',
      repoName: 'r',
      tag: 'v1',
      sha: 'a'.repeat(40),
      workflow: '1',
      inputs: {},
      requestedBy: 'U2',
      channel: 'C1',
      ttlSeconds: 600,
    });
    assert.equal(again.kind, 'busy');
    await assert.rejects(
      store.db
        .insertInto('releases')
        .values({ ...row('e1', 'v2', 'dispatching', now) } as never)
        .execute(),
    );
  } finally {
    await store.close();
  }
}

describe('migration 0009_release_unique', () => {
  test('SQLite: settles several active releases of a tag, then allows one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chatops-mig8-'));
    try {
      await scenario(join(dir, 'db.sqlite'), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: the same', { skip: process.env.CHATOPS_SKIP_PG === '1' }, async () => {
    const schema = `chatops_mig8_${Math.random().toString(36).slice(2, 10)}`;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(`create schema ${schema}`);
      await scenario(PG_URL, schema);
    } finally {
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  });
});
