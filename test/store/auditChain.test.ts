import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import { openStore, type AuditEntry, type Database, type Store } from '../../src/store/index.js';
import { init } from '../../src/store/migrations/0001_init.js';
import { releases } from '../../src/store/migrations/0002_releases.js';
import { backfillAuditChain } from '../../src/store/migrations/0003_audit_chain.js';

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const GENESIS = '0'.repeat(64);

/** The documented hash, written out again here rather than imported: the test checks the format. */
function documentedHash(prevHash: string, at: number, actor: string, action: string, repo: string | null, detail: string | null, outcome: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['release-chatops/audit/v1', prevHash, at, actor, action, repo, detail, outcome]), 'utf8')
    .digest('hex');
}

async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

const tmpDir = mkdtempSync(join(tmpdir(), 'chatops-audit-'));
after(() => rmSync(tmpDir, { recursive: true, force: true }));

/** A fresh, empty database of one kind: open it (as often as wanted), or build it at an older schema. */
interface FreshDb {
  open(): Promise<Store>;
  /** Runs only the given migrations, then `seed` on that schema; no Store involved. */
  atVersion(migrations: Record<string, Migration>, seed: (db: Kysely<unknown>) => Promise<void>): Promise<void>;
  /** SQLite only: the file. */
  file?: string;
}

interface Backend {
  name: 'sqlite' | 'postgres';
  fresh(): FreshDb;
}

const sqliteBackend: Backend = {
  name: 'sqlite',
  fresh() {
    const file = join(tmpDir, `audit-${randomBytes(4).toString('hex')}.sqlite`);
    return {
      file,
      open: () => openStore({ databaseUrl: file }),
      async atVersion(migrations, seed) {
        const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
        try {
          await migrateOnly(db, migrations, undefined);
          await seed(db);
        } finally {
          await db.destroy();
        }
      },
    };
  },
};

const pgSchemas: string[] = [];
const postgresBackend: Backend = {
  name: 'postgres',
  fresh() {
    const schema = `chatops_audit_${randomBytes(6).toString('hex')}`;
    pgSchemas.push(schema);
    return {
      open: () => openStore({ databaseUrl: PG_URL, schema }),
      async atVersion(migrations, seed) {
        const c = new pg.Client({ connectionString: PG_URL });
        await c.connect();
        await c.query(`create schema if not exists "${schema}"`).finally(() => c.end());
        const pool = new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` });
        const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
        try {
          await migrateOnly(db, migrations, schema);
          await seed(db);
        } finally {
          await db.destroy();
        }
      },
    };
  },
};

async function migrateOnly(db: Kysely<unknown>, migrations: Record<string, Migration>, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

const reachable = await pgReachable();
const skipPg = !reachable && process.env.CHATOPS_SKIP_PG === '1' ? 'PostgreSQL unreachable and CHATOPS_SKIP_PG=1' : false;

auditChainSuite(sqliteBackend);
describe('postgres', { skip: skipPg }, () => {
  test('PostgreSQL is reachable', () => {
    assert.ok(reachable, `PostgreSQL is not reachable at ${PG_URL} (set CHATOPS_SKIP_PG=1 to skip these tests)`);
  });
  after(async () => {
    if (!reachable) return;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      for (const s of pgSchemas) await c.query(`drop schema if exists "${s}" cascade`);
    } finally {
      await c.end();
    }
  });
  auditChainSuite(postgresBackend);
});

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** `n` entries on a fresh database, one second apart from T0; returns the open store and the ids in order. */
async function seeded(backend: Backend, n: number): Promise<{ store: Store; ids: string[] }> {
  const store = await backend.fresh().open();
  for (let i = 0; i < n; i++) {
    await store.audit.record({ actor: `U${i}`, action: 'command:/sync-status', repo: 'acme/app', detail: { i }, outcome: 'ok' }, new Date(T0 + i * 1000));
  }
  const ids = (await store.audit.list({ limit: 10_000 })).map((e) => e.id);
  assert.equal(ids.length, n);
  return { store, ids };
}

/** Migrations, and so the backfill, see the database untyped. */
const untyped = (db: Kysely<Database>) => db as unknown as Kysely<unknown>;

async function exportAll(store: Store, o: { since?: Date; until?: Date } = {}): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of store.audit.export(o)) out.push(e);
  return out;
}

/** Recomputes every link of an export with the documented formula. */
function assertLinked(entries: AuditEntry[]): void {
  let prev = GENESIS;
  for (const e of entries) {
    assert.equal(e.prevHash, prev, `entry ${e.id} names its predecessor`);
    const detail = e.detail === null ? null : JSON.stringify(e.detail);
    assert.equal(e.hash, documentedHash(prev, Date.parse(e.at), e.actor, e.action, e.repo, detail, e.outcome), `entry ${e.id} hash`);
    prev = e.hash;
  }
}

function auditChainSuite(backend: Backend): void {
  describe(`audit chain on ${backend.name}`, () => {
    test('an empty log verifies, with the genesis hash as head', async () => {
      const store = await backend.fresh().open();
      try {
        assert.deepEqual(await store.audit.verify(), { ok: true, count: 0, head: GENESIS });
        assert.deepEqual(await exportAll(store), []);
      } finally {
        await store.close();
      }
    });

    test('600 entries (more than a page): the chain verifies, links as documented, and exports in order', async () => {
      const { store, ids } = await seeded(backend, 600);
      try {
        const all = await exportAll(store);
        assert.deepEqual(
          all.map((e) => e.id),
          ids,
        );
        assert.deepEqual(
          all.map((e) => e.actor),
          ids.map((_, i) => `U${i}`),
        );
        assertLinked(all);
        assert.deepEqual(await store.audit.verify(), { ok: true, count: 600, head: all[599]!.hash });
        // list() carries the chain fields too.
        const [first] = await store.audit.list({ limit: 1 });
        assert.equal(first?.prevHash, GENESIS);
        assert.equal(first?.hash, all[0]!.hash);
      } finally {
        await store.close();
      }
    });

    test('export: since is inclusive, until exclusive', async () => {
      const { store, ids } = await seeded(backend, 10);
      try {
        const part = await exportAll(store, { since: new Date(T0 + 3000), until: new Date(T0 + 7000) });
        assert.deepEqual(
          part.map((e) => e.id),
          ids.slice(3, 7),
        );
        assert.equal(part[0]!.at, new Date(T0 + 3000).toISOString());
        assert.deepEqual(
          (await exportAll(store, { since: new Date(T0 + 9000) })).map((e) => e.id),
          ids.slice(9),
        );
        assert.deepEqual(
          (await exportAll(store, { until: new Date(T0 + 1000) })).map((e) => e.id),
          ids.slice(0, 1),
        );
      } finally {
        await store.close();
      }
    });

    test('text the database cannot store as given (a lone surrogate) still verifies', async () => {
      const store = await backend.fresh().open();
      try {
        await store.audit.record({ actor: 'U\uD800x', action: 'a\uDC00', repo: 'r\uD83D', detail: { k: '\uD800' }, outcome: 'ok' });
        await store.audit.record({ actor: 'U😀', action: 'command:/release', outcome: 'ok' });
        const v = await store.audit.verify();
        assert.equal(v.ok, true, JSON.stringify(v));
      } finally {
        await store.close();
      }
    });

    test('two stores on one database recording at once keep one linear chain with every entry', async () => {
      const fresh = backend.fresh();
      const a = await fresh.open();
      const b = await fresh.open();
      try {
        const n = 100;
        const writes: Promise<void>[] = [];
        for (let i = 0; i < n; i++) {
          writes.push(a.audit.record({ actor: `A${i}`, action: 'race', outcome: 'ok' }));
          writes.push(b.audit.record({ actor: `B${i}`, action: 'race', outcome: 'ok' }));
        }
        await Promise.all(writes);
        const v = await a.audit.verify();
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.equal(v.count, 2 * n);
        const all = await exportAll(b);
        assert.deepEqual(new Set(all.map((e) => e.actor)).size, 2 * n);
        assertLinked(all);
      } finally {
        await a.close();
        await b.close();
      }
    });

    if (backend.name === 'sqlite') {
      test('3 worker threads (real parallel connections) and this thread recording into one SQLite file', async () => {
        const fresh = backend.fresh();
        const main = await fresh.open();
        try {
          const mainWrites = (async () => {
            for (let i = 0; i < 100; i++) await main.audit.record({ actor: `main-${i}`, action: 'race', outcome: 'ok' });
          })();
          await Promise.all([mainWrites, ...[0, 1, 2].map((n) => recordInWorker(fresh.file!, `thread-${n}`, 100))]);
          const v = await main.audit.verify();
          assert.equal(v.ok, true, JSON.stringify(v));
          assert.equal(v.count, 400);
          assertLinked(await exportAll(main));
        } finally {
          await main.close();
        }
      });
    }

    describe('tampering is found, at the right entry', () => {
      test('an edited outcome: that entry', async () => {
        const { store, ids } = await seeded(backend, 10);
        try {
          await store.db.updateTable('audit_log').set({ outcome: 'denied' }).where('id', '=', Number(ids[3])).execute();
          const v = await store.audit.verify();
          assert.deepEqual({ ...v, reason: undefined }, { ok: false, count: 3, brokenAt: ids[3], reason: undefined });
          assert.match(v.ok ? '' : v.reason, /changed after it was written/);
        } finally {
          await store.close();
        }
      });

      test('a deleted entry in the middle: the one after it', async () => {
        const { store, ids } = await seeded(backend, 10);
        try {
          await store.db.deleteFrom('audit_log').where('id', '=', Number(ids[4])).execute();
          const v = await store.audit.verify();
          assert.equal(v.ok, false);
          assert.equal(!v.ok && v.brokenAt, ids[5]);
          assert.equal(v.count, 4);
          assert.match(v.ok ? '' : v.reason, new RegExp(`does not follow entry ${ids[3]}\\b`));
        } finally {
          await store.close();
        }
      });

      test('the oldest entry deleted: the new oldest', async () => {
        const { store, ids } = await seeded(backend, 5);
        try {
          await store.db.deleteFrom('audit_log').where('id', '=', Number(ids[0])).execute();
          const v = await store.audit.verify();
          assert.equal(!v.ok && v.brokenAt, ids[1]);
          assert.match(v.ok ? '' : v.reason, /oldest/);
        } finally {
          await store.close();
        }
      });

      test('an edited hash: that entry', async () => {
        const { store, ids } = await seeded(backend, 10);
        try {
          await store.db
            .updateTable('audit_log')
            .set({ hash: 'f'.repeat(64) })
            .where('id', '=', Number(ids[6]))
            .execute();
          const v = await store.audit.verify();
          assert.equal(!v.ok && v.brokenAt, ids[6]);
          assert.equal(v.count, 6);
        } finally {
          await store.close();
        }
      });

      test('two entries swapped (content and hashes): the first of them', async () => {
        const { store, ids } = await seeded(backend, 10);
        try {
          const rows = await store.db
            .selectFrom('audit_log')
            .selectAll()
            .where('id', 'in', [Number(ids[2]), Number(ids[3])])
            .orderBy('id')
            .execute();
          const [r2, r3] = rows;
          const content = (r: typeof r2) => ({
            at: Number(r!.at),
            actor: r!.actor,
            action: r!.action,
            repo: r!.repo,
            detail: r!.detail,
            outcome: r!.outcome,
            prev_hash: r!.prev_hash!,
            hash: r!.hash!,
          });
          await store.db.updateTable('audit_log').set(content(r3)).where('id', '=', Number(ids[2])).execute();
          await store.db.updateTable('audit_log').set(content(r2)).where('id', '=', Number(ids[3])).execute();
          const v = await store.audit.verify();
          assert.equal(!v.ok && v.brokenAt, ids[2]);
        } finally {
          await store.close();
        }
      });

      test('a row inserted without the chain: that row; later entries still chain on', async () => {
        const { store, ids } = await seeded(backend, 3);
        try {
          await sql`insert into audit_log (at, actor, action, outcome) values (${T0}, 'intruder', 'x', 'ok')`.execute(store.db);
          await store.audit.record({ actor: 'U9', action: 'after', outcome: 'ok' });
          const v = await store.audit.verify();
          assert.equal(v.ok, false);
          assert.equal(v.count, 3);
          assert.ok(!v.ok && Number(v.brokenAt) > Number(ids[2]));
          assert.match(v.ok ? '' : v.reason, /no hash/);
        } finally {
          await store.close();
        }
      });
    });

    test('the migration chains entries written before it, in id order', async () => {
      const fresh = backend.fresh();
      const written = [
        { at: T0 + 2000, actor: 'U1', action: 'command:/release', repo: 'acme/app', detail: '{"tag":"v1"}', outcome: 'ok' },
        { at: T0 + 1000, actor: 'system', action: 'job:follow', repo: null, detail: null, outcome: 'error:github_unavailable' },
        { at: T0 + 3000, actor: 'U2', action: 'command:/sync-status', repo: null, detail: '{"n":1}', outcome: 'usage' },
      ];
      await fresh.atVersion({ '0001_init': init(backend.name), '0002_releases': releases() }, async (db) => {
        for (const w of written) {
          await sql`insert into audit_log (at, actor, action, repo, detail, outcome) values (${w.at}, ${w.actor}, ${w.action}, ${w.repo}, ${w.detail}, ${w.outcome})`.execute(
            db,
          );
        }
      });
      const store = await fresh.open();
      try {
        const rows = await store.db.selectFrom('audit_log').select(['id', 'prev_hash', 'hash']).orderBy('id').execute();
        let prev = GENESIS;
        for (const [i, w] of written.entries()) {
          const h = documentedHash(prev, w.at, w.actor, w.action, w.repo, w.detail, w.outcome);
          assert.deepEqual({ prev_hash: rows[i]?.prev_hash, hash: rows[i]?.hash }, { prev_hash: prev, hash: h }, `row ${i}`);
          prev = h;
        }
        await store.audit.record({ actor: 'U3', action: 'after', outcome: 'ok' });
        const v = await store.audit.verify();
        assert.equal(v.ok, true, JSON.stringify(v));
        assert.equal(v.count, 4);
      } finally {
        await store.close();
      }
    });

    test('backfill hashes only the rows without a hash, continuing the chain', async () => {
      const { store, ids } = await seeded(backend, 8);
      try {
        const before = await exportAll(store);
        // The newest three lose their hashes: the chain continues from the fifth.
        await store.db
          .updateTable('audit_log')
          .set({ prev_hash: sql<string>`null`, hash: sql<string>`null` })
          .where('id', '>=', Number(ids[5]))
          .execute();
        assert.equal((await store.audit.verify()).ok, false);
        assert.equal(await backfillAuditChain(untyped(store.db)), 3);
        assert.deepEqual(await exportAll(store), before);

        // All of them: the same chain again, from genesis.
        await store.db
          .updateTable('audit_log')
          .set({ prev_hash: sql<string>`null`, hash: sql<string>`null` })
          .execute();
        assert.equal(await backfillAuditChain(untyped(store.db)), 8);
        assert.deepEqual(await exportAll(store), before);
        assert.deepEqual(await store.audit.verify(), { ok: true, count: 8, head: before[7]!.hash });

        // Nothing left to do: hashed rows are never rewritten, even a wrong one.
        await store.db.updateTable('audit_log').set({ outcome: 'edited' }).where('id', '=', Number(ids[2])).execute();
        assert.equal(await backfillAuditChain(untyped(store.db)), 0);
        assert.equal((await store.audit.verify()).ok, false);
      } finally {
        await store.close();
      }
    });
  });
}

/** Records `n` entries from a worker thread with its own Store (its own SQLite connection). */
function recordInWorker(file: string, actor: string, n: number): Promise<void> {
  const code = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    (async () => {
      (await import(w.tsx)).register();
      const { openStore } = await import(w.store);
      const s = await openStore({ databaseUrl: w.file });
      for (let i = 0; i < w.n; i++) await s.audit.record({ actor: w.actor + '-' + i, action: 'race', outcome: 'ok' });
      await s.close();
      parentPort.postMessage({ done: true });
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
  `;
  const workerData = {
    tsx: import.meta.resolve('tsx/esm/api'),
    store: new URL('../../src/store/index.ts', import.meta.url).href,
    file,
    actor,
    n,
  };
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData });
    w.once('message', (m: { done?: boolean; error?: string }) => {
      if (m.error || !m.done) reject(new Error(`worker ${actor}: ${m.error}`));
      else resolve();
      void w.terminate();
    });
    w.once('error', reject);
  });
}
