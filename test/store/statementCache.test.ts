import { test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../../src/store/statementCache.js';

interface Db {
  t: { id: number; name: string };
}

test('each distinct statement is prepared once and reused; a schema change is seen through a cached statement', async () => {
  const sqlite = new BetterSqlite3(':memory:');
  const prepared: string[] = [];
  const prepare = sqlite.prepare.bind(sqlite);
  // Counting what reaches better-sqlite3: the cache is ours, the database is real.
  sqlite.prepare = ((text: string) => {
    prepared.push(text);
    return prepare(text);
  }) as typeof sqlite.prepare;
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite, 4) }) });
  try {
    await sql`create table t (id integer primary key, name text not null)`.execute(db);
    for (let i = 1; i <= 5; i++)
      await db
        .insertInto('t')
        .values({ id: i, name: `n${i}` })
        .execute();
    const select = () => db.selectFrom('t').selectAll().where('id', '<=', 2).orderBy('id').execute();
    assert.deepEqual(await select(), [
      { id: 1, name: 'n1' },
      { id: 2, name: 'n2' },
    ]);
    await select();
    assert.equal(prepared.filter((p) => p.startsWith('insert')).length, 1, 'five inserts, one prepare');
    assert.equal(prepared.filter((p) => p.startsWith('select')).length, 1);

    // Transactions go through the same statements (begin/commit are cached too) and still roll back.
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 6, name: 'n6' }).execute();
        throw new Error('abort');
      }),
    );
    assert.equal((await db.selectFrom('t').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, 5);

    await sql`alter table t add column note text`.execute(db);
    const rows = (await select()) as unknown as Array<Record<string, unknown>>;
    assert.deepEqual(rows[0], { id: 1, name: 'n1', note: null }, 'SQLite re-prepares a cached statement after a schema change');

    // Bounded: more distinct statements than it keeps, and the oldest are prepared again.
    const before = prepared.length;
    for (let i = 0; i < 6; i++) await sql`select ${sql.lit(i)} as v`.execute(db);
    await select();
    assert.ok(prepared.length > before + 6, 'the select was evicted and prepared again');
  } finally {
    await db.destroy();
  }
});
