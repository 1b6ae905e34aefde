import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import { StoreError } from '../../src/errors.js';
import { openStore, parseDatabaseUrl, type Store } from '../../src/store/index.js';
import { migrationProvider } from '../../src/store/migrations/index.js';

/** The migrations the code declares, in order; a new one is picked up without editing this test. */
async function expectedMigrations(): Promise<string[]> {
  return Object.keys(await migrationProvider('sqlite').getMigrations()).sort();
}

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** How a suite opens (more) stores on its one database, and cleans up. */
interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
  /** A fresh, empty database of this kind (for the migration race). */
  fresh(): { open(): Promise<Store> };
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

const tmpDir = mkdtempSync(join(tmpdir(), 'chatops-store-'));
after(() => rmSync(tmpDir, { recursive: true, force: true }));

const sqliteBackend: Backend = {
  name: 'sqlite',
  open: () => openStore({ databaseUrl: join(tmpDir, 'suite.sqlite') }),
  fresh() {
    const file = join(tmpDir, `fresh-${randomBytes(4).toString('hex')}.sqlite`);
    return { open: () => openStore({ databaseUrl: file }) };
  },
};

const pgSchemas: string[] = [];
function newPgSchema(): string {
  const s = `chatops_test_${randomBytes(6).toString('hex')}`;
  pgSchemas.push(s);
  return s;
}
const pgSuiteSchema = newPgSchema();
const postgresBackend: Backend = {
  name: 'postgres',
  open: () => openStore({ databaseUrl: PG_URL, schema: pgSuiteSchema }),
  fresh() {
    const schema = newPgSchema();
    return { open: () => openStore({ databaseUrl: PG_URL, schema }) };
  },
};

const reachable = await pgReachable();
const skipPg = !reachable && process.env.CHATOPS_SKIP_PG === '1' ? 'PostgreSQL unreachable and CHATOPS_SKIP_PG=1' : false;

storeSuite(sqliteBackend);
describe('postgres', { skip: skipPg }, () => {
  // CI starts PostgreSQL: unreachable is a failure, unless skipping was asked for.
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
  storeSuite(postgresBackend);

  test('tables live in the requested schema only', async () => {
    const store = await postgresBackend.open();
    try {
      const r = await sql<{ table_schema: string }>`
        select distinct table_schema from information_schema.tables where table_name = 'jobs' and table_schema = ${pgSuiteSchema}`.execute(store.db);
      assert.deepEqual(r.rows, [{ table_schema: pgSuiteSchema }]);
    } finally {
      await store.close();
    }
  });

  test('a schema name that is not a plain identifier is refused', async () => {
    await assert.rejects(openStore({ databaseUrl: PG_URL, schema: 'x"; drop table y; --' }), StoreError);
  });
});

describe('DATABASE_URL parsing', () => {
  test('unset means ./data/chatops.sqlite under the working directory', () => {
    const t = parseDatabaseUrl(undefined);
    assert.equal(t.dialect, 'sqlite');
    assert.equal(t.dialect === 'sqlite' && t.filename, join(process.cwd(), 'data', 'chatops.sqlite'));
  });
  test('postgres:// and postgresql:// go to PostgreSQL; paths, file: URLs and :memory: to SQLite', () => {
    assert.deepEqual(parseDatabaseUrl('postgres://u:p@h/db'), { dialect: 'postgres', connectionString: 'postgres://u:p@h/db' });
    assert.equal(parseDatabaseUrl('postgresql://h/db').dialect, 'postgres');
    assert.deepEqual(parseDatabaseUrl(':memory:'), { dialect: 'sqlite', filename: ':memory:' });
    assert.deepEqual(parseDatabaseUrl('file:///var/lib/x.sqlite'), { dialect: 'sqlite', filename: '/var/lib/x.sqlite' });
    assert.deepEqual(parseDatabaseUrl('file:rel/x.sqlite'), { dialect: 'sqlite', filename: join(process.cwd(), 'rel', 'x.sqlite') });
    assert.deepEqual(parseDatabaseUrl('/abs/y.db'), { dialect: 'sqlite', filename: '/abs/y.db' });
  });
  test('another URL scheme is refused without echoing the URL', () => {
    assert.throws(
      () => parseDatabaseUrl('mysql://root:hunter2@db/x'),
      (e: unknown) => e instanceof StoreError && !e.message.includes('hunter2'),
    );
  });
  test('the default SQLite file is created with its folder', async () => {
    const dir = join(tmpDir, 'nested', 'data');
    const store = await openStore({ databaseUrl: `file:${join(dir, 'x.sqlite')}` });
    try {
      await store.ping();
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(store.db);
      assert.equal(mode.rows[0]?.journal_mode, 'wal');
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(store.db);
      assert.equal(fk.rows[0]?.foreign_keys, 1);
    } finally {
      await store.close();
    }
  });
});

function storeSuite(backend: Backend): void {
  describe(`store on ${backend.name}`, () => {
    let store: Store;
    before(async () => {
      store = await backend.open();
    });
    after(async () => {
      await store?.close();
    });

    test('migrations are idempotent: opening again works and applies nothing new', async () => {
      const again = await backend.open();
      try {
        assert.equal(again.dialect, backend.name);
        await again.ping();
        const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(again.db);
        assert.deepEqual(
          ran.rows.map((r) => r.name),
          await expectedMigrations(),
        );
      } finally {
        await again.close();
      }
    });

    test('migrations are numbered 0001, 0002, … with no gap or repeat (a merge that reuses a number fails here)', async () => {
      const names = await expectedMigrations();
      assert.ok(names.length >= 14);
      names.forEach((name, i) => assert.match(name, new RegExp(`^${String(i + 1).padStart(4, '0')}_[a-z0-9_]+$`), name));
    });

    test('two stores opening the same fresh database at once both succeed (migration race)', async () => {
      const fresh = backend.fresh();
      const opened = await Promise.allSettled([fresh.open(), fresh.open(), fresh.open()]);
      const stores = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      try {
        assert.deepEqual(
          opened.filter((r) => r.status === 'rejected'),
          [],
          'every open succeeded',
        );
        const ran = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(stores[0]!.db);
        assert.deepEqual(
          ran.rows.map((r) => r.name),
          await expectedMigrations(),
        );
        for (const s of stores) await s.jobs.enqueue({ kind: 'race', payload: null });
        const count = await stores[1]!.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow();
        assert.equal(Number(count.n), 3);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    test('ping fails with StoreError once closed', async () => {
      const s = await backend.open();
      await s.close();
      await assert.rejects(s.ping(), StoreError);
    });

    describe('audit', () => {
      test('record then list, oldest first, with since and limit', async () => {
        const t0 = new Date('2030-01-01T00:00:00.000Z');
        const at = (s: number) => new Date(t0.getTime() + s * 1000);
        await store.audit.record({ actor: 'U1', action: 'command:/sync-status', repo: 'acme/app', detail: { tag: 'v1' }, outcome: 'ok' }, at(2));
        await store.audit.record({ actor: 'system', action: 'job:follow', outcome: 'error:github_unavailable' }, at(1));
        await store.audit.record({ actor: 'U2', action: 'command:/release', detail: { n: 1, nested: { a: [1, 'x'] } }, outcome: 'usage' }, at(3));

        const all = await store.audit.list({ since: t0 });
        assert.deepEqual(
          all.map((e) => [e.at, e.actor, e.action, e.repo, e.outcome]),
          [
            ['2030-01-01T00:00:01.000Z', 'system', 'job:follow', null, 'error:github_unavailable'],
            ['2030-01-01T00:00:02.000Z', 'U1', 'command:/sync-status', 'acme/app', 'ok'],
            ['2030-01-01T00:00:03.000Z', 'U2', 'command:/release', null, 'usage'],
          ],
        );
        assert.deepEqual(all[1]!.detail, { tag: 'v1' });
        assert.deepEqual(all[2]!.detail, { n: 1, nested: { a: [1, 'x'] } });
        assert.equal(all[0]!.detail, null);
        assert.match(all[0]!.id, /^\d+$/);

        const since2 = await store.audit.list({ since: at(2) });
        assert.deepEqual(
          since2.map((e) => e.actor),
          ['U1', 'U2'],
        );
        const first = await store.audit.list({ since: t0, limit: 1 });
        assert.deepEqual(
          first.map((e) => e.actor),
          ['system'],
        );
        const later = await store.audit.list({ since: at(4) });
        assert.deepEqual(later, []);
      });

      test('credentials that slip into the detail are redacted before storing', async () => {
        const when = new Date('2031-01-01T00:00:00.000Z');
        const pat = `ghp_${'a1B2'.repeat(9)}`;
        await store.audit.record(
          {
            actor: 'U1',
            action: 'command:/secret',
            detail: { secretName: 'GHE_TOKEN', value: 's3cret', note: `pasted ${pat} here`, deep: [{ token: 'x' }] },
            outcome: 'ok',
          },
          when,
        );
        const [e] = await store.audit.list({ since: when });
        assert.deepEqual(e?.detail, { secretName: 'GHE_TOKEN', value: '[redacted]', note: 'pasted [redacted] here', deep: [{ token: '[redacted]' }] });
        const raw = await store.db.selectFrom('audit_log').select('detail').where('id', '=', Number(e!.id)).executeTakeFirstOrThrow();
        assert.ok(!raw.detail?.includes('s3cret') && !raw.detail?.includes(pat));
      });
    });

    describe('reminders', () => {
      test('a reminder is claimed by one caller of many, once; a released claim can be taken again, a sent one cannot', async () => {
        const key = `o/r:GHE_TOKEN:age:2030-01-01:7:${Math.random()}`;
        const second = await backend.open();
        try {
          const claims = await Promise.all([store, second, store, second].map((s) => s.reminders.claim({ key, repo: 'o/r', secret: 'GHE_TOKEN' })));
          assert.equal(claims.filter(Boolean).length, 1);
          await store.reminders.release(key);
          assert.equal(await second.reminders.claim({ key, repo: 'o/r', secret: 'GHE_TOKEN' }), true, 'released: taken again');
          await second.reminders.sent(key, 'C1', '1.2');
          await store.reminders.release(key);
          assert.equal(await store.reminders.claim({ key, repo: 'o/r', secret: 'GHE_TOKEN' }), false, 'sent: never again');
          assert.deepEqual(await store.reminders.get(key), { key, channel: 'C1', messageTs: '1.2' });
        } finally {
          await second.close();
        }
      });
    });

    describe('reports', () => {
      test('save then load returns exactly what was saved, until it expires', async () => {
        const now = new Date('2030-06-01T12:00:00.000Z');
        const payload = { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*v1.2.3* → ✅ 🚀' } }], n: 1.5, ok: true, none: null };
        const id = await store.reports.save({ kind: 'sync-status', ownerUser: 'U123', payload, ttlSeconds: 600 }, now);
        assert.match(id, /^[A-Za-z0-9_-]{24}$/); // 144 bits, url-safe

        const loaded = await store.reports.load(id, new Date(now.getTime() + 599_000));
        assert.deepEqual(loaded, { kind: 'sync-status', ownerUser: 'U123', payload, createdAt: now });
        assert.equal(await store.reports.load(id, new Date(now.getTime() + 600_000)), null);
      });

      test('ids are random and unknown ids load as null', async () => {
        const a = await store.reports.save({ kind: 'k', ownerUser: 'U1', payload: 1, ttlSeconds: 60 });
        const b = await store.reports.save({ kind: 'k', ownerUser: 'U1', payload: 1, ttlSeconds: 60 });
        assert.notEqual(a, b);
        assert.equal(await store.reports.load('AAAAAAAAAAAAAAAAAAAAAAAA'), null);
        assert.equal(await store.reports.load("' or 1=1 --"), null);
        assert.equal(await store.reports.load(''), null);
      });

      test('purgeExpired deletes only expired reports', async () => {
        const base = new Date('2040-01-01T00:00:00.000Z');
        const short = await store.reports.save({ kind: 'k', ownerUser: 'U1', payload: 'short', ttlSeconds: 10 }, base);
        const long = await store.reports.save({ kind: 'k', ownerUser: 'U1', payload: 'long', ttlSeconds: 1000 }, base);
        const purgeAt = new Date(base.getTime() + 20_000);
        const purged = await store.reports.purgeExpired(purgeAt);
        assert.ok(purged >= 1, `purged ${purged}`);
        const left = await store.db.selectFrom('reports').select('id').where('id', 'in', [short, long]).execute();
        assert.deepEqual(
          left.map((r) => r.id),
          [long],
        );
        assert.equal((await store.reports.load(long, purgeAt))?.payload, 'long');
      });

      test('a non-positive ttl is refused', async () => {
        await assert.rejects(store.reports.save({ kind: 'k', ownerUser: 'U1', payload: 1, ttlSeconds: 0 }), RangeError);
      });
    });

    describe('jobs', () => {
      // Each test uses its own kinds, so jobs left by one test never reach another.
      const kind = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
      const T = new Date('2030-01-01T00:00:00.000Z');
      const plus = (s: number) => new Date(T.getTime() + s * 1000);

      test('enqueue, claim, complete', async () => {
        const k = kind('basic');
        const id = await store.jobs.enqueue({ kind: k, payload: { run: 42 } }, T);
        assert.match(id, /^\d+$/);
        const job = await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now: T });
        assert.ok(job);
        assert.equal(job.id, id);
        assert.equal(job.kind, k);
        assert.deepEqual(job.payload, { run: 42 });
        assert.equal(job.status, 'running');
        assert.equal(job.leaseOwner, 'r1');
        assert.deepEqual(job.leaseUntil, plus(30));
        assert.equal(job.attempts, 0);
        assert.equal(job.maxAttempts, 5);

        assert.equal(await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 30, now: T }), null, 'leased: not claimable');
        assert.equal(await store.jobs.complete(id, 'r1'), true);
        assert.equal((await store.jobs.get(id))?.status, 'done');
        assert.equal(await store.jobs.complete(id, 'r1'), false, 'only once');
        assert.equal(await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 30, now: plus(3600) }), null, 'done jobs never come back');
      });

      test('a job is not due before its run time; due jobs come oldest first; kinds filter', async () => {
        const k = kind('due');
        const other = kind('other');
        const later = await store.jobs.enqueue({ kind: k, payload: 'later', runAt: plus(60) });
        const sooner = await store.jobs.enqueue({ kind: k, payload: 'sooner', runAt: plus(10) });
        await store.jobs.enqueue({ kind: other, payload: 'other', runAt: plus(0) });
        assert.equal(await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(9) }), null);
        assert.equal((await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(100) }))?.id, sooner);
        assert.equal((await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(100) }))?.id, later);
        assert.equal(await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(100) }), null);
        assert.equal(await store.jobs.claim({ owner: 'r', kinds: [], leaseSeconds: 5, now: plus(100) }), null);
        assert.equal((await store.jobs.claim({ owner: 'r', kinds: [other], leaseSeconds: 5, now: plus(100) }))?.payload, 'other');
      });

      test('dedupe with `sooner`: a pending job with the key moves forward, never back', async () => {
        const k = kind('sooner');
        const key = `watch:${k}`;
        const plus = (s: number) => new Date(T.getTime() + s * 1000);
        const a = await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(30) }, T);
        assert.equal(await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(15) }, T), a);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(30).getTime(), 'without sooner the due time stays');
        assert.equal(await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(15), sooner: true }, T), a);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(15).getTime());
        await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(60), sooner: true }, T);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(15).getTime(), 'never later');
      });

      test('bringForward moves a pending job with the key sooner, never later, and creates none when there is no such job', async () => {
        const k = kind('forward');
        const key = `release:${k}`;
        assert.equal(await store.jobs.bringForward(key, plus(0), T), false, 'no job with the key: nothing moved');
        assert.equal(await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(3600) }), null, 'and none created');
        const a = await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(60) }, T);
        assert.equal(await store.jobs.bringForward(key, plus(120), T), false, 'later: not moved');
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(60).getTime());
        assert.equal(await store.jobs.bringForward(key, plus(1), T), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(1).getTime());
        const job = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(1) });
        assert.equal(job?.id, a);
        assert.equal(await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 5, now: plus(2) }), null, 'a wake does not make a running job claimable');
        assert.equal(await store.jobs.complete(a, 'r', plus(2)), true);
        assert.equal(await store.jobs.bringForward(key, plus(0), plus(2)), false, 'a finished job is not revived');
      });

      test('a job brought forward while it runs (bringForward, enqueue with sooner) runs again by then once rescheduled; otherwise as asked', async () => {
        const k = kind('poked');
        const key = `apply:${k}`;
        const a = await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(0) }, T);
        let job = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 30, now: plus(1) });
        assert.equal(job?.id, a);
        // Not brought forward during the run: rescheduled as asked.
        assert.equal(await store.jobs.reschedule(a, 'r', plus(60), undefined, plus(2), job?.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(60).getTime());
        // Brought forward while it ran (a delivery stored after its last look): due then, not at the asked time.
        job = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 30, now: plus(60) });
        assert.equal(await store.jobs.bringForward(key, plus(61), plus(61)), true, 'a running job is marked');
        assert.equal(await store.jobs.reschedule(a, 'r', plus(120), undefined, plus(62), job?.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(61).getTime());
        job = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 30, now: plus(62) });
        assert.equal(job?.id, a, 'due again at once');
        await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(63), sooner: true }, plus(63));
        assert.equal(await store.jobs.reschedule(a, 'r', plus(200), undefined, plus(64), job?.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(63).getTime(), 'enqueue with sooner marks it too');
        // Brought forward while it ran, but asked to run sooner still: the sooner one.
        job = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 30, now: plus(64) });
        await store.jobs.bringForward(key, plus(90), plus(65));
        assert.equal(await store.jobs.reschedule(a, 'r', plus(70), undefined, plus(66), job?.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(70).getTime());
      });

      test('bringForwardKind moves every pending job of a kind sooner, never later; replacePayload renews an unfinished job', async () => {
        const k = kind('watchers');
        const a = await store.jobs.enqueue({ kind: k, payload: { n: 1 }, dedupeKey: `w1:${k}`, runAt: plus(3600) }, T);
        const b = await store.jobs.enqueue({ kind: k, payload: { n: 2 }, dedupeKey: `w2:${k}`, runAt: plus(2) }, T);
        const other = await store.jobs.enqueue({ kind: kind('unrelated'), payload: null, runAt: plus(3600) }, T);
        assert.equal(await store.jobs.bringForwardKind(k, plus(5), T), 1, 'only the one due later moved');
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(5).getTime());
        assert.equal((await store.jobs.get(b))?.runAt.getTime(), plus(2).getTime());
        assert.equal((await store.jobs.get(other))?.runAt.getTime(), plus(3600).getTime(), 'another kind is not touched');
        assert.equal(await store.jobs.replacePayload(`w1:${k}`, { n: 3 }, T), true);
        assert.deepEqual((await store.jobs.get(a))?.payload, { n: 3 });
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(5).getTime(), 'its run time stays');
        const job = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 30, now: plus(5) });
        assert.equal(job?.id, b);
        assert.equal(await store.jobs.replacePayload(`w2:${k}`, { n: 4 }, plus(5)), true, 'a running job too');
        assert.equal(await store.jobs.reschedule(b, 'r', plus(100), undefined, plus(6), job?.runAt), true);
        assert.deepEqual((await store.jobs.get(b))?.payload, { n: 4 }, 'kept by a reschedule without a payload');
        assert.equal(await store.jobs.replacePayload(`none:${k}`, { n: 5 }, T), false);
      });

      test('a wake while the job runs is kept: rescheduled with its claimed time, it is due again at once, not when its run asked', async () => {
        const k = kind('wakerun');
        const key = `release:${k}`;
        const a = await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(1) }, T);
        const first = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(1) });
        assert.ok(first);
        // Not woken: the time its run asks for.
        assert.equal(await store.jobs.reschedule(a, 'r', plus(600), undefined, plus(2), first.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(600).getTime());
        assert.equal(await store.jobs.bringForward(key, plus(3), plus(3)), true);
        const second = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(3) });
        assert.ok(second);
        // Woken while it runs, in the very millisecond it was claimed at (a clock that stands still).
        assert.equal(await store.jobs.bringForward(key, plus(3), plus(3)), true, 'the wake is kept');
        assert.equal(await store.jobs.reschedule(a, 'r', plus(600), undefined, plus(4), second.runAt), true);
        const woken = await store.jobs.get(a);
        assert.equal(woken?.status, 'pending');
        assert.ok((woken?.runAt.getTime() ?? Infinity) <= plus(4).getTime(), `due again at once (${woken?.runAt.toISOString()})`);
        const third = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(4) });
        assert.equal(third?.id, a);
        // enqueue with `sooner` (a delivery for the running apply job) keeps the wake too.
        assert.equal(await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key, runAt: plus(4), sooner: true }, plus(4)), a);
        assert.equal(await store.jobs.reschedule(a, 'r', plus(600), undefined, plus(4), third?.runAt), true);
        assert.ok(((await store.jobs.get(a))?.runAt.getTime() ?? Infinity) <= plus(4).getTime(), 'due again at once');
        const fourth = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(4) });
        assert.equal(fourth?.id, a);
        // Not woken this time: the time its run asks for.
        assert.equal(await store.jobs.reschedule(a, 'r', plus(600), undefined, plus(4), fourth?.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(600).getTime());
        const fifth = await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 5, now: plus(600) });
        // A wake later than what the run asks for changes nothing.
        assert.equal(await store.jobs.bringForward(key, plus(900), plus(600)), true);
        assert.equal(await store.jobs.reschedule(a, 'r', plus(660), undefined, plus(600), fifth?.runAt), true);
        assert.equal((await store.jobs.get(a))?.runAt.getTime(), plus(660).getTime());
      });

      test('dedupe: same key among unfinished jobs returns the existing id; after it finishes a new job is made', async () => {
        const k = kind('dedupe');
        const key = `follow:${k}`;
        const a = await store.jobs.enqueue({ kind: k, payload: 1, dedupeKey: key }, T);
        const b = await store.jobs.enqueue({ kind: k, payload: 2, dedupeKey: key }, T);
        assert.equal(b, a);
        const job = await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now: T });
        assert.deepEqual(job?.payload, 1);
        assert.equal(await store.jobs.enqueue({ kind: k, payload: 3, dedupeKey: key }, T), a, 'running counts as unfinished');
        assert.equal(await store.jobs.complete(a, 'r1'), true);
        const c = await store.jobs.enqueue({ kind: k, payload: 4, dedupeKey: key }, T);
        assert.notEqual(c, a);
        const rows = await store.db.selectFrom('jobs').select(['id', 'status']).where('dedupe_key', '=', key).orderBy('id').execute();
        assert.deepEqual(
          rows.map((r) => [String(r.id), r.status]),
          [
            [a, 'done'],
            [c, 'pending'],
          ],
        );
        // Different keys, and no key at all, never collide.
        const d = await store.jobs.enqueue({ kind: k, payload: 5, dedupeKey: `${key}:other` }, T);
        const e1 = await store.jobs.enqueue({ kind: k, payload: 6 }, T);
        const e2 = await store.jobs.enqueue({ kind: k, payload: 6 }, T);
        assert.equal(new Set([c, d, e1, e2]).size, 4);
      });

      test('concurrent enqueues with one dedupe key make one job', async () => {
        const k = kind('dedupe-race');
        const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => store.jobs.enqueue({ kind: k, payload: i, dedupeKey: k })));
        assert.equal(new Set(ids).size, 1);
        const n = await store.db
          .selectFrom('jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('kind', '=', k)
          .executeTakeFirstOrThrow();
        assert.equal(Number(n.n), 1);
      });

      test('fail retries at retryAt, counts attempts, and gives up after maxAttempts', async () => {
        const k = kind('fail');
        const id = await store.jobs.enqueue({ kind: k, payload: null, maxAttempts: 3 }, T);
        for (let i = 1; i <= 3; i++) {
          const now = plus(i * 100);
          const job = await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now });
          assert.equal(job?.id, id, `attempt ${i} claimed`);
          assert.equal(job.attempts, i - 1);
          assert.equal(await store.jobs.fail(id, 'r1', { error: `boom ${i}`, retryAt: plus(i * 100 + 50), now }), true);
          const after = await store.jobs.get(id);
          assert.equal(after?.attempts, i);
          assert.equal(after?.lastError, `boom ${i}`);
          if (i < 3) {
            assert.equal(after?.status, 'pending');
            assert.deepEqual(after?.runAt, plus(i * 100 + 50));
            assert.equal(await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now: plus(i * 100 + 49) }), null, 'not before retryAt');
          } else {
            assert.equal(after?.status, 'failed');
          }
        }
        assert.equal(await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now: plus(10_000) }), null, 'failed for good');
      });

      test('fail without retryAt backs off; final fails at once; a long error is truncated', async () => {
        const k = kind('backoff');
        const id = await store.jobs.enqueue({ kind: k, payload: null }, T);
        await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now: T });
        assert.equal(await store.jobs.fail(id, 'r1', { error: 'x'.repeat(5000), now: T }), true);
        const j = await store.jobs.get(id);
        assert.deepEqual(j?.runAt, plus(30));
        assert.equal(j?.lastError?.length, 2000);
        await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 30, now: plus(30) });
        assert.equal(await store.jobs.fail(id, 'r1', { error: 'bad input', final: true, now: plus(30) }), true);
        assert.equal((await store.jobs.get(id))?.status, 'failed');
      });

      test('an expired lease is retaken by another owner; the stale owner can no longer touch the job', async () => {
        const k = kind('lease');
        const id = await store.jobs.enqueue({ kind: k, payload: { p: 1 } }, T);
        const first = await store.jobs.claim({ owner: 'crashed', kinds: [k], leaseSeconds: 10, now: T });
        assert.equal(first?.id, id);
        assert.equal(await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 10, now: plus(9) }), null, 'lease still held');
        const second = await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 10, now: plus(10) });
        assert.equal(second?.id, id);
        assert.equal(second.leaseOwner, 'r2');
        assert.equal(second.attempts, 1, 'a lost lease counts as a failed attempt');
        assert.match(second.lastError ?? '', /lease expired/);

        assert.equal(await store.jobs.complete(id, 'crashed'), false);
        assert.equal(await store.jobs.fail(id, 'crashed', { error: 'late' }), false);
        assert.equal(await store.jobs.reschedule(id, 'crashed', plus(1000)), false);
        assert.equal(await store.jobs.extendLease(id, 'crashed', 60), false);
        assert.equal((await store.jobs.get(id))?.leaseOwner, 'r2');
        assert.equal(await store.jobs.complete(id, 'r2'), true);
        assert.equal(await store.jobs.complete('not-a-number', 'r2'), false);
        assert.equal(await store.jobs.complete('999999999', 'r2'), false);
      });

      test('extendLease keeps others out; reschedule releases the lease, sets the next run and payload', async () => {
        const k = kind('poll');
        const id = await store.jobs.enqueue({ kind: k, payload: { seen: 0 } }, T);
        await store.jobs.claim({ owner: 'r1', kinds: [k], leaseSeconds: 10, now: T });
        assert.equal(await store.jobs.extendLease(id, 'r1', 60, plus(5)), true);
        assert.deepEqual((await store.jobs.get(id))?.leaseUntil, plus(65));
        assert.equal(await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 10, now: plus(30) }), null);

        assert.equal(await store.jobs.reschedule(id, 'r1', plus(120), { seen: 1 }, plus(30)), true);
        const j = await store.jobs.get(id);
        assert.equal(j?.status, 'pending');
        assert.equal(j?.leaseOwner, null);
        assert.equal(await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 10, now: plus(119) }), null);
        const again = await store.jobs.claim({ owner: 'r2', kinds: [k], leaseSeconds: 10, now: plus(120) });
        assert.deepEqual(again?.payload, { seen: 1 });
        assert.equal(await store.jobs.reschedule(id, 'r1', plus(500)), false, 'r1 no longer holds it');
        assert.equal(await store.jobs.reschedule(id, 'r2', plus(500)), true, 'payload kept when omitted');
        assert.deepEqual((await store.jobs.get(id))?.payload, { seen: 1 });
      });

      test('a job whose lease keeps expiring fails after maxAttempts', async () => {
        const k = kind('poison');
        const id = await store.jobs.enqueue({ kind: k, payload: null, maxAttempts: 2 }, T);
        assert.equal((await store.jobs.claim({ owner: 'a', kinds: [k], leaseSeconds: 10, now: T }))?.id, id);
        assert.equal((await store.jobs.claim({ owner: 'b', kinds: [k], leaseSeconds: 10, now: plus(10) }))?.id, id);
        assert.equal(await store.jobs.claim({ owner: 'c', kinds: [k], leaseSeconds: 10, now: plus(20) }), null);
        const j = await store.jobs.get(id);
        assert.equal(j?.status, 'failed');
        assert.equal(j?.attempts, 2);
      });

      test('purgeFinished removes done and failed jobs only', async () => {
        const k = kind('purge');
        const done = await store.jobs.enqueue({ kind: k, payload: null }, T);
        const pending = await store.jobs.enqueue({ kind: k, payload: null, runAt: plus(1e6) }, T);
        await store.jobs.claim({ owner: 'r', kinds: [k], leaseSeconds: 10, now: T });
        await store.jobs.complete(done, 'r', T);
        assert.ok((await store.jobs.purgeFinished(plus(1))) >= 1);
        assert.equal(await store.jobs.get(done), null);
        assert.equal((await store.jobs.get(pending))?.status, 'pending');
      });

      test('4 stores claiming 200 jobs concurrently: every job claimed exactly once', async (t) => {
        const k = kind('concurrent');
        const N = 200;
        const enqueued = new Set<string>();
        for (let i = 0; i < N; i++) enqueued.add(await store.jobs.enqueue({ kind: k, payload: { i } }));
        // Separate stores: separate pools (PostgreSQL) or separate connections to one file (SQLite).
        const claimers: Store[] = [];
        for (let i = 0; i < 4; i++) claimers.push(await backend.open());
        try {
          const claimed = await Promise.all(
            claimers.map(async (s, n) => {
              const owner = `replica-${n}`;
              const mine: string[] = [];
              for (;;) {
                const job = await s.jobs.claim({ owner, kinds: [k], leaseSeconds: 300 });
                if (!job) break;
                mine.push(job.id);
                assert.equal(await s.jobs.complete(job.id, owner), true);
              }
              return mine;
            }),
          );
          const all = claimed.flat();
          const unique = new Set(all);
          t.diagnostic(
            `${backend.name}: ${N} jobs, 4 stores claimed ${all.length} (${unique.size} distinct), per store: ${claimed.map((c) => c.length).join('/')}`,
          );
          assert.equal(all.length, N, 'claims');
          assert.equal(unique.size, N, 'no job claimed twice');
          assert.deepEqual([...unique].sort(), [...enqueued].sort());
          const left = await store.db.selectFrom('jobs').select('status').where('kind', '=', k).where('status', '!=', 'done').execute();
          assert.deepEqual(left, []);
        } finally {
          await Promise.all(claimers.map((s) => s.close()));
        }
      });

      if (backend.name === 'sqlite') {
        test('4 worker threads (real parallel connections) claiming 200 jobs from one SQLite file: each exactly once', async (t) => {
          const k = kind('threads');
          const file = join(tmpDir, 'threads.sqlite');
          const seed = await openStore({ databaseUrl: file });
          try {
            for (let i = 0; i < 200; i++) await seed.jobs.enqueue({ kind: k, payload: { i } });
            const results = await Promise.all([0, 1, 2, 3].map((n) => claimInWorker(file, k, `thread-${n}`)));
            const all = results.flat();
            t.diagnostic(
              `sqlite threads: 200 jobs, claimed ${all.length} (${new Set(all).size} distinct), per thread: ${results.map((r) => r.length).join('/')}`,
            );
            assert.equal(all.length, 200);
            assert.equal(new Set(all).size, 200);
            const done = await seed.db
              .selectFrom('jobs')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('kind', '=', k)
              .where('status', '=', 'done')
              .executeTakeFirstOrThrow();
            assert.equal(Number(done.n), 200);
          } finally {
            await seed.close();
          }
        });
      }
    });
  });
}

/**
 * Runs a claim/complete loop in a worker thread with its own better-sqlite3
 * connection, so the claims really contend for SQLite's write lock in parallel.
 */
function claimInWorker(file: string, kind: string, owner: string): Promise<string[]> {
  const code = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    (async () => {
      (await import(w.tsx)).register();
      const { openStore } = await import(w.store);
      const s = await openStore({ databaseUrl: w.file });
      const ids = [];
      for (;;) {
        const job = await s.jobs.claim({ owner: w.owner, kinds: [w.kind], leaseSeconds: 300 });
        if (!job) break;
        ids.push(job.id);
        if (!(await s.jobs.complete(job.id, w.owner))) throw new Error('complete refused for ' + job.id);
      }
      await s.close();
      parentPort.postMessage({ ids });
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
  `;
  const workerData = {
    tsx: import.meta.resolve('tsx/esm/api'),
    store: new URL('../../src/store/index.ts', import.meta.url).href,
    file,
    kind,
    owner,
  };
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData });
    w.once('message', (m: { ids?: string[]; error?: string }) => {
      if (m.error || !m.ids) reject(new Error(`worker ${owner}: ${m.error}`));
      else resolve(m.ids);
      void w.terminate();
    });
    w.once('error', reject);
  });
}
